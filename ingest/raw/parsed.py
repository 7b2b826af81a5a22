"""What a parser hands back: the rows it could read and the ones it had to reject."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

QUARANTINE_ROW_SCHEMA = {
    "source_row": pl.Int64,
    "raw_text": pl.String,
    "reason": pl.String,
    "reason_detail": pl.String,
}


@dataclass(frozen=True)
class ParsedFile:
    columns: list[str]  # source column keys found in the file (CSV header keys or JSON paths)
    rows: pl.DataFrame  # source_row, raw_text, one String column per source column key
    rejected: pl.DataFrame  # QUARANTINE_ROW_SCHEMA
    rows_read: int


def empty_rejected() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_ROW_SCHEMA)
