"""A small contract-shaped warehouse for privacy tests: raw, quarantine, core, marts, snapshots.

Written through ingest.warehouse like the real stages; only the columns privacy code relies on
(names as ingest/tables.py declares them) plus a few personal ones, so a scan for clear text means something.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from ingest.tables import (
    CONSENT_RECORDS,
    FILE_REGISTRY,
    GOLDEN_LEADS,
    LEAD_IDENTITY,
    LEAD_MATCH_PAIRS,
    LEAD_RECORDS,
    QUARANTINE_ROWS,
    RAW_TABLES,
    TOUCHPOINTS,
)
from ingest.tables import (
    table as declared,
)
from ingest.warehouse import append_rows, replace_tables

RAW_TABLE = RAW_TABLES


@dataclass
class Consent:
    channel: str
    status: str
    given_at: datetime
    proof_ref: str | None = None
    withdrawn_at: datetime | None = None


@dataclass
class Record:
    record_id: str
    lead_id: str
    source_kind: str
    source_system: str
    first_name: str
    last_name: str
    email: str | None  # source text as delivered
    phone: str | None  # source text as delivered
    email_key: str | None  # what normalization makes of it
    phone_e164: str | None
    source_row: int = 1
    created_at: datetime = datetime(2025, 1, 10)
    ingested_at: datetime = datetime(2025, 1, 11)
    do_not_email: bool = False
    do_not_call: bool = False
    consents: list[Consent] = field(default_factory=list)
    touchpoints: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def source_file(self) -> str:
        folder = {"purchased_list": "purchased_lists", "web_form": "web_forms", "crm_export": "crm_exports"}
        return f"{folder[self.source_kind]}/{self.source_system}/list.csv"

    @property
    def file_sha256(self) -> str:
        return hashlib.sha256(self.source_file.encode()).hexdigest()


def _lineage(r: Record) -> dict:
    return {
        "source_kind": r.source_kind, "source_system": r.source_system, "source_file": r.source_file,
        "file_sha256": r.file_sha256, "source_row": r.source_row, "ingested_at": r.ingested_at,
        "batch_id": "b1",
    }


def build_warehouse(conn: duckdb.DuckDBPyConnection, records: list[Record], quarantine: list[dict] | None = None) -> None:
    """Write every layer for the given records (one golden lead per distinct lead_id)."""
    for kind, table in RAW_TABLE.items():
        rows = [
            {**_lineage(r), "contract": "test", "extra_fields": "{}", "source_record_id": r.record_id,
             "first_name": r.first_name, "last_name": r.last_name, "email": r.email, "phone": r.phone,
             "mobile_phone": None, "country": "DE"}
            for r in records if r.source_kind == kind
        ]
        if rows:
            append_rows(conn, table, pl.DataFrame(rows))
    append_rows(conn, QUARANTINE_ROWS, pl.DataFrame(
        [
            {"source_kind": "purchased_list", "source_system": "adressdirekt",
             "source_file": "purchased_lists/adressdirekt/list.csv", "file_sha256": "f" * 64,
             "source_row": 99, "raw_text": "Herr;;Bad;Row", "reason": "wrong_field_count",
             "reason_detail": None, "stage": "ingest", "batch_id": "b1", "quarantined_at": datetime(2025, 1, 11)},
            *(quarantine or []),
        ],
        schema_overrides={"reason_detail": pl.String},
    ))
    lead_records = pl.DataFrame([
        {"record_id": r.record_id, **_lineage(r), "first_name": r.first_name, "last_name": r.last_name,
         "first_name_raw": r.first_name, "last_name_raw": r.last_name,
         "email": r.email.strip().lower() if r.email else None, "email_raw": r.email,
         "email_match_key": r.email_key, "phone": r.phone_e164, "phone_raw": r.phone,
         "created_at": r.created_at, "do_not_email": r.do_not_email, "do_not_call": r.do_not_call,
         "email_consent": next((c.status for c in r.consents if c.channel == "email"), "unknown"),
         "phone_consent": next((c.status for c in r.consents if c.channel == "phone"), "unknown")}
        for r in records
    ])
    consents = pl.DataFrame(
        [
            {"consent_id": f"{r.record_id}:{c.channel}", "record_id": r.record_id, "channel": c.channel,
             "purpose": "advertising", "status": c.status, "given_at": c.given_at,
             "withdrawn_at": c.withdrawn_at, "source_kind": r.source_kind, "source_system": r.source_system,
             "method": "vendor_proof", "proof_ref": c.proof_ref, "consent_text_version": "v1"}
            for r in records for c in r.consents
        ],
        schema=declared(CONSENT_RECORDS).polars_schema(),
    )
    touchpoints = pl.DataFrame(
        [
            {"touchpoint_id": f"{r.record_id}:{i}", "record_id": r.record_id, "touchpoint_type": t,
             "occurred_at": at, "source_kind": r.source_kind, "source_system": r.source_system,
             "cost_eur": 0.0, "detail": None}
            for r in records for i, (t, at) in enumerate(r.touchpoints)
        ],
        schema=declared(TOUCHPOINTS).polars_schema(),
    )
    identity = pl.DataFrame([
        {"record_id": r.record_id, "lead_id": r.lead_id, "match_rule": "email", "match_score": 1.0,
         "assigned_at": datetime(2025, 1, 12)}
        for r in records
    ])
    firsts: dict[str, Record] = {}
    for r in records:
        firsts.setdefault(r.lead_id, r)
    golden = pl.DataFrame([
        {"lead_id": lead, "first_name": r.first_name, "last_name": r.last_name,
         "email": r.email_key, "email__record_id": r.record_id, "phone": r.phone_e164,
         "record_count": sum(1 for x in records if x.lead_id == lead),
         "do_not_email": r.do_not_email, "do_not_call": r.do_not_call}
        for lead, r in firsts.items()
    ])
    pairs = pl.DataFrame(
        [
            {"record_id_a": a.record_id, "record_id_b": b.record_id, "rule": "email", "score": 1.0,
             "decision": "auto_merge", "sim_last_name": 1.0}
            for a in records for b in records if a.lead_id == b.lead_id and a.record_id < b.record_id
        ],
        schema={"record_id_a": pl.String, "record_id_b": pl.String, "rule": pl.String, "score": pl.Float64,
                "decision": pl.String, "sim_last_name": pl.Float64},
    )
    leads = list(firsts)
    replace_tables(conn, {
        LEAD_RECORDS: lead_records,
        CONSENT_RECORDS: consents,
        TOUCHPOINTS: touchpoints,
        LEAD_IDENTITY: identity,
        GOLDEN_LEADS: golden,
        LEAD_MATCH_PAIRS: pairs,
        "marts.mart_lead_scores": pl.DataFrame({
            "lead_id": leads, "total_score": [50 + i for i in range(len(leads))],
            "score_explanation": ["fit: industry +10; engagement: webinar +15"] * len(leads),
            "full_name": [f"{firsts[x].first_name} {firsts[x].last_name}" for x in leads],
        }),
        "marts.mart_contactability": pl.DataFrame({
            "lead_id": [x for x in leads for _ in ("email", "phone")],
            "channel": ["email", "phone"] * len(leads),
            "is_contactable": [True, False] * len(leads),
            "legal_basis": ["consent", None] * len(leads),
            "reason": ["granted", "no_consent"] * len(leads),
        }),
        "marts.mart_funnel": pl.DataFrame({"stage": ["lead"], "leads": [len(leads)]}),
        "snapshots.lead_lifecycle": pl.DataFrame({
            "lead_id": leads, "lifecycle_stage": ["lead"] * len(leads),
            "email": [firsts[x].email_key for x in leads],
            "dbt_valid_from": [datetime(2025, 1, 12)] * len(leads), "dbt_valid_to": [None] * len(leads),
        }, schema_overrides={"dbt_valid_to": pl.Datetime("us")}),
    })
    conn.execute(f"create or replace view marts.v_golden_contacts as select lead_id, email, phone from {GOLDEN_LEADS}")
    append_rows(conn, FILE_REGISTRY, pl.DataFrame({
        "source_file": sorted({r.source_file for r in records}),
        "rows_read": [1] * len({r.source_file for r in records}),
    }))


def text_hits(conn: duckdb.DuckDBPyConnection, needles: list[str]) -> dict[str, int]:
    """Rows per table/view (every schema, every column cast to text) containing any needle."""
    hits: dict[str, int] = {}
    relations = conn.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    for schema, table in relations:
        columns = [c[0] for c in conn.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ?", [schema, table]).fetchall()]
        if not columns:
            continue
        text = " || '\u241f' || ".join(f"coalesce(lower(cast(\"{c}\" as varchar)), '')" for c in columns)
        condition = " or ".join(f"contains({text}, lower(?))" for _ in needles)
        count = conn.execute(f'select count(*) from "{schema}"."{table}" where {condition}', needles).fetchone()[0]
        if count:
            hits[f"{schema}.{table}"] = count
    return hits
