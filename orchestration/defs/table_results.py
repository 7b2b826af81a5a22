"""Materialization results for assets that are warehouse tables: row counts plus run metadata."""

from collections.abc import Iterable, Iterator, Mapping

import dagster as dg
import duckdb

from ingest.warehouse import table_exists


def row_count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(conn.execute(f"select count(*) from {table}").fetchone()[0]) if table_exists(conn, table) else 0


def table_results(
    conn: duckdb.DuckDBPyConnection,
    keys: Iterable[dg.AssetKey],
    metadata: Mapping[str, Mapping[str, object]] | None = None,
) -> Iterator[dg.MaterializeResult]:
    """One result per table asset (key = schema/table), with its row count and extra metadata."""
    for key in keys:
        table = ".".join(key.path)
        extra = (metadata or {}).get(table, {})
        yield dg.MaterializeResult(
            asset_key=key, metadata={**extra, "dagster/row_count": row_count(conn, table)}
        )
