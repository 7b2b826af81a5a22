"""Vectorized CSV reading that never loses a row.

Lines are grouped into records (a quoted field may span lines), each record's field count is
checked with a regex that drops quoted sections, and only records with the header's field count
go to Polars' CSV reader. Everything else is returned with its original text and a reason.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from ingest.raw.lines import DecodedLines
from ingest.raw.parsed import QUARANTINE_ROW_SCHEMA, ParsedFile

QUOTED_SECTION = r'"(?:[^"]|"")*"'


def _stray_quote_pattern(delimiter: str) -> str:
    """A quote with ordinary characters on both sides: neither opens nor closes a quoted field."""
    other = f"[^{re.escape(delimiter)}\"\\r\\n]"
    return f'({other})"({other})'


def group_records(lines: pl.DataFrame, delimiter: str) -> tuple[pl.DataFrame, bool]:
    """Records (record_no 0 = header) from lines; True when the last quote is never closed.

    Stray quotes (as in 24" Monitor) are left out when deciding whether a line continues a
    quoted field, so one of them cannot swallow the rest of the file; the record is flagged.
    """
    stray = _stray_quote_pattern(delimiter)
    quotes = pl.col("text").str.replace_all(stray, "$1$2").str.count_matches('"', literal=True)
    lines = lines.with_columns(
        open_after=((quotes % 2).cast(pl.Int64).cum_sum() % 2) == 1,
        stray_quote=pl.col("text").str.contains(stray),
    )
    unclosed = bool(lines["open_after"][-1])
    if not lines["open_after"].any():
        records = lines.select(
            record_no=pl.col("line_no") - 1, text="text", undecodable="undecodable",
            stray_quote="stray_quote",
        )
        return records, unclosed
    record_no = (~pl.col("open_after")).cast(pl.Int64).cum_sum().shift(1, fill_value=0)
    records = (
        lines.with_columns(record_no=record_no)
        .group_by("record_no", maintain_order=True)
        .agg(pl.col("text").str.join("\n"), pl.col("undecodable").any(), pl.col("stray_quote").any())
    )
    return records, unclosed


def parse_csv(decoded: DecodedLines, delimiter: str, header: list[str]) -> ParsedFile:
    """Rows with the header's field count, read as text; the rest as quarantine candidates."""
    records, unclosed = group_records(decoded.lines, delimiter)
    data = records.filter(pl.col("record_no") > 0).rename({"record_no": "source_row"})
    expected = len(header)
    last_row = data.height
    field_count = (
        pl.col("text").str.replace_all(QUOTED_SECTION, "").str.count_matches(delimiter, literal=True)
        + 1
    )
    data = data.with_columns(field_count=field_count)
    found = pl.col("field_count")
    truncated = (pl.col("source_row") == last_row) & (
        pl.lit(unclosed) | ((found < expected) & pl.lit(not decoded.ends_with_newline))
    )
    data = data.with_columns(
        reason=pl.when(pl.col("undecodable"))
        .then(pl.lit("undecodable_bytes"))
        .when(truncated)
        .then(pl.lit("truncated_row"))
        .when((found != expected) | pl.col("stray_quote"))
        .then(pl.lit("wrong_field_count"))
    )
    rejected = data.filter(pl.col("reason").is_not_null()).select(
        pl.col("source_row").cast(pl.Int64),
        raw_text="text",
        reason="reason",
        reason_detail=pl.when(pl.col("undecodable"))
        .then(pl.lit("bytes not valid in the file's encoding (shown as \\x escapes)"))
        .when((pl.col("reason") == "truncated_row") & pl.lit(unclosed))
        .then(pl.lit("quoted field not closed before end of file"))
        .when(pl.col("stray_quote") & (found == expected))
        .then(pl.lit("quote character inside an unquoted field"))
        .otherwise(pl.format("expected {} fields, found {}", pl.lit(expected), found)),
    )
    good = data.filter(pl.col("reason").is_null()).select(
        pl.col("source_row").cast(pl.Int64), raw_text="text"
    )
    rows = _read_records(good, delimiter, header)
    return ParsedFile(
        columns=header, rows=rows, rejected=rejected.cast(QUARANTINE_ROW_SCHEMA), rows_read=data.height
    )


def _read_records(good: pl.DataFrame, delimiter: str, header: list[str]) -> pl.DataFrame:
    schema = {key: pl.String for key in header}
    if good.height == 0:
        values = pl.DataFrame(schema=schema)
    else:
        payload = good["raw_text"].str.join("\n").item() + "\n"
        try:
            values = pl.read_csv(
                io.BytesIO(payload.encode("utf-8")),
                has_header=False,
                new_columns=header,
                separator=delimiter,
                quote_char='"',
                infer_schema=False,
                schema_overrides=schema,
            )
        except pl.exceptions.ComputeError:
            # Quoting Polars refuses although the field counts check out: the standard library
            # reader takes these rows one by one (rare; never on the common path).
            values = _read_records_slowly(good["raw_text"], delimiter, header)
        if values.height != good.height:
            raise RuntimeError(
                f"CSV reader returned {values.height} rows for {good.height} checked records"
            )
    return pl.concat([good, values], how="horizontal")


def _read_records_slowly(texts: pl.Series, delimiter: str, header: list[str]) -> pl.DataFrame:
    rows = [next(csv.reader([text], delimiter=delimiter), []) for text in texts.to_list()]
    if any(len(row) != len(header) for row in rows):
        raise RuntimeError("CSV records changed their field count between checking and reading")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    return pl.DataFrame(
        {key: pl.Series(values, dtype=pl.String) for key, values in zip(header, columns, strict=True)}
    ).with_columns(pl.all().replace("", None))
