"""Right to erasure (DSGVO Art. 17): remove a person from every layer, keep only a salted hash.

Deletion, suppression entry and audit row commit in one transaction: either the person is gone
and cannot come back, or nothing changed. The serving copy is rebuilt by republishing (the
caller's job), never edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from ingest.privacy.audit import check_reason, log_event
from ingest.privacy.clock import utc_naive
from ingest.privacy.deletion import delete_subject
from ingest.privacy.identifiers import DEFAULT_REGION, hash_value, lookup_keys
from ingest.privacy.locate import Subject, locate_subject
from ingest.privacy.suppression import add_to_suppression_list, identifier_frame
from ingest.privacy.tables import ensure_privacy_tables
from ingest.tables import GOLDEN_LEADS, LEAD_ID_MERGES, SUPPRESSION_LIST
from ingest.warehouse import table_exists, transaction


class SubjectNotSpecified(ValueError):
    """No usable identifier: refusing to guess whom to erase."""


class UnknownLead(ValueError):
    """A lead id that no table knows: nothing to act on."""


def known_lead_ids(conn: duckdb.DuckDBPyConnection, lead_ids: list[str]) -> set[str]:
    """The ids among `lead_ids` that exist as golden leads or as ids merged into one."""
    found: set[str] = set()
    for table, column in ((GOLDEN_LEADS, "lead_id"), (LEAD_ID_MERGES, "retired_lead_id")):
        if table_exists(conn, table):
            found |= {r[0] for r in conn.execute(
                f"select distinct cast({column} as varchar) from {table} where cast({column} as varchar) "
                "in (select unnest(?))", [lead_ids]).fetchall()}
    return found


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
    reason_code: str,
    ticket: str | None = None,
    salt: str,
    now: datetime | None = None,
    region: str = DEFAULT_REGION,
) -> ErasureReport:
    """Delete the person from raw, quarantine, core, marts, snapshots and privacy tables.

    Their e-mail keys and phones go onto the suppression list (reason `erasure`). A person not
    found by e-mail or phone is still suppressed, so a request that precedes their data still
    keeps them out. A lead id that does not exist is refused (UnknownLead): there is nothing to
    suppress and nothing to erase. `reason_code` comes from reason_codes.yaml; `ticket` is a
    reference into the ticket system, never the request's text.
    """
    check_reason("erasure", reason_code, ticket)
    if lead_id and not (email or phone) and not known_lead_ids(conn, [lead_id]):
        raise UnknownLead(f"no lead {lead_id!r} in the warehouse; nothing erased (0 leads)")
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
            reason=reason_code,
            ticket=ticket,
            counts={**counts, f"{SUPPRESSION_LIST} (added)": added},
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
