"""Dedupe any CSV file with the warehouse engine, so it can be judged on outside data.

Columns are mapped onto canonical fields (same-named columns map themselves; `mapping` adds or
overrides), normalized by ingest.normalize where available, matched, and written out as
record_id,cluster_id.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.engine import match_records

CANONICAL_FIELDS = (
    "salutation", "academic_title", "first_name", "last_name", "email", "phone", "mobile_phone",
    "company", "job_title", "street", "house_number", "postcode", "city", "country", "birth_date",
    "crm_id",
)


@dataclass(frozen=True)
class DedupeSummary:
    records: int
    clusters: int
    multi_record_clusters: int
    largest_cluster: int
    review_pairs: int
    mapped_fields: tuple[str, ...]
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


# Cells starting with these are run as formulas by spreadsheet programs (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells starting with a formula trigger get a leading single quote, as OWASP recommends.

    The input CSV is the user's, so ids and values may hold `=HYPERLINK(...)`; the quote makes
    Excel, LibreOffice and Google Sheets show the text instead of running it. Number columns
    are left alone (a negative number is no formula).
    """
    pattern = "^[" + "".join("\\" + c if c in "-" else c for c in FORMULA_TRIGGERS) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(pattern)).then("'" + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            raise ValueError("the input file is not readable text (no encoding fits)") from None
        return str(best)


def read_any_csv(path: Path | str) -> pl.DataFrame:
    """All columns as text; encoding and delimiter are detected, not assumed."""
    text = _decode(Path(path).read_bytes())
    if not text.strip():
        raise ValueError(f"{path} is empty")
    try:
        delimiter = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return pl.read_csv(io.StringIO(text), separator=delimiter, infer_schema=False)


def _blank_as_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.strip_chars() != "").then(expr)


def map_columns(frame: pl.DataFrame, id_column: str, mapping: dict[str, str] | None) -> pl.DataFrame:
    """record_id plus the canonical fields found; unknown canonical names are an error."""
    if id_column not in frame.columns:
        raise ValueError(f"id column {id_column!r} not in the file; columns are {frame.columns}")
    chosen = {c: c for c in frame.columns if c in CANONICAL_FIELDS}
    lower = {c.lower().strip(): c for c in frame.columns}
    chosen |= {field: lower[field] for field in CANONICAL_FIELDS if field not in chosen and field in lower}
    for canonical, source in (mapping or {}).items():
        if canonical not in CANONICAL_FIELDS:
            raise ValueError(f"unknown canonical field {canonical!r}; known: {', '.join(CANONICAL_FIELDS)}")
        if source not in frame.columns:
            raise ValueError(f"--map {canonical}={source}: no column {source!r} in the file")
        chosen[canonical] = source
    mapped = frame.select(
        pl.col(id_column).str.strip_chars().alias("record_id"),
        *[_blank_as_null(pl.col(source)).alias(canonical) for canonical, source in sorted(chosen.items())],
    )
    missing_ids = mapped.filter(pl.col("record_id").is_null() | (pl.col("record_id") == ""))
    if missing_ids.height:
        raise ValueError(f"{missing_ids.height} rows have no value in the id column {id_column!r}")
    return mapped


def _iso_basic_dates(mapped: pl.DataFrame) -> pl.DataFrame:
    """Birth dates written as ISO 8601 basic format (19560201) spelled out as 1956-02-01, when
    the whole column is written so (a column of eight-digit numbers is no other date shape)."""
    if "birth_date" not in mapped.columns:
        return mapped
    text = pl.col("birth_date").str.strip_chars()
    present = mapped.select(text.drop_nulls()).to_series()
    if present.len() == 0 or not present.str.contains(r"^\d{8}$").all():
        return mapped
    return mapped.with_columns(
        birth_date=pl.concat_str(text.str.slice(0, 4), pl.lit("-"), text.str.slice(4, 2), pl.lit("-"), text.str.slice(6, 2))
    )


def normalize_for_matching(mapped: pl.DataFrame, default_country: str) -> pl.DataFrame:
    """Canonical, normalized columns via ingest.normalize.canonical_frame (the one normalizer)."""
    from ingest.normalize import canonical_frame

    normalized = canonical_frame(_iso_basic_dates(mapped), default_country=default_country)
    if normalized.height != mapped.height or "record_id" not in normalized.columns:
        raise RuntimeError("canonical_frame must keep every row and pass record_id through")
    return normalized


def dedupe_csv(
    input_path: Path | str,
    output_path: Path | str,
    *,
    id_column: str,
    mapping: dict[str, str] | None = None,
    threshold: float | None = None,
    default_country: str = "DE",
    pairs_path: Path | str | None = None,
) -> DedupeSummary:
    """Write record_id,cluster_id for every row of input_path; optionally the scored pairs."""
    config = DedupeConfig.load().with_threshold(threshold)
    mapped = map_columns(read_any_csv(input_path), id_column, mapping)
    normalized = normalize_for_matching(mapped, default_country)
    result = match_records(normalized, config)
    spreadsheet_safe(result.clusters.select("record_id", "cluster_id")).write_csv(output_path)
    if pairs_path is not None:
        spreadsheet_safe(result.pairs).write_csv(pairs_path)
    sizes = result.clusters.group_by("cluster_id").len()["len"]
    return DedupeSummary(
        records=result.clusters.height,
        clusters=sizes.len(),
        multi_record_clusters=int((sizes > 1).sum()),
        largest_cluster=int(sizes.max() or 0),
        review_pairs=int(result.stats["review_pairs"]),
        mapped_fields=tuple(c for c in mapped.columns if c != "record_id"),
        seconds=float(result.stats["seconds"]),
    )
