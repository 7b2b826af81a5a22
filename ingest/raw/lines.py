"""Split a landing file into text lines, flagging lines whose bytes do not decode.

Decoding happens once for the whole file; only when that fails are the affected lines
looked at one by one, so clean files never pay for a per-line check.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingest.raw.limits import limits
from ingest.raw.sniff import strip_bom

REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class DecodedLines:
    lines: pl.DataFrame  # line_no (1-based), text (no line break), undecodable, too_long (bool)
    ends_with_newline: bool


def decode_lines(data: bytes, encoding: str) -> DecodedLines:
    """Lines of the file in its encoding; undecodable lines keep their bytes as \\xNN escapes."""
    data = strip_bom(data)
    codec = "utf-8" if encoding.lower().replace("_", "-") == "utf-8-sig" else encoding
    try:
        text = data.decode(codec)
        strict = True
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        strict = False
    ends_with_newline = text.endswith("\n")
    if ends_with_newline:
        text = text[:-1]
    lines = (
        pl.DataFrame({"text": [text]})
        .select(pl.col("text").str.split("\n"))
        .explode("text")
        .with_row_index("line_no", offset=1)
        .with_columns(
            pl.col("line_no").cast(pl.Int64),
            pl.col("text").str.strip_suffix("\r"),
            undecodable=pl.lit(False),
        )
    )
    if not strict:
        lines = _mark_undecodable(lines, data, codec)
    return DecodedLines(lines=_mark_too_long(lines), ends_with_newline=ends_with_newline)


def _mark_too_long(lines: pl.DataFrame) -> pl.DataFrame:
    """Flag lines beyond max_line_chars and keep only their start, so no parser sees them whole."""
    limit = limits()
    # A line has at least as many bytes as characters: only lines long in bytes are measured.
    if lines["text"].str.len_bytes().max() <= limit.max_line_chars:
        return lines.with_columns(too_long=pl.lit(False))
    too_long = pl.col("text").str.len_chars() > limit.max_line_chars
    return lines.with_columns(
        text=pl.when(too_long)
        .then(pl.col("text").str.slice(0, limit.max_quarantined_chars))
        .otherwise(pl.col("text")),
        too_long=too_long,
    )


def _mark_undecodable(lines: pl.DataFrame, data: bytes, codec: str) -> pl.DataFrame:
    suspects = lines.filter(pl.col("text").str.contains(REPLACEMENT, literal=True))["line_no"]
    if suspects.len() == 0:
        return lines
    raw_lines = data.split(b"\n")
    bad_no: list[int] = []
    bad_text: list[str] = []
    for line_no in suspects.to_list():  # only the lines that failed to decode
        raw = raw_lines[line_no - 1].removesuffix(b"\r")
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            bad_no.append(line_no)
            bad_text.append(raw.decode(codec, errors="backslashreplace"))
    bad = pl.DataFrame(
        {"line_no": bad_no, "bad_text": bad_text}, schema={"line_no": pl.Int64, "bad_text": pl.String}
    )
    return (
        lines.join(bad, on="line_no", how="left", maintain_order="left")
        .with_columns(
            text=pl.coalesce("bad_text", "text"),
            undecodable=pl.col("bad_text").is_not_null(),
        )
        .drop("bad_text")
    )
