"""A nightly incremental run gives the same marts as a full refresh, and the docs build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt_cli import read, run_dbt
from fixture_warehouse import add_new_touchpoints
from polars.testing import assert_frame_equal

COMPARED_TABLES = {
    "intermediate.int_touchpoints_accumulated": ["touchpoint_id"],
    "intermediate.int_lead_engagement_points": ["lead_id", "touchpoint_type"],
    "intermediate.int_lead_stage_entries": ["lead_id"],
    "marts.mart_lead_scores": ["lead_id"],
    "marts.mart_funnel": ["first_touch_month", "source_kind", "source_system", "channel", "segment"],
    "marts.mart_source_performance": ["source_kind", "source_system", "source_detail"],
    "marts.mart_score_calibration": ["score_name", "source_system", "calibration_group", "bucket"],
}


def _snapshot_tables(warehouse: Path) -> dict[str, pl.DataFrame]:
    return {
        table: read(warehouse, f"select * from {table}").sort(keys)
        for table, keys in COMPARED_TABLES.items()
    }


@pytest.fixture(scope="module")
def nightly(built_warehouse, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the built warehouse gets a night's load (1% new touchpoints, one erased, two
    leads merged), then an incremental build and a full refresh."""
    work_dir = tmp_path_factory.mktemp("dbt_incremental")
    warehouse = work_dir / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.warehouse, warehouse)
    shutil.copytree(built_warehouse.work_dir / "target", work_dir / "target")
    as_of = built_warehouse.truth.as_of.isoformat()
    before = read(warehouse, "select count(*) as n from intermediate.int_touchpoints_accumulated")["n"][0]

    added = add_new_touchpoints(warehouse, share=0.01)
    with duckdb.connect(str(warehouse)) as conn:
        erased = conn.execute(
            "select touchpoint_id from core.touchpoints where touchpoint_type = 'webinar' order by touchpoint_id limit 1"
        ).fetchone()[0]
        conn.execute("delete from core.touchpoints where touchpoint_id = ?", [erased])
        survivor, retired = [row[0] for row in conn.execute(
            "select lead_id from core.golden_leads order by lead_id limit 2").fetchall()]
        conn.execute("update core.lead_identity set lead_id = ? where lead_id = ?", [survivor, retired])
        conn.execute("delete from core.golden_leads where lead_id = ?", [retired])

    run_dbt(["build"], warehouse, work_dir, as_of=as_of)
    model_path = Path("leadwerk", "models", "intermediate", "int_touchpoints_accumulated.sql")
    compiled_sql = (work_dir / "target" / "compiled" / model_path).read_text()
    executed_sql = (work_dir / "target" / "run" / model_path).read_text()
    incremental = _snapshot_tables(warehouse)

    run_dbt(["run", "--full-refresh"], warehouse, work_dir, as_of=as_of)
    full = _snapshot_tables(warehouse)
    return {
        "work_dir": work_dir, "warehouse": warehouse, "before": before, "added": added,
        "erased": erased, "retired": retired, "compiled_sql": compiled_sql, "executed_sql": executed_sql, "incremental": incremental, "full": full,
    }


def test_incremental_run_only_inserts_new_touchpoints(nightly):
    assert "already_accumulated" in nightly["compiled_sql"]  # the is_incremental() filter
    executed = " ".join(nightly["executed_sql"].lower().split())
    assert executed.startswith("delete from")  # delete+insert into the existing table
    assert "create table" not in executed


def test_incremental_run_adds_new_and_drops_erased_touchpoints(nightly):
    accumulated = nightly["incremental"]["intermediate.int_touchpoints_accumulated"]
    assert nightly["added"] >= 5
    assert accumulated.height == nightly["before"] + nightly["added"] - 1
    assert nightly["erased"] not in accumulated["touchpoint_id"].to_list()


@pytest.mark.parametrize("table", sorted(COMPARED_TABLES))
def test_incremental_run_equals_full_refresh(nightly, table):
    incremental, full = nightly["incremental"][table], nightly["full"][table]
    assert incremental.height > 0
    assert_frame_equal(incremental, full, check_exact=False, rel_tol=1e-9)


def test_docs_generate_writes_a_catalog_of_the_marts(nightly):
    run_dbt(["docs", "generate"], nightly["warehouse"], nightly["work_dir"], as_of="2025-06-30")
    catalog = json.loads((nightly["work_dir"] / "target" / "catalog.json").read_text())
    documented = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert {
        "mart_lead_scores", "mart_funnel", "mart_source_performance",
        "mart_contactability", "mart_score_calibration",
    } <= documented


def test_lead_retired_by_a_merge_keeps_no_stage_entries_or_score(nightly):
    retired = nightly["retired"]
    for table in ("intermediate.int_lead_stage_entries", "marts.mart_lead_scores"):
        assert nightly["incremental"][table].filter(pl.col("lead_id") == retired).height == 0
