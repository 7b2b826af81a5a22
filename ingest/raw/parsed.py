"""What a parser hands back: the rows it could read and the ones it had to reject."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingest.raw.limits import limits
from ingest.raw.tables import LINEAGE_SCHEMA
from ingest.tables import QUARANTINE_ROWS, table

QUARANTINE_ROW_SCHEMA = table(QUARANTINE_ROWS).polars_schema(["source_row", "raw_text", "reason", "reason_detail"])

# Column names the parsers and the raw tables use themselves; a source column of the same
# name is renamed so its value cannot overwrite (or collide with) lineage.
RESERVED_COLUMNS = frozenset(LINEAGE_SCHEMA) | frozenset(QUARANTINE_ROW_SCHEMA) | {"missing_required"}


@dataclass(frozen=True)
class ParsedFile:
    columns: list[str]  # source column keys found in the file (CSV header keys or JSON paths)
    rows: pl.DataFrame  # source_row, raw_text, one String column per source column key
    rejected: pl.DataFrame  # QUARANTINE_ROW_SCHEMA
    rows_read: int


def empty_rejected() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_ROW_SCHEMA)


def split_long_fields(rows: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows whose values all fit max_field_chars, and the others as `field_too_long` rejects."""
    limit = limits().max_field_chars
    text_columns = [c for c in columns if c in rows.columns and rows.schema[c] == pl.String]
    # No value is longer than the record's own text: only long records need a closer look.
    if rows.height == 0 or not text_columns or rows["raw_text"].str.len_bytes().max() <= limit:
        return rows, empty_rejected()
    over = [pl.when(pl.col(c).str.len_chars() > limit).then(pl.lit(c)) for c in text_columns]
    flagged = rows.with_columns(_too_long=pl.concat_str(over, separator=", ", ignore_nulls=True))
    bad = pl.col("_too_long").is_not_null() & (pl.col("_too_long") != "")
    rejected = flagged.filter(bad).select(
        "source_row",
        "raw_text",
        reason=pl.lit("field_too_long"),
        reason_detail=pl.format(f"longer than {limit} characters (max_field_chars): {{}}", "_too_long"),
    )
    return flagged.filter(~bad).drop("_too_long"), rejected.cast(QUARANTINE_ROW_SCHEMA)
