"""Physical erasure: after compaction the erased address is not in the file's bytes at all."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.privacy import erase_person
from ingest.privacy.compaction import compact_warehouse
from privacy.conftest import ANNA, BERND, SALT
from privacy.privacy_warehouse import build_warehouse


def _build(path: Path) -> None:
    with duckdb.connect(str(path)) as conn:
        build_warehouse(conn, ANNA + BERND)
        erase_person(conn, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)


def _relations(path: Path) -> list[tuple]:
    """(schema, name, rows) of every table and view."""
    with duckdb.connect(str(path), read_only=True) as conn:
        names = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by all").fetchall()
        return [(s, t, conn.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]) for s, t in names]


def test_deleted_rows_stay_in_the_file_until_it_is_compacted(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    _build(path)
    assert b"anna.schmidt" in path.read_bytes().lower()  # why compaction exists
    compact_warehouse(path)
    assert b"anna.schmidt" not in path.read_bytes().lower()


def test_compaction_keeps_every_table_view_and_row(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    _build(path)
    before = _relations(path)
    compact_warehouse(path)
    assert _relations(path) == before
    with duckdb.connect(str(path), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.v_golden_contacts").fetchone()[0] == 1


def test_compacted_warehouse_keeps_the_warehouse_storage_format(tmp_path: Path, storage_version) -> None:
    path = tmp_path / "warehouse.duckdb"
    _build(path)
    compact_warehouse(path)
    assert storage_version(path) == "v1.4.0+"
