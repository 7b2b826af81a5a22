"""Vectorized CSV reading that never loses a row.

Lines are grouped into records (a quoted field may span lines), each record's field count is
checked with a regex that drops quoted sections, and only records with the header's field count
go to Polars' CSV reader. Everything else is returned with its original text and a reason.

A quote that opens a field and never closes it properly (a stray quote on row 2 of a file)
must not fold the rest of the file into one record: a record spanning several lines is kept
only when it closes within max_record_lines lines with the header's field count; otherwise
its first line is quarantined on its own and reading resumes on the next line.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from ingest.raw.limits import limits
from ingest.raw.lines import DecodedLines
from ingest.raw.parsed import QUARANTINE_ROW_SCHEMA, RESERVED_COLUMNS, ParsedFile, split_long_fields

QUOTED_SECTION = r'"(?:[^"]|"")*"'
_QUOTED_SECTION = re.compile(QUOTED_SECTION)


def _stray_quote_pattern(delimiter: str) -> str:
    """A quote with ordinary characters on both sides: neither opens nor closes a quoted field."""
    other = f"[^{re.escape(delimiter)}\"\\r\\n]"
    return f'({other})"({other})'


def source_keys(header: list[str]) -> list[str]:
    """Header keys, with names of the parser's own columns renamed (`raw_text` -> `raw_text#src`).

    A vendor column called `raw_text` or `source_file` is data like any other: renamed, its
    values reach extra_fields instead of colliding with the lineage columns.
    """
    taken = set(header)
    keys = []
    for key in header:
        if key in RESERVED_COLUMNS:
            renamed, n = f"{key}#src", 2
            while renamed in taken:
                renamed, n = f"{key}#src{n}", n + 1
            taken.add(renamed)
            key = renamed
        keys.append(key)
    return keys


def _field_count(text: str, delimiter: str) -> int:
    return _QUOTED_SECTION.sub("", text).count(delimiter) + 1


def _resync(
    texts: list[str], quotes: list[int], delimiter: str, expected: int, ends_with_newline: bool
) -> tuple[list[int], list[str | None]]:
    """Record number (0-based) per line and a forced reason per record, one line at a time.

    Used from the first multi-line record that does not check out; each line is visited a
    bounded number of times (at most max_record_lines), so hostile files stay linear.
    """
    max_lines = limits().max_record_lines
    n = len(texts)
    record_of: list[int] = []
    forced: list[str | None] = []
    i = 0
    while i < n:
        if quotes[i] % 2 == 0:
            record_of.append(len(forced))
            forced.append(None)
            i += 1
            continue
        j = i + 1
        while j < n and quotes[j] % 2 == 0 and j - i + 1 < max_lines:
            j += 1
        closes = j < n and quotes[j] % 2 == 1
        if closes and _field_count("\n".join(texts[i:j + 1]), delimiter) == expected:
            record_of.extend([len(forced)] * (j - i + 1))
            forced.append(None)
            i = j + 1
            continue
        cut_off = not closes and j >= n and not ends_with_newline
        if cut_off and not _records_follow(texts[i + 1:], quotes[i + 1:], delimiter, expected):
            # A quoted field cut off by the end of a truncated file (not records swallowed by a
            # stray quote): the remaining lines are its text, quarantined together as one record.
            record_of.extend([len(forced)] * (n - i))
            forced.append(None)
            break
        record_of.append(len(forced))
        forced.append("unbalanced_quote")
        i += 1
    return record_of, forced


def _records_follow(texts: list[str], quotes: list[int], delimiter: str, expected: int) -> bool:
    """Whether any of the lines is a record of its own (even quotes, the header's field count)."""
    return any(q % 2 == 0 and _field_count(t, delimiter) == expected for t, q in zip(texts, quotes))


def group_records(
    lines: pl.DataFrame, delimiter: str, expected: int, ends_with_newline: bool = True
) -> pl.DataFrame:
    """Data records (source_row from 1) of the lines after the header line.

    Columns: source_row, text, undecodable, too_long, stray_quote, forced (reason or NULL),
    unclosed (the record's last quote never closes). Stray quotes (as in 24" Monitor) are left
    out when deciding whether a line continues a quoted field; the record is flagged.
    """
    stray = _stray_quote_pattern(delimiter)
    data = lines.filter(pl.col("line_no") > 1).with_columns(
        quotes=pl.when(pl.col("too_long"))
        .then(0)
        .otherwise(pl.col("text").str.replace_all(stray, "$1$2").str.count_matches('"', literal=True))
        .cast(pl.Int64),
        stray_quote=pl.col("text").str.contains(stray),
    )
    data = data.with_columns(open_after=((pl.col("quotes") % 2).cum_sum() % 2) == 1)
    record_no = (~pl.col("open_after")).cast(pl.Int64).cum_sum().shift(1, fill_value=0)
    data = data.with_columns(record_no=record_no, forced=pl.lit(None, pl.String))
    first_bad = _first_bad_line(data, delimiter, expected)
    if first_bad is not None:
        head, tail = data.filter(pl.col("line_no") < first_bad), data.filter(pl.col("line_no") >= first_bad)
        record_of, forced = _resync(
            tail["text"].to_list(), tail["quotes"].to_list(), delimiter, expected, ends_with_newline
        )
        offset = int(head["record_no"].max()) + 1 if head.height else 0
        tail = tail.with_columns(
            record_no=pl.Series(record_of, dtype=pl.Int64) + offset,
            forced=pl.Series(forced, dtype=pl.String).gather(record_of),
        )
        data = pl.concat([head, tail])
    elif not data["open_after"].any():  # the common case: one line per record
        return data.select(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row"),
            "text", "undecodable", "too_long", "stray_quote", "forced", unclosed=pl.lit(False),
        )
    return (
        data.group_by("record_no", maintain_order=True)
        .agg(
            pl.col("text").str.join("\n"),
            pl.col("undecodable").any(),
            pl.col("too_long").any(),
            pl.col("stray_quote").any(),
            pl.col("forced").first(),
            unclosed=(pl.col("quotes").sum() % 2) == 1,
        )
        .select(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row"), pl.exclude("record_no"))
    )


def _first_bad_line(data: pl.DataFrame, delimiter: str, expected: int) -> int | None:
    """First line of the first multi-line record that is too long, unclosed or miscounted."""
    if not data["open_after"].any():
        return None
    spans = (
        data.group_by("record_no", maintain_order=True)
        .agg(
            first_line=pl.col("line_no").first(),
            lines=pl.len(),
            text=pl.col("text").str.join("\n"),
            unclosed=(pl.col("quotes").sum() % 2) == 1,
        )
        .filter(pl.col("lines") > 1)
    )
    fields = pl.col("text").str.replace_all(QUOTED_SECTION, "").str.count_matches(delimiter, literal=True) + 1
    bad = spans.filter(
        (pl.col("lines") > limits().max_record_lines) | pl.col("unclosed") | (fields != expected)
    )
    return int(bad["first_line"][0]) if bad.height else None


FOOTER_DETAIL = (
    "{} lines after the data are the report tool's footer (totals, copyright, confidentiality "
    "notice), not rows; their text is kept here"
)


def _split_footer(
    data: pl.DataFrame, footer: tuple[str, ...], expected: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The data records without a trailing report footer, and the footer as one file-level note.

    The footer is the longest run of records at the end of the file that are blank or one
    field each and hold at least one line matching a `footer` pattern of the contract. A record
    with the header's field count ends the run, so no data row is ever taken for footer.
    """
    none = pl.DataFrame(schema=QUARANTINE_ROW_SCHEMA)
    if not footer or expected < 2 or data.height == 0:
        return data, none
    single = (pl.col("field_count") == 1) & ~pl.col("undecodable") & ~pl.col("too_long")
    tail_flags = data.select(single.alias("s"))["s"].reverse()
    run = int(tail_flags.arg_min()) if not tail_flags.all() else data.height
    if run == 0:
        return data, none
    tail = data.tail(run)
    text = tail["text"].str.strip_chars().str.strip_chars('"').str.strip_chars()
    marker = "|".join(f"(?:{p})" for p in footer)
    if not text.str.contains(f"(?i){marker}").any():
        return data, none
    note = pl.DataFrame(
        {"source_row": [0], "raw_text": ["\n".join(tail["text"].to_list())],
         "reason": ["report_footer"], "reason_detail": [FOOTER_DETAIL.format(run)]},
        schema=QUARANTINE_ROW_SCHEMA,
    )
    return data.head(data.height - run), note


def parse_csv(
    decoded: DecodedLines, delimiter: str, header: list[str], footer: tuple[str, ...] = ()
) -> ParsedFile:
    """Rows with the header's field count, read as text; the rest as quarantine candidates.

    The returned columns are the header keys as the rows name them (see source_keys). A report
    footer the contract describes (`footer`) is not read as rows: it comes back as one
    file-level note (source_row 0, reason `report_footer`).
    """
    keys = source_keys(header)
    expected = len(keys)
    data = group_records(decoded.lines, delimiter, expected, decoded.ends_with_newline)
    field_count = (
        pl.col("text").str.replace_all(QUOTED_SECTION, "").str.count_matches(delimiter, literal=True)
        + 1
    )
    data = data.with_columns(field_count=field_count)
    data, footer_note = _split_footer(data, footer, expected)
    last_row = data.height
    found = pl.col("field_count")
    truncated = (pl.col("source_row") == last_row) & (
        pl.col("unclosed") | ((found < expected) & pl.lit(not decoded.ends_with_newline))
    )
    data = data.with_columns(
        reason=pl.when(pl.col("undecodable"))
        .then(pl.lit("undecodable_bytes"))
        .when(pl.col("too_long"))
        .then(pl.lit("line_too_long"))
        .when(pl.col("forced").is_not_null())
        .then(pl.col("forced"))
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
        .when(pl.col("too_long"))
        .then(pl.lit(f"a line longer than {limits().max_line_chars} characters (max_line_chars)"))
        .when(pl.col("reason") == "unbalanced_quote")
        .then(pl.lit(
            f"a quote opened on this line does not close into a record of {expected} fields within "
            f"{limits().max_record_lines} lines; reading resumed on the next line"
        ))
        .when((pl.col("reason") == "truncated_row") & pl.col("unclosed"))
        .then(pl.lit("quoted field not closed before end of file"))
        .when(pl.col("stray_quote") & (found == expected))
        .then(pl.lit("quote character inside an unquoted field"))
        .otherwise(pl.format("expected {} fields, found {}", pl.lit(expected), found)),
    )
    good = data.filter(pl.col("reason").is_null()).select(
        pl.col("source_row").cast(pl.Int64), raw_text="text"
    )
    rows, too_long = split_long_fields(_read_records(good, delimiter, keys), keys)
    return ParsedFile(
        columns=keys,
        rows=rows,
        rejected=pl.concat([footer_note, rejected.cast(QUARANTINE_ROW_SCHEMA), too_long]).sort("source_row"),
        rows_read=data.height,
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
