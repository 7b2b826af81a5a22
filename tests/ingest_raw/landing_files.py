"""Helpers for tests that build landing files by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl


def put(landing: Path, relative: str, data: bytes) -> Path:
    """Drop a file into the landing folder as a vendor or CRM would."""
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def rows_of(conn: duckdb.DuckDBPyConnection, table: str, source_file: str) -> pl.DataFrame:
    return conn.execute(
        f"select * from {table} where source_file = ? order by source_row", [source_file]
    ).pl()


def registry_of(conn: duckdb.DuckDBPyConnection, source_file: str) -> pl.DataFrame:
    return conn.execute(
        "select * from audit.file_registry where source_file = ? order by ingested_at", [source_file]
    ).pl()
