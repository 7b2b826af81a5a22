"""Read one landing file into raw-field rows and rejected rows, choosing its contract.

Pure: bytes in, frames out. Writing to the warehouse happens in ingest_run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ingest.raw.contracts import (
    Contract,
    HeaderMatch,
    best_match,
    candidate_contracts,
    nearest_miss,
)
from ingest.raw.csv_source import parse_csv
from ingest.raw.jsonl_source import JsonLines
from ingest.raw.lines import DecodedLines, decode_lines
from ingest.raw.mapping import (
    extra_columns,
    extra_fields_expr,
    field_exprs,
    missing_required_expr,
    row_required_present,
    source_columns,
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
    field_columns: dict[str, str] = field(default_factory=dict)  # raw field -> file column read
    combined_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
    data: bytes,
    source_kind: str,
    source_system: str,
    contracts: tuple[Contract, ...],
    broken_contracts: dict[tuple[str, str], str] | None = None,
) -> FileRead:
    """Pick the contract for the file, parse it, and map it to raw fields.

    broken_contracts: folders whose contract file is invalid, with the error; their files are
    rejected with that error instead of being read by whatever contract is left.
    """
    broken = (broken_contracts or {}).get((source_kind, source_system))
    if broken is not None:
        return _file_note(
            "rejected", "invalid_contract",
            f"the contract for {source_kind} files from {source_system!r} is invalid: {broken}",
            _first_line(data, "utf-8"),
        )
    candidates = candidate_contracts(contracts, source_kind, source_system)
    if not candidates:
        folder = {"crm_export": "crm_exports", "purchased_list": "purchased_lists"}.get(source_kind, source_kind)
        where = f"{folder}/{source_system}/" if source_system else f"{folder}/ (no system folder)"
        return _file_note(
            "rejected", "unknown_format",
            f"no contract for files in {where}: put the file in the folder of a known system "
            "(ingest/contracts/) or draft one with `leadwerk contract draft`",
            _first_line(data, "utf-8"),
        )
    if strip_bom(data).strip() == b"":
        return _file_note("empty", "empty_file", "file has no content", None)
    if all(c.format == "jsonl" for c in candidates):
        return _read_jsonl(data, candidates)
    return _read_csv(data, [c for c in candidates if c.format == "csv"])


def _read_csv(data: bytes, candidates: list[Contract]) -> FileRead:
    # Contracts that read the file the same way (encoding, delimiter) share one header parse.
    headers: dict[tuple[str, str], list[str]] = {}
    matches: list[tuple[HeaderMatch, str, str]] = []
    for contract in candidates:
        encoding = choose_encoding(data, contract.encoding)
        header_line = _first_line(data, encoding)
        delimiter = contract.delimiter or detect_delimiter(header_line)
        if (encoding, delimiter) not in headers:
            headers[(encoding, delimiter)] = split_header(header_line, delimiter)
        match = best_match([contract], headers[(encoding, delimiter)])
        if match is not None:
            matches.append((match, encoding, delimiter))
    if not matches:
        header = next(iter(headers.values()))
        return _file_note(
            "rejected", "unknown_format",
            "header has no identifying column of any contract: " + nearest_miss(candidates, header),
            _first_line(data, "utf-8"),
        )
    match, encoding, delimiter = max(matches, key=lambda m: (m[0].coverage, m[0].contract.name))
    header = headers[(encoding, delimiter)]
    decoded = decode_lines(data, encoding)
    found = {"contract": match.contract.name, "encoding": encoding, "delimiter": delimiter,
             "field_columns": dict(match.columns), "combined_columns": dict(match.combined)}
    if decoded.lines.height <= 1:
        return _file_note(
            "empty", "header_only", "file has a header but no data rows",
            decoded.lines["text"][0], **found,
        )
    parsed = parse_csv(decoded, delimiter, header, footer=match.contract.footer)
    if (parsed.rejected["reason"] == "report_footer").any():
        found["note"] = "report_footer"
    header = parsed.columns  # source columns named like lineage columns come back renamed
    mapped = parsed.rows.select(
        "source_row", "raw_text", *field_exprs(match), extra_fields_expr(extra_columns(match, header))
    )
    return _finish(
        match, parsed, mapped,
        unmapped=unmapped_columns(match, header),
        missing=[f for f in match.contract.fields if f not in match.columns],
        **found,
    )


def _read_jsonl(data: bytes, candidates: list[Contract]) -> FileRead:
    decoded_by_encoding: dict[str, DecodedLines] = {}
    tried = []
    for contract in sorted(candidates, key=lambda c: c.name):
        encoding = choose_encoding(data, contract.encoding)
        if encoding not in decoded_by_encoding:
            decoded_by_encoding[encoding] = decode_lines(data, encoding)
        lines = JsonLines(decoded_by_encoding[encoding])
        tried.append(contract)
        match = contract.match(lines.paths)
        # With no JSON object at all the folder decides: every line is quarantined on its own.
        if lines.objects.height > 0 and not match.identified:
            lines.close()
            continue
        try:
            known = {name for names in contract.fields.values() for name in names}
            known |= {c for rule in contract.combine for c in rule.columns} | set(contract.keep_as_extra)
            covered = known | match.used_columns
            parsed = lines.parse(source_columns(match), covered)
            mapped = parsed.rows.select("source_row", "raw_text", *field_exprs(match), "extra_fields")
            return _finish(
                match, parsed, mapped,
                unmapped=lines.unmapped(covered),
                missing=[f for f in contract.fields if f not in match.columns],
                contract=contract.name, encoding=encoding, delimiter=None,
                field_columns=dict(match.columns), combined_columns=dict(match.combined),
            )
        finally:
            lines.close()
    any_decoded = next(iter(decoded_by_encoding.values()))
    return _file_note(
        "rejected", "unknown_format",
        "no JSON object has the identifying keys of any contract: " + nearest_miss(tried, []),
        any_decoded.lines["text"][0],
    )


def _finish(
    match: HeaderMatch,
    parsed: ParsedFile,
    mapped: pl.DataFrame,
    *,
    unmapped: list[str],
    missing: list[str],
    **found,
) -> FileRead:
    """Move rows lacking a row-level required field to the rejected rows."""
    checked = mapped.with_columns(missing_required_expr(row_required_present(match)))
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
