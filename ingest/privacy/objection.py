"""Objection to advertising (DSGVO Art. 21): block every channel now and every future import.

The person's identifiers go onto the suppression list as `objection` (never expires, retention
never removes it) and their lead ids onto privacy.objections, which the contactability marts
read to block all advertising channels in the next run. Data is kept: an objection is not an
erasure, and the fact of the objection must stay provable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from ingest.privacy.audit import check_reason, log_event
from ingest.privacy.clock import utc_naive
from ingest.privacy.erasure import UnknownLead, known_lead_ids, resolve_subject
from ingest.privacy.identifiers import DEFAULT_REGION
from ingest.privacy.suppression import add_to_suppression_list, identifier_frame
from ingest.privacy.tables import OBJECTIONS_SCHEMA, ensure_privacy_tables
from ingest.tables import OBJECTIONS, SUPPRESSION_LIST
from ingest.warehouse import append_rows, transaction


@dataclass(frozen=True)
class ObjectionReport:
    event_id: str
    leads: int
    suppression_added: int


def record_objection(
    conn: duckdb.DuckDBPyConnection,
    *,
    email: str | None = None,
    phone: str | None = None,
    lead_id: str | None = None,
    reason_code: str = "art21_objection",
    ticket: str | None = None,
    salt: str,
    now: datetime | None = None,
    region: str = DEFAULT_REGION,
) -> ObjectionReport:
    check_reason("objection", reason_code, ticket)
    if lead_id and not (email or phone) and not known_lead_ids(conn, [lead_id]):
        raise UnknownLead(f"no lead {lead_id!r} in the warehouse; nothing recorded")
    occurred_at = utc_naive(now)
    ensure_privacy_tables(conn)
    subject, subject_hash = resolve_subject(conn, email=email, phone=phone, lead_id=lead_id, salt=salt, region=region)
    leads = sorted(subject.lead_ids)
    with transaction(conn):
        added = add_to_suppression_list(
            conn, identifier_frame(subject.email_keys, subject.phones),
            reason_kind="objection", salt=salt, added_at=occurred_at,
        )
        append_rows(conn, OBJECTIONS, pl.DataFrame(
            {"lead_id": leads, "channel": ["all"] * len(leads), "objected_at": [occurred_at] * len(leads)},
            schema=OBJECTIONS_SCHEMA,
        ))
        event_id = log_event(
            conn, event_kind="objection", occurred_at=occurred_at,
            reason=reason_code,
            ticket=ticket,
            counts={OBJECTIONS: len(leads), f"{SUPPRESSION_LIST} (added)": added},
            subject_hash=subject_hash,
        )
    return ObjectionReport(event_id=event_id, leads=len(leads), suppression_added=added)
