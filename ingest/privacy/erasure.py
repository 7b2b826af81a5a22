"""Right to erasure (DSGVO Art. 17): remove a person from every layer, keep only a salted hash.

Deletion, suppression entry and audit row commit in one transaction: either the person is gone
and cannot come back, or nothing changed. The serving copy is rebuilt by republishing (the
caller's job), never edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from ingest.privacy.audit import log_event, scrub_reason
from ingest.privacy.clock import utc_naive
from ingest.privacy.deletion import delete_subject
from ingest.privacy.identifiers import DEFAULT_REGION, hash_value, lookup_keys
from ingest.privacy.locate import Subject, locate_subject
from ingest.privacy.suppression import add_to_suppression_list, identifier_frame
from ingest.privacy.tables import ensure_privacy_tables
from ingest.warehouse import transaction


class SubjectNotSpecified(ValueError):
    """No usable identifier: refusing to guess whom to erase."""


@dataclass(frozen=True)
class ErasureReport:
    """Counts only: safe to print, log and attach as Dagster metadata."""

    event_id: str
    occurred_at: datetime
    leads: int
    records: int
    rows_deleted: dict[str, int] = field(default_factory=dict)
    suppression_added: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_deleted.values())

    def to_metadata(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "occurred_at": self.occurred_at.isoformat(),
            "leads": self.leads,
            "records": self.records,
            "rows_deleted": dict(self.rows_deleted),
            "total_rows": self.total_rows,
            "suppression_added": self.suppression_added,
        }


def resolve_subject(
    conn: duckdb.DuckDBPyConnection,
    *,
    email: str | None,
    phone: str | None,
    lead_id: str | None,
    salt: str,
    region: str = DEFAULT_REGION,
) -> tuple[Subject, str]:
    """Normalize what was typed, find the person, and hash the identifier for the audit row."""
    email_key, phone_key = lookup_keys(email, phone, region)
    if not (email_key or phone_key or lead_id):
        raise SubjectNotSpecified("give --email, --phone or --lead-id (a valid one)")
    subject = locate_subject(conn, email_key=email_key, phone=phone_key, lead_ids=[lead_id] if lead_id else [])
    return subject, hash_value(email_key or phone_key or str(lead_id), salt)


def erase_person(
    conn: duckdb.DuckDBPyConnection,
    *,
    email: str | None = None,
    phone: str | None = None,
    lead_id: str | None = None,
    reason: str,
    salt: str,
    now: datetime | None = None,
    region: str = DEFAULT_REGION,
) -> ErasureReport:
    """Delete the person from raw, quarantine, core, marts, snapshots and privacy tables.

    Their e-mail keys and phones go onto the suppression list (reason `erasure`). A person not
    found is still suppressed, so a request that precedes their data still keeps them out.
    """
    if not reason or not reason.strip():
        raise ValueError("an erasure needs a reason (it goes, scrubbed, into audit.privacy_log)")
    occurred_at = utc_naive(now)
    ensure_privacy_tables(conn)
    subject, subject_hash = resolve_subject(
        conn, email=email, phone=phone, lead_id=lead_id, salt=salt, region=region
    )
    with transaction(conn):
        counts = delete_subject(conn, subject)
        added = add_to_suppression_list(
            conn,
            identifier_frame(subject.email_keys, subject.phones),
            reason_kind="erasure",
            salt=salt,
            added_at=occurred_at,
        )
        event_id = log_event(
            conn,
            event_kind="erasure",
            occurred_at=occurred_at,
            reason=scrub_reason(reason, [*subject.names, *subject.email_keys, *subject.phones]),
            counts={**counts, "privacy.suppression_list (added)": added},
            subject_hash=subject_hash,
        )
    conn.execute("checkpoint")
    return ErasureReport(
        event_id=event_id,
        occurred_at=occurred_at,
        leads=len(subject.lead_ids),
        records=len(subject.record_ids),
        rows_deleted=counts,
        suppression_added=added,
    )
