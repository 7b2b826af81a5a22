"""`leadwerk contract check FILE`: how the contracts would read a file, without a warehouse.

Reads the file exactly as ingestion does (contract choice, encoding, delimiter, quarantine),
normalizes the rows in memory as the nightly run would, and reports per column what it feeds,
how many rows would load or be quarantined, and how many dates, numbers and yes/no values
could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingest.normalize import normalize_batch
from ingest.raw import contract_formats
from ingest.raw.contracts import load_contract_set
from ingest.raw.landing import source_of
from ingest.raw.reader import FileRead, read_landing_file
from ingest.raw.tables import FOLDER_KINDS, RAW_TABLES


@dataclass
class CheckReport:
    source_file: str
    source_kind: str
    source_system: str
    read: FileRead
    rows_normalized: int = 0
    rows_without_contact_data: int = 0
    parse_stats: pl.DataFrame = field(default_factory=pl.DataFrame)
    stages: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def quarantined_by_reason(self) -> dict[str, int]:
        rows = self.read.rejected.filter(pl.col("source_row") > 0)
        return dict(rows.group_by("reason").len().sort("reason").iter_rows())


def source_of_path(path: Path, kind: str | None, system: str | None) -> tuple[str, str]:
    """The source a file belongs to: given explicitly, or from its place under a landing folder."""
    if kind and system:
        return kind, system
    parts = path.resolve().parts
    for i, part in enumerate(parts):
        if part in FOLDER_KINDS:
            found = source_of(Path(*parts[i:]))
            if found is not None:
                return kind or found[0], system or found[1]
    if system:
        return kind or "crm_export", system
    raise ValueError(
        f"{path}: cannot tell which source the file is; give --system NAME (and --kind) or put it "
        "under a landing folder such as crm_exports/<system>/"
    )


def check_file(
    path: Path,
    *,
    source_kind: str | None = None,
    source_system: str | None = None,
    contracts_dir: Path | None = None,
) -> CheckReport:
    kind, system = source_of_path(path, source_kind, source_system)
    loaded = load_contract_set(contracts_dir)
    data = path.read_bytes()
    read = read_landing_file(data, kind, system, loaded.contracts, loaded.broken_folders)
    report = CheckReport(source_file=str(path), source_kind=kind, source_system=system, read=read)
    if read.rows.height == 0:
        return report
    lineage = read.rows.with_columns(
        source_kind=pl.lit(kind), source_system=pl.lit(system), source_file=pl.lit(path.name),
        file_sha256=pl.lit("check"), ingested_at=pl.lit(datetime(2000, 1, 1)), batch_id=pl.lit("check"),
        contract=pl.lit(read.contract),
    )
    batch = normalize_batch(
        {RAW_TABLES[kind]: lineage}, formats=contract_formats(contracts_dir), now=datetime.now(UTC)
    )
    records = batch.lead_records
    report.rows_normalized = records.height
    report.rows_without_contact_data = batch.quarantine.height
    report.parse_stats = batch.parse_stats
    report.stages = dict(records.group_by("lifecycle_stage").len().sort("lifecycle_stage").iter_rows())
    report.outcomes = dict(records.group_by("outcome").len().sort("outcome").iter_rows())
    return report


def render(report: CheckReport, header: list[str] | None = None) -> str:
    """The report as plain text for the terminal."""
    read = report.read
    lines = [f"{report.source_file} ({report.source_kind}/{report.source_system})"]
    if read.status == "rejected":
        detail = read.rejected["reason_detail"][0] if read.rejected.height else ""
        lines.append(f"  REJECTED whole: {read.note}: {detail}")
        return "\n".join(lines)
    lines.append(
        f"  contract {read.contract}, encoding {read.encoding}, delimiter {read.delimiter!r}"
    )
    feeds: dict[str, list[str]] = {}
    for raw_field, column in read.field_columns.items():
        feeds.setdefault(column, []).append(raw_field)
    for raw_field, columns in read.combined_columns.items():
        for column in columns:
            feeds.setdefault(column, []).append(f"{raw_field} (combined)")
    lines.append("  columns:")
    for column in feeds:
        lines.append(f"    {column!r:40} -> {', '.join(feeds[column])}")
    for column in read.unmapped:
        lines.append(f"    {column!r:40} -> extra_fields (no raw field)")
    quarantined = report.quarantined_by_reason
    lines.append(
        f"  rows: {read.rows_read} read, {read.rows.height} would load, "
        f"{sum(quarantined.values())} quarantined"
        + (f" ({', '.join(f'{k} {v}' for k, v in quarantined.items())})" if quarantined else "")
        + f"; {report.rows_without_contact_data} without contact data after normalization"
    )
    for note in read.rejected.filter(pl.col("source_row") == 0).iter_rows(named=True):
        lines.append(f"  file note {note['reason']}: {note['reason_detail']}")
    if report.parse_stats.height:
        lines.append("  values read (non-empty -> read, failed):")
        for row in report.parse_stats.iter_rows(named=True):
            failed = row["non_empty"] - row["parsed"]
            share = row["parsed"] / row["non_empty"]
            flag = "  <-- below 95%" if row["kind"] == "date" and share < 0.95 else ""
            lines.append(
                f"    {row['field']:22} {row['kind']:7} {row['non_empty']:>8} -> {row['parsed']:>8}, "
                f"{failed} failed ({share:.1%}){flag}"
            )
    if report.stages:
        lines.append("  lifecycle stages: " + ", ".join(f"{k or 'none'} {v}" for k, v in report.stages.items()))
    if report.outcomes:
        lines.append("  outcomes: " + ", ".join(f"{k or 'open'} {v}" for k, v in report.outcomes.items()))
    return "\n".join(lines)
