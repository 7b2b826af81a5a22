"""`dbt source freshness` judges core.lead_records by when its newest landing file was loaded."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from dbt_cli import run_dbt


def _freshness(built_warehouse, tmp_path, hours_since_last_load: int) -> dict:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        # ingested_at is naive UTC, like every lineage timestamp.
        conn.execute("update core.lead_records set ingested_at = "
                     "(now() at time zone 'UTC') - to_hours(?) - to_days(cast(hash(record_id) % 30 as integer))",
                     [hours_since_last_load])
    try:
        run_dbt(["source", "freshness", "--select", "source:core"], warehouse, tmp_path,
                as_of=built_warehouse.truth.as_of.isoformat())
    except AssertionError:
        pass  # a stale source exits non-zero; the status is in sources.json either way
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    return {r["unique_id"].removeprefix("source.leadwerk."): r["status"] for r in results}


@pytest.mark.parametrize(("hours", "status"), [(2, "pass"), (48, "warn"), (96, "error")])
def test_lead_records_freshness_follows_the_last_load(built_warehouse, tmp_path, hours, status):
    assert _freshness(built_warehouse, tmp_path, hours) == {"core.lead_records": status}
