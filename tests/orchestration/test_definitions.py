"""The Dagster definitions load and expose the whole pipeline as data engineers expect."""

import dagster as dg
import pytest


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    from orchestration.pipeline import load_definitions

    return load_definitions()


def _graph(defs: dg.Definitions):
    return defs.resolve_asset_graph()


def test_every_pipeline_layer_is_an_asset_group(defs):
    groups = {
        _graph(defs).get(key).group_name for key in _graph(defs).get_all_asset_keys()
        if _graph(defs).get(key).is_materializable
    }
    assert {"ingest", "normalize", "dedupe", "marts", "serving"} <= groups


def test_each_source_kind_has_a_raw_asset(defs):
    keys = {key.to_user_string() for key in _graph(defs).get_all_asset_keys()}
    assert {"raw/purchased_list_records", "raw/web_form_submissions", "raw/crm_records"} <= keys


def test_core_tables_are_assets(defs):
    keys = {key.to_user_string() for key in _graph(defs).get_all_asset_keys()}
    assert {
        "core/lead_records", "core/consent_records", "core/touchpoints",
        "core/lead_identity", "core/golden_leads",
    } <= keys


def test_marts_are_dbt_assets_downstream_of_golden_leads(defs):
    graph = _graph(defs)
    scores = dg.AssetKey(["marts", "mart_lead_scores"])
    assert scores in graph.get_all_asset_keys()
    upstream = graph.upstream_key_iterator(scores)
    assert any(True for _ in upstream)
    ancestors = dg.AssetSelection.assets(scores).upstream().resolve(graph)
    assert dg.AssetKey(["core", "golden_leads"]) in ancestors


def test_serving_is_downstream_of_every_mart(defs):
    graph = _graph(defs)
    serving = dg.AssetKey(["serving", "leadwerk_duckdb"])
    parents = set(graph.get(serving).parent_keys)
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    assert marts and marts <= parents


def test_quality_suites_are_blocking_asset_checks(defs):
    checks = list(_graph(defs).asset_check_keys)
    gx = [key for key in checks if key.name.startswith("gx_")]
    assert {key.name for key in gx} >= {"gx_raw", "gx_lead_records", "gx_identity", "gx_marts", "gx_consent"}
    assert all(_graph(defs).get_check_spec(key).blocking for key in gx)


def test_dbt_tests_are_asset_checks(defs):
    names = {key.name for key in _graph(defs).asset_check_keys}
    assert any(name.startswith(("not_null", "unique", "accepted_values")) for name in names)


def test_nightly_schedule_runs_full_refresh_at_two_in_berlin(defs):
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.job_name == "full_refresh"
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Berlin"
    assert schedule.tags["leadwerk/trigger"] == "nightly_schedule"


def test_full_refresh_job_covers_every_asset_but_the_retention_purge(defs):
    job = defs.resolve_job_def("full_refresh")
    graph = _graph(defs)
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    purge = dg.AssetKey(["privacy", "retention_purge"])
    assert set(job.asset_layer.executable_asset_keys) == materializable - {purge}


def test_retention_purge_has_its_own_weekly_schedule(defs):
    schedule = defs.resolve_schedule_def("weekly_retention")
    assert schedule.job_name == "retention"
    assert schedule.execution_timezone == "Europe/Berlin"


def test_landing_sensor_targets_full_refresh(defs):
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    assert sensor.job_name == "full_refresh"


def test_warehouse_resource_creates_the_warehouse_in_the_faster_storage_format(defs, tmp_path, storage_version):
    from dagster_duckdb import DuckDBResource

    configured = defs.resources["warehouse"]
    probe = DuckDBResource(database=str(tmp_path / "fresh.duckdb"), connection_config=configured.connection_config)
    with probe.get_connection() as conn:
        conn.execute("create table t as select 1 as x")
    assert storage_version(tmp_path / "fresh.duckdb") == "v1.4.0+"


def test_full_refresh_accepts_a_forced_full_normalization(defs):
    job = defs.resolve_job_def("full_refresh")
    forced = {"ops": {"normalize": {"config": {"full_rebuild": True}}}}
    assert dg.validate_run_config(job, forced)["ops"]["normalize"]["config"] == {"full_rebuild": True}
    assert dg.validate_run_config(job, {})["ops"]["normalize"]["config"] == {"full_rebuild": False}


def test_dbt_runs_through_dagster_dbts_own_resource(defs):
    """No subclass overriding its internals: an upgrade of dagster-dbt then cannot silently
    change how dbt starts (tests/reliability/test_public_library_apis.py keeps it so)."""
    from dagster_dbt import DbtCliResource

    assert type(defs.resources["dbt"]) is DbtCliResource
