"""Small canonical frames for dedup specs: only the columns a test names, the rest absent."""

from __future__ import annotations

import polars as pl


def records(*rows: dict) -> pl.DataFrame:
    """A frame of canonical lead records; ids default to r1, r2, ... in order."""
    filled = [{"record_id": f"r{i}", **row} for i, row in enumerate(rows, start=1)]
    columns = sorted({key for row in filled for key in row})
    return pl.DataFrame([{c: row.get(c) for c in columns} for row in filled], infer_schema_length=None)


def cluster_of(result, record_id: str) -> str:
    return result.clusters.filter(pl.col("record_id") == record_id)["cluster_id"].item()
