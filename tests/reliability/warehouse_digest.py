"""What a warehouse holds, independent of when it was built: for comparing runs."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Columns that carry wall-clock time or run ids, which legitimately differ between two runs
# (row_hash: dedup's hash of a whole lead record, ingestion time included).
VOLATILE_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE")
VOLATILE_NAMES = {"batch_id", "run_id", "event_id", "dbt_scd_id", "scored_at", "scored_on", "row_hash"}


def table_digests(path: Path, schemas: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of the stable columns) for every table of `schemas`."""
    digests: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema in (select unnest(?))",
            [list(schemas)],
        ).fetchall()
        for schema, table in tables:
            columns = [
                name for name, kind in conn.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if kind not in VOLATILE_TYPES and name not in VOLATILE_NAMES
            ]
            row = ", ".join(f'"{c}"' for c in columns) or "1"
            count, digest = conn.execute(
                f'select count(*), coalesce(bit_xor(hash(({row}))), 0) from "{schema}"."{table}"'
            ).fetchone()
            digests[f"{schema}.{table}"] = (int(count), int(digest))
    return digests
