"""marts.mart_privacy_notices (Art. 14), built by dbt on the dbt suite's realistic core warehouse."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.privacy.notices import record_notice
from ingest.privacy.tables import prepare_privacy_schema

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"


def _dbt_fixture():
    """The dbt suite's realistic core warehouse builder (tests/dbt/fixture_warehouse.py)."""
    name = "privacy_dbt_fixture_warehouse"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "tests/dbt/fixture_warehouse.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _dbt(args: list[str], warehouse: Path, work: Path, as_of: str) -> None:
    result = subprocess.run(
        [str(DBT), *args, "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(REPO / "dbt_project"),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--vars", json.dumps({"as_of": as_of})],
        env={**os.environ, "LEADWERK_WAREHOUSE": str(warehouse)}, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.fixture(scope="module")
def mart(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    work = tmp_path_factory.mktemp("privacy_dbt")
    warehouse = work / "warehouse.duckdb"
    as_of = _dbt_fixture().build_fixture_warehouse(warehouse).as_of
    with duckdb.connect(str(warehouse)) as conn:
        prepare_privacy_schema(conn)
        purchases = conn.execute(
            "select i.lead_id, min(r.ingested_at) from core.lead_records r join core.lead_identity i using (record_id) "
            "where r.source_kind = 'purchased_list' group by 1 order by 1 limit 2").fetchall()
        (on_time, first_on_time), (late, first_late) = purchases
        record_notice(conn, [on_time], first_on_time + timedelta(days=3), "email")
        record_notice(conn, [late], first_late + timedelta(days=200), "postal")
    _dbt(["run", "--select", "+mart_privacy_notices"], warehouse, work, as_of.isoformat())
    _dbt(["test", "--select", "mart_privacy_notices"], warehouse, work, as_of.isoformat())
    conn = duckdb.connect(str(warehouse), read_only=True)
    conn.execute("create temp table _named as select ? as on_time, ? as late", [on_time, late])
    yield conn
    conn.close()


def test_every_lead_with_a_purchased_record_is_listed_once(mart: duckdb.DuckDBPyConnection) -> None:
    expected = mart.execute(
        "select count(distinct i.lead_id) from core.lead_records r join core.lead_identity i using (record_id) "
        "where r.source_kind = 'purchased_list'").fetchone()[0]
    assert mart.execute("select count(*), count(distinct lead_id) from marts.mart_privacy_notices").fetchone() == (expected, expected)


def test_a_lead_informed_in_time_is_neither_overdue_nor_late(mart: duckdb.DuckDBPyConnection) -> None:
    row = mart.execute("select is_notified, is_overdue, is_notified_late from marts.mart_privacy_notices "
                       "where lead_id = (select on_time from _named)").fetchone()
    assert row == (True, False, False)


def test_a_lead_informed_after_the_deadline_is_flagged_late(mart: duckdb.DuckDBPyConnection) -> None:
    row = mart.execute("select is_overdue, is_notified_late from marts.mart_privacy_notices "
                       "where lead_id = (select late from _named)").fetchone()
    assert row == (False, True)


def test_uninformed_leads_past_their_deadline_are_overdue(mart: duckdb.DuckDBPyConnection) -> None:
    wrong = mart.execute(
        "select count(*) from marts.mart_privacy_notices where is_overdue != "
        "(not is_notified and notice_due_at < cast(? as timestamp))", [_dbt_fixture().AS_OF]).fetchone()[0]
    assert wrong == 0
    assert mart.execute("select count(*) from marts.mart_privacy_notices where is_overdue").fetchone()[0] > 0


def test_the_deadline_is_a_month_after_purchase_or_the_first_contact_if_earlier(mart: duckdb.DuckDBPyConnection) -> None:
    wrong = mart.execute(
        "select count(*) from marts.mart_privacy_notices where notice_due_at != "
        "least(first_purchased_at + interval 1 month, coalesce(first_contact_at, first_purchased_at + interval 1 month))"
    ).fetchone()[0]
    assert wrong == 0
    assert mart.execute("select count(*) from marts.mart_privacy_notices "
                        "where first_contact_at < first_purchased_at + interval 1 month").fetchone()[0] > 0
