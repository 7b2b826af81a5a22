"""Read one landing file into raw-field rows and rejected rows, choosing its contract.

Pure: bytes in, frames out. Writing to the warehouse happens in ingest_run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ingest.raw.contracts import Contract, candidate_contracts, pick_contract
from ingest.raw.csv_source import parse_csv
from ingest.raw.jsonl_source import JsonLines
from ingest.raw.lines import DecodedLines, decode_lines
from ingest.raw.mapping import (
    extra_columns,
    extra_fields_expr,
    field_exprs,
    missing_required_expr,
    unmapped_columns,
)
from ingest.raw.parsed import QUARANTINE_ROW_SCHEMA, ParsedFile, empty_rejected
from ingest.raw.sniff import choose_encoding, detect_delimiter, split_header, strip_bom

NOTE_TEXT_LIMIT = 4000


@dataclass
class FileRead:
    """Everything ingestion learned from one file version."""

    status: str  # loaded | empty | rejected
    rows: pl.DataFrame  # source_row, raw fields, extra_fields
    rejected: pl.DataFrame  # QUARANTINE_ROW_SCHEMA; source_row 0 = file-level note
    rows_read: int = 0
    contract: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    unmapped: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    note: str | None = None


def _file_note(status: str, reason: str, detail: str, text: str | None, **found) -> FileRead:
    note = pl.DataFrame(
        {"source_row": [0], "raw_text": [text[:NOTE_TEXT_LIMIT] if text else text],
         "reason": [reason], "reason_detail": [detail]},
        schema=QUARANTINE_ROW_SCHEMA,
    )
    return FileRead(status=status, rows=pl.DataFrame(), rejected=note, note=reason, **found)


def _first_line(data: bytes, encoding: str) -> str:
    line = strip_bom(data).split(b"\n", 1)[0].removesuffix(b"\r")
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    return line.decode(codec, errors="replace")


def read_landing_file(
    data: bytes, source_kind: str, source_system: str, contracts: tuple[Contract, ...]
) -> FileRead:
    """Pick the contract for the file, parse it, and map it to raw fields."""
    candidates = candidate_contracts(contracts, source_kind, source_system)
    if not candidates:
        return _file_note(
            "rejected", "unknown_format",
            f"no contract for {source_kind} files from {source_system or '(no folder)'!r}",
            _first_line(data, "utf-8"),
        )
    if strip_bom(data).strip() == b"":
        return _file_note("empty", "empty_file", "file has no content", None)
    if all(c.format == "jsonl" for c in candidates):
        return _read_jsonl(data, candidates)
    return _read_csv(data, [c for c in candidates if c.format == "csv"])


def _read_csv(data: bytes, candidates: list[Contract]) -> FileRead:
    tried = []
    chosen: tuple[Contract, str, str, list[str]] | None = None
    for contract in sorted(candidates, key=lambda c: -len(c.required)):
        encoding = choose_encoding(data, contract.encoding)
        header_line = _first_line(data, encoding)
        delimiter = contract.delimiter or detect_delimiter(header_line)
        header = split_header(header_line, delimiter)
        tried.append(contract.name)
        if pick_contract([contract], header) is not None:
            chosen = (contract, encoding, delimiter, header)
            break
    if chosen is None:
        return _file_note(
            "rejected", "unknown_format",
            f"header matches none of the contracts {tried}", _first_line(data, "utf-8"),
        )
    contract, encoding, delimiter, header = chosen
    decoded = decode_lines(data, encoding)
    found = {"contract": contract.name, "encoding": encoding, "delimiter": delimiter}
    if decoded.lines.height <= 1:
        return _file_note(
            "empty", "header_only", "file has a header but no data rows",
            decoded.lines["text"][0], **found,
        )
    parsed = parse_csv(decoded, delimiter, header)
    header = parsed.columns  # source columns named like lineage columns come back renamed
    extras = extra_columns(contract, header)
    mapped = parsed.rows.select(
        "source_row", "raw_text", *field_exprs(contract, header), extra_fields_expr(extras)
    )
    return _finish(
        contract, parsed, mapped,
        unmapped=unmapped_columns(contract, header),
        missing=[c for c in contract.columns if c not in header],
        **found,
    )


def _read_jsonl(data: bytes, candidates: list[Contract]) -> FileRead:
    decoded_by_encoding: dict[str, DecodedLines] = {}
    tried = []
    for contract in sorted(candidates, key=lambda c: -len(c.required)):
        encoding = choose_encoding(data, contract.encoding)
        if encoding not in decoded_by_encoding:
            decoded_by_encoding[encoding] = decode_lines(data, encoding)
        lines = JsonLines(decoded_by_encoding[encoding])
        tried.append(contract.name)
        # With no JSON object at all the folder decides: every line is quarantined on its own.
        if lines.objects.height > 0 and not contract.matches(lines.paths):
            lines.close()
            continue
        try:
            covered = contract.known_columns()
            wanted = [*contract.columns, *(c for r in contract.combine for c in r.columns)]
            wanted = list(dict.fromkeys(wanted))
            parsed = lines.parse(wanted, covered)
            mapped = parsed.rows.select(
                "source_row", "raw_text", *field_exprs(contract, wanted), "extra_fields"
            )
            return _finish(
                contract, parsed, mapped,
                unmapped=lines.unmapped(covered),
                missing=[p for p in wanted if p not in lines.paths],
                contract=contract.name, encoding=encoding, delimiter=None,
            )
        finally:
            lines.close()
    any_decoded = next(iter(decoded_by_encoding.values()))
    return _file_note(
        "rejected", "unknown_format",
        f"no JSON object with the keys required by {tried}", any_decoded.lines["text"][0],
    )


def _finish(
    chosen: Contract,
    parsed: ParsedFile,
    mapped: pl.DataFrame,
    *,
    unmapped: list[str],
    missing: list[str],
    **found,
) -> FileRead:
    """Move rows lacking a row-level required field to the rejected rows."""
    checked = mapped.with_columns(missing_required_expr(chosen.row_required))
    incomplete = checked.filter(pl.col("missing_required").is_not_null()).select(
        "source_row",
        "raw_text",
        reason=pl.lit("missing_required"),
        reason_detail=pl.lit("missing: ") + pl.col("missing_required"),
    )
    rows = checked.filter(pl.col("missing_required").is_null()).drop("missing_required", "raw_text")
    rejected = pl.concat([parsed.rejected, incomplete.cast(QUARANTINE_ROW_SCHEMA)]).sort("source_row")
    return FileRead(
        status="loaded",
        rows=rows,
        rejected=rejected if rejected.height else empty_rejected(),
        rows_read=parsed.rows_read,
        unmapped=unmapped,
        missing_columns=missing,
        **found,
    )
