"""Compare served data by content: DuckDB files are not byte-for-byte reproducible across runs."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.publishing import layout


def table_digests(database: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent row hash for every table of a DuckDB file."""
    with duckdb.connect(str(database), read_only=True) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() ORDER BY 1, 2"
        ).fetchall()
        return {
            f"{schema}.{table}": tuple(
                conn.execute(f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{schema}"."{table}" t').fetchone()
            )
            for schema, table in tables
        }


def parquet_digests(serving_dir: Path) -> dict[str, tuple[int, int]]:
    """The same digest for every Parquet file the `parquet` link currently points at."""
    root = Path(os.path.realpath(serving_dir / layout.PARQUET_LINK))
    with duckdb.connect() as conn:
        return {
            path.relative_to(root).as_posix(): tuple(
                conn.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM read_parquet('{path}') t").fetchone()
            )
            for path in sorted(root.rglob("*.parquet"))
        }


def serving_contents(serving_dir: Path) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        layout.SERVING_FILE: table_digests(serving_dir / layout.SERVING_FILE),
        layout.BI_SERVING_FILE: table_digests(serving_dir / layout.BI_SERVING_FILE),
        "parquet": parquet_digests(serving_dir),
    }
