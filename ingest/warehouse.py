"""The one way Leadwerk code writes Polars frames into the DuckDB warehouse.

Every stage (ingestion, normalization, dedup, privacy) goes through these helpers so that
schemas are created on demand and table replacements happen inside one transaction: a reader
or a crashed run never sees a half-written table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb
import polars as pl
import pyarrow as pa

# The warehouse file is opened only by Leadwerk's own DuckDB (>= 1.5; BI tools read the
# published copies), so it uses the newer storage format, which writes a nightly run's tables
# faster than the DuckDB 1.0-compatible default; the serving files keep that one for BI drivers.
WAREHOUSE_STORAGE_VERSION = "v1.4.0"
WAREHOUSE_CONFIG = {"storage_compatibility_version": WAREHOUSE_STORAGE_VERSION}

# DuckDB scans an Arrow table one record batch per thread; a frame handed over as one batch
# is written by one core. Batches of a DuckDB row group's size keep both cores busy.
_ARROW_BATCH_ROWS = 122_880


def ensure_schema(conn: duckdb.DuckDBPyConnection, schema: str) -> None:
    conn.execute(f'create schema if not exists "{schema}"')


def table_exists(conn: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, table = qualified_name.split(".", 1)
    row = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def table_columns(conn: duckdb.DuckDBPyConnection, qualified_name: str) -> list[str]:
    """The table's column names, in table order (empty when it does not exist)."""
    schema, table = qualified_name.split(".", 1)
    rows = conn.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


@contextmanager
def registered(conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame | pa.Table) -> Iterator[None]:
    """The frame visible to SQL as `name` while the block runs."""
    conn.register(name, frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame)
    try:
        yield
    finally:
        conn.unregister(name)


@contextmanager
def deferred_checkpoint(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep many small commits in the write-ahead log and compress them into the file once.

    Each commit stays durable (the log is synced), but DuckDB's default 16 MiB threshold would
    checkpoint again and again while a bulk load runs, rewriting the same row groups; one
    checkpoint at the end halves the load time of a nightly ingestion.
    """
    conn.execute("set checkpoint_threshold = '8GB'")
    try:
        yield
    finally:
        conn.execute("reset checkpoint_threshold")
    conn.execute("checkpoint")


def _as_arrow(frame: pl.DataFrame) -> pa.Table:
    """The frame as Arrow record batches DuckDB can load in parallel."""
    table = frame.to_arrow()
    return pa.Table.from_batches(table.to_batches(max_chunksize=_ARROW_BATCH_ROWS), schema=table.schema)


def replace_table(conn: duckdb.DuckDBPyConnection, qualified_name: str, frame: pl.DataFrame) -> int:
    """Replace a table with the frame's rows, atomically. Returns the row count."""
    return replace_tables(conn, {qualified_name: frame})[qualified_name]


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything written inside commits together or not at all."""
    conn.execute("begin transaction")
    try:
        yield
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def overwrite_table(conn: duckdb.DuckDBPyConnection, qualified_name: str, frame: pl.DataFrame) -> int:
    """Create or replace a table with the frame's rows, in the caller's transaction."""
    ensure_schema(conn, qualified_name.split(".", 1)[0])
    with registered(conn, "_leadwerk_incoming", _as_arrow(frame)):
        conn.execute(f"create or replace table {qualified_name} as select * from _leadwerk_incoming")
    return frame.height


def replace_tables(
    conn: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame]
) -> dict[str, int]:
    """Replace several tables in one transaction, so they always change together."""
    with transaction(conn):
        return {name: overwrite_table(conn, name, frame) for name, frame in frames.items()}


def append_rows(conn: duckdb.DuckDBPyConnection, qualified_name: str, frame: pl.DataFrame) -> int:
    """Append rows; the table is created from the frame's schema the first time.

    Columns are matched by name, so a frame may carry its columns in any order; a column the
    table lacks is added (raw tables grow when a contract maps a new field).
    """
    if frame.height == 0 and table_exists(conn, qualified_name):
        return 0
    ensure_schema(conn, qualified_name.split(".", 1)[0])
    with registered(conn, "_leadwerk_incoming", _as_arrow(frame)):
        if not table_exists(conn, qualified_name):
            conn.execute(f"create table {qualified_name} as select * from _leadwerk_incoming")
            return frame.height
        existing = set(table_columns(conn, qualified_name))
        for name, dtype in zip(frame.columns, frame.dtypes, strict=True):
            if name not in existing:
                sql_type = conn.execute(
                    f'select typeof("{name}") from _leadwerk_incoming limit 1'
                ).fetchone()
                column_type = sql_type[0] if sql_type else "VARCHAR"
                if dtype == pl.Null or column_type == '"NULL"':
                    column_type = "VARCHAR"
                conn.execute(f'alter table {qualified_name} add column "{name}" {column_type}')
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        conn.execute(
            f"insert into {qualified_name} ({columns}) select {columns} from _leadwerk_incoming"
        )
        return frame.height


def read_table(conn: duckdb.DuckDBPyConnection, qualified_name: str) -> pl.DataFrame:
    return conn.sql(f"select * from {qualified_name}").pl()
