"""Right of access (DSGVO Art. 15) and source transparency (Art. 14): everything about one person.

Built from the same `locate_subject` as erasure, so the export shows exactly what an erasure
would delete. The result is JSON-able; the audit row records only section counts.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest.privacy.audit import log_event
from ingest.privacy.clock import utc_naive
from ingest.privacy.deletion import subject_rows
from ingest.privacy.erasure import resolve_subject
from ingest.privacy.identifiers import DEFAULT_REGION
from ingest.privacy.locate import Subject
from ingest.privacy.tables import ensure_privacy_tables
from ingest.tables import (
    ART14_NOTICES,
    CONSENT_RECORDS,
    FILE_REGISTRY,
    GOLDEN_LEADS,
    LEAD_IDENTITY,
    LEAD_RECORDS,
    OBJECTIONS,
    QUARANTINE_ROWS,
    RAW_TABLE_NAMES,
    TOUCHPOINTS,
)
from ingest.warehouse import table_columns, table_exists


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[dict]:
    return conn.execute(sql, params).pl().to_dicts()


def _has_column(conn: duckdb.DuckDBPyConnection, qualified: str, column: str) -> bool:
    schema, table = qualified.split(".", 1)
    return bool(conn.execute(
        "select count(*) from information_schema.columns where table_schema = ? and table_name = ? "
        "and column_name = ?", [schema, table, column]).fetchone()[0])


def _by_lead(conn: duckdb.DuckDBPyConnection, qualified: str, leads: list[str]) -> list[dict]:
    if not table_exists(conn, qualified) or not _has_column(conn, qualified, "lead_id"):
        return []
    return _rows(conn, f"select * from {qualified} where lead_id in (select unnest($ids))", {"ids": leads})


def _by_record(conn: duckdb.DuckDBPyConnection, qualified: str, records: list[str], order: str) -> list[dict]:
    if not table_exists(conn, qualified):
        return []
    return _rows(
        conn, f"select * from {qualified} where record_id in (select unnest($ids)) order by {order}", {"ids": records}
    )


def _raw_rows(conn: duckdb.DuckDBPyConnection, subject: Subject) -> list[dict]:
    """Raw rows as delivered, incl. unmapped source columns (Art. 15 covers everything stored)."""
    out: list[dict] = []
    conn.register("_export_lineage", subject.lineage.to_arrow())
    try:
        for table in RAW_TABLE_NAMES:
            if table_exists(conn, table):
                rows = conn.sql(
                    f"select r.* from {table} r join _export_lineage l on l.source_file = r.source_file "
                    "and l.source_row = r.source_row and l.file_sha256 = r.file_sha256 "
                    "order by r.source_file, r.source_row"
                ).pl().to_dicts()
                out += [{"table": table, **row} for row in rows]
    finally:
        conn.unregister("_export_lineage")
    return out


def _quarantined(conn: duckdb.DuckDBPyConnection, subject: Subject) -> tuple[list[dict], list[dict]]:
    """Quarantined rows about the person (by lineage or identifiers in the raw line) and their files."""
    if not table_exists(conn, QUARANTINE_ROWS):
        return [], []
    rows = sorted(
        subject_rows(conn, subject, "quarantine", "rows"),
        key=lambda r: (str(r.get("source_file")), r.get("source_row") or 0),
    )
    versions = sorted({(r["source_file"], r["file_sha256"]) for r in rows if r.get("source_file")})
    files: list[dict] = []
    if versions and table_exists(conn, FILE_REGISTRY):
        conn.register("_export_files", pl.DataFrame(versions, schema=["source_file", "file_sha256"], orient="row").to_arrow())
        try:
            cols = set(table_columns(conn, FILE_REGISTRY))
            keys = [c for c in ("source_file", "file_sha256") if c in cols]
            wanted = [c for c in ("source_file", "file_sha256", "source_kind", "source_system", "status",
                                  "ingested_at") if c in cols]
            files = conn.sql(
                f"select distinct {', '.join('r.' + c for c in wanted)} from {FILE_REGISTRY} r "
                f"join _export_files f using ({', '.join(keys)}) order by all"
            ).pl().to_dicts() if "source_file" in keys else []
        finally:
            conn.unregister("_export_files")
    known = {(f["source_file"], f.get("file_sha256")) for f in files}
    files += [{"source_file": f, "file_sha256": h} for f, h in versions if (f, h) not in known]
    return rows, files


def _lifecycle(conn: duckdb.DuckDBPyConnection, leads: list[str]) -> dict[str, list[dict]]:
    """Every snapshot table's history rows for the leads (dbt snapshots, if built)."""
    tables = conn.execute(
        "select table_name from information_schema.tables where table_schema = 'snapshots' "
        "and table_catalog = current_database() order by 1"
    ).fetchall()
    return {f"snapshots.{t}": rows for (t,) in tables if (rows := _by_lead(conn, f"snapshots.{t}", leads))}


