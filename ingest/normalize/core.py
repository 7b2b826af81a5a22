"""build_core: reads raw.*, writes core.lead_records / consent_records / touchpoints atomically."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import polars as pl

from ingest.normalize.batch import QUARANTINE_SCHEMA, normalize_batch
from ingest.warehouse import append_rows, read_table, replace_tables, table_exists

RAW_TABLES = ("raw.purchased_list_records", "raw.web_form_submissions", "raw.crm_records")
CORE_TABLES = {
    "lead_records": "core.lead_records",
    "consent_records": "core.consent_records",
    "touchpoints": "core.touchpoints",
}


@dataclass(frozen=True)
class NormalizeReport:
    raw_rows: int
    lead_records: int
    consent_records: int
    touchpoints: int
    quarantined: int
    invalid_emails: int
    invalid_phones: int
    date_issues: int
    unknown_consent: dict[str, int] = field(default_factory=dict)

    def to_metadata(self) -> dict[str, int]:
        """Flat numbers for Dagster materialization metadata and CLI output."""
        flat = {k: v for k, v in self.__dict__.items() if isinstance(v, int)}
        flat.update({f"unknown_{channel}_consent": n for channel, n in self.unknown_consent.items()})
        return flat


def _report(batch, raw_rows: int) -> NormalizeReport:
    leads = batch.lead_records
    return NormalizeReport(
        raw_rows=raw_rows,
        lead_records=leads.height,
        consent_records=batch.consent_records.height,
        touchpoints=batch.touchpoints.height,
        quarantined=batch.quarantine.height,
        invalid_emails=leads.filter(pl.col("email").is_not_null() & ~pl.col("email_valid")).height,
        invalid_phones=leads.filter(pl.col("phone_raw").is_not_null() & ~pl.col("phone_valid")).height,
        date_issues=leads.filter(pl.col("date_issues").is_not_null()).height,
        unknown_consent={
            channel: leads.filter(pl.col(f"{channel}_consent") == "unknown").height
            for channel in ("email", "phone", "postal")
        },
    )


def _contract_formats() -> pl.DataFrame:
    from ingest.raw import contract_formats

    return contract_formats()


def build_core(
    conn: duckdb.DuckDBPyConnection,
    *,
    now: datetime | None = None,
    formats: pl.DataFrame | None = None,
) -> NormalizeReport:
    """Normalize every raw.* table that exists into the core tables (replacing them) and
    replace the normalize-stage quarantine rows. Running it twice gives the same warehouse."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    formats = _contract_formats() if formats is None else formats
    raw = {name: read_table(conn, name) for name in RAW_TABLES if table_exists(conn, name)}
    batch = normalize_batch(raw, formats=formats, now=now)
    replace_tables(conn, {CORE_TABLES[k]: getattr(batch, k) for k in CORE_TABLES})
    _replace_normalize_quarantine(conn, batch.quarantine)
    return _report(batch, sum(frame.height for frame in raw.values()))


def _replace_normalize_quarantine(conn: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Delete earlier normalize-stage rows, then append this run's (ingest-stage rows stay)."""
    rows = rows.cast(QUARANTINE_SCHEMA)
    if table_exists(conn, "quarantine.rows"):
        conn.execute("delete from quarantine.rows where stage = 'normalize'")
    append_rows(conn, "quarantine.rows", rows)
