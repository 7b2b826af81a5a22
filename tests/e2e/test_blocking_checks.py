"""A failed blocking quality check stops the run before anything downstream, publication included."""

import shutil

import dagster as dg
import duckdb
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def blocked_run(demo_warehouse, tmp_path_factory):
    """A copy of the demo warehouse with one raw row that no file registered, refreshed again."""
    from orchestration.pipeline import run_full_refresh
    from orchestration.publishing import serving_fingerprint

    root = tmp_path_factory.mktemp("blocked") / "data"
    shutil.copytree(demo_warehouse.root, root, symlinks=True)
    with duckdb.connect(str(root / "warehouse.duckdb")) as conn:
        smuggled = conn.execute(
            "insert into raw.crm_records select * from raw.crm_records order by source_file, source_row "
            "limit 1 returning source_file"
        ).fetchone()[0]
    before = serving_fingerprint(root / "serving")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEADWERK_DATA_DIR", str(root))
        env.setenv("LEADWERK_WAREHOUSE", str(root / "warehouse.duckdb"))
        env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        result = run_full_refresh(trigger="test")
    return result, before, serving_fingerprint(root / "serving"), smuggled


def _succeeded_steps(result) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_SUCCESS}


def test_failed_raw_reconciliation_fails_its_check_with_the_file_named(blocked_run):
    result, _, _, smuggled = blocked_run
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "gx_raw"]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    metadata = {key: value.value for key, value in evaluation.metadata.items()}
    assert "raw_rows_match_loaded" in str(metadata)
    assert smuggled in str(metadata)


def test_failed_blocking_check_stops_every_downstream_asset(blocked_run):
    result = blocked_run[0]
    assert not result.success
    assert "ingest_landing_files" in _succeeded_steps(result)
    assert not {"normalize", "dedupe", "leadwerk_dbt_models", "published_marts"} & _succeeded_steps(result)
    published = [
        e for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["serving", "leadwerk_duckdb"])
    ]
    assert published == []


def test_failed_blocking_check_leaves_the_serving_copy_byte_identical(blocked_run):
    _, before, after, _ = blocked_run
    assert after == before