def _consent_history(consents: list[dict]) -> dict[str, list[dict]]:
    history: dict[str, list[dict]] = {}
    for row in consents:
        history.setdefault(str(row.get("channel")), []).append(row)
    return history


def _sources(records: list[dict], notices: list[dict]) -> list[dict]:
    """Art. 14: which source delivered which data, when, and whether the person was told."""
    frame = pl.DataFrame(records, infer_schema_length=None) if records else pl.DataFrame()
    if frame.is_empty():
        return []
    told = min((n["notified_at"] for n in notices if n.get("notified_at")), default=None)
    grouped = frame.group_by("source_kind", "source_system").agg(
        pl.col("source_file").unique().sort().alias("files"),
        pl.len().alias("records"),
        pl.col("ingested_at").min().alias("first_received_at"),
        pl.col("ingested_at").max().alias("last_received_at"),
    ).sort("source_kind", "source_system")
    return [
        {**row, "art14_notified_at": told if row["source_kind"] == "purchased_list" else None}
        for row in grouped.to_dicts()
    ]


def subject_export(
    conn: duckdb.DuckDBPyConnection,
    *,
    email: str | None = None,
    phone: str | None = None,
    lead_id: str | None = None,
    salt: str,
    now: datetime | None = None,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    """Everything stored about the person, as a JSON-able dict; audited as `subject_export`."""
    generated_at = utc_naive(now)
    ensure_privacy_tables(conn)
    subject, subject_hash = resolve_subject(
        conn, email=email, phone=phone, lead_id=lead_id, salt=salt, region=region
    )
    leads, records = sorted(subject.lead_ids), sorted(subject.record_ids)
    source_records = _by_record(conn, LEAD_RECORDS, records, "source_kind, source_system, source_file, source_row")
    consents = _by_record(conn, CONSENT_RECORDS, records, "channel, given_at nulls last, consent_id")
    notices = _by_lead(conn, ART14_NOTICES, leads)
    quarantined, quarantined_files = _quarantined(conn, subject)
    export = {
        "generated_at": generated_at,
        "legal_basis": "DSGVO Art. 15 (access) and Art. 14 (data not obtained from the person)",
        "lead_ids": leads,
        "golden_records": _by_lead(conn, GOLDEN_LEADS, leads),
        "source_records": source_records,
        "raw_rows": _raw_rows(conn, subject),
        "quarantined_rows": quarantined,
        "quarantined_files": quarantined_files,
        "consent_history": _consent_history(consents),
        "touchpoints": _by_record(conn, TOUCHPOINTS, records, "occurred_at nulls last, touchpoint_id"),
        "identity": _by_record(conn, LEAD_IDENTITY, records, "record_id"),
        "scores": _by_lead(conn, "marts.mart_lead_scores", leads),
        "contactability": _by_lead(conn, "marts.mart_contactability", leads),
        "lifecycle_history": _lifecycle(conn, leads),
        "sources": _sources(source_records, notices),
        "art14_notices": notices,
        "objections": _by_lead(conn, OBJECTIONS, leads),
    }
    counts = {k: len(v) for k, v in export.items() if isinstance(v, list)}
    counts["consent_history"] = len(consents)
    log_event(conn, event_kind="subject_export", occurred_at=generated_at, reason="Art. 15 request",
              counts=counts, subject_hash=subject_hash)
    return _jsonable(export)


def write_subject_export(export: dict[str, Any], output: Path) -> Path:
    """Write the export as UTF-8 JSON, readable by the person (umlauts kept)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(export, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return output
