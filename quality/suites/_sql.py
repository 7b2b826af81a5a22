"""Small SQL helpers shared by the suite builders."""

from __future__ import annotations

import duckdb


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def existing_tables(conn: duckdb.DuckDBPyConnection, names: list[str]) -> list[str]:
    """The subset of schema-qualified `names` that exist, in the given order."""
    rows = conn.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    present = {r[0] for r in rows}
    return [n for n in names if n in present]
