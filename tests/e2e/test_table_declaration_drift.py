"""The warehouse a real run leaves has exactly the tables and columns ingest/tables.py declares."""

import shutil

import duckdb
import pytest

from ingest.privacy import erase_person
from ingest.tables import FILE_ERASURES, LEAD_RECORDS, TABLES, drift

pytestmark = pytest.mark.slow

# Written by the first erasure or retention purge, not by a nightly run.
CREATED_BY_PRIVACY_WORK = {FILE_ERASURES}


def test_a_real_run_leaves_no_drift_from_the_declaration(demo_warehouse):
    with demo_warehouse.connect() as conn:
        found = drift(conn)
        present = {r[0] for r in conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()}
    assert [str(d) for d in found] == []
    assert set(TABLES) - present == CREATED_BY_PRIVACY_WORK


def test_declared_keys_hold_on_a_real_run(demo_warehouse):
    broken = {}
    with demo_warehouse.connect() as conn:
        for name, declared in TABLES.items():
            if not declared.primary_key or name in CREATED_BY_PRIVACY_WORK:
                continue
            key = ", ".join(f'"{c}"' for c in declared.primary_key)
            duplicated, empty = conn.execute(
                f"select (select count(*) from (select {key} from {name} group by all having count(*) > 1)), "
                f"(select count(*) from {name} where "
                + " or ".join(f'"{c}" is null' for c in declared.primary_key) + ")"
            ).fetchone()
            if duplicated or empty:
                broken[name] = (duplicated, empty)
    assert broken == {}


def test_after_an_erasure_every_declared_table_is_there_without_drift(demo_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        email = conn.execute(
            f"select email from {LEAD_RECORDS} where email is not null and email_valid "
            "order by record_id limit 1"
        ).fetchone()[0]
        erase_person(conn, email=email, reason_code="art17_request", ticket="T-1", salt="drift-test-salt")
        assert [str(d) for d in drift(conn, missing_ok=False)] == []
