"""audit.privacy_log: one row per erasure, export, purge or objection, with counts only.

The log is the controller's proof (DSGVO Art. 5(2) accountability) that requests were handled,
so it must outlive the data it talks about and therefore may hold no personal data: kinds,
counts per table, a salted subject hash, a reason code from reason_codes.yaml and a ticket
reference. Free text is refused, because a request's wording quotes the person.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import yaml

from ingest.privacy.tables import PRIVACY_LOG_SCHEMA
from ingest.tables import PRIVACY_LOG
from ingest.warehouse import append_rows

REASON_CODES_FILE = Path(__file__).with_name("reason_codes.yaml")
# A ticket reference such as SR-4711, JIRA:DP-12 or 2026/0815: no spaces, no "@".
_TICKET = re.compile(r"^[A-Za-z0-9#][A-Za-z0-9._:/#-]{0,63}$")
_LONG_NUMBER = re.compile(r"\d{7,}")


class InvalidReason(ValueError):
    """A reason code outside the list, or a ticket that is not a plain reference."""


@cache
def reason_codes(event_kind: str) -> dict[str, str]:
    """Allowed codes (with their meaning) for `erasure` or `objection`."""
    data = yaml.safe_load(REASON_CODES_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get(event_kind) or {}).items()}


def check_reason(event_kind: str, reason_code: str, ticket: str | None) -> None:
    codes = reason_codes(event_kind)
    if reason_code not in codes:
        raise InvalidReason(
            f"reason code {reason_code!r} is not one of {', '.join(codes)} "
            f"(ingest/privacy/reason_codes.yaml); free text is not stored"
        )
    if ticket is None:
        return
    if not _TICKET.match(ticket) or _LONG_NUMBER.fullmatch(ticket):
        raise InvalidReason(
            "--ticket takes a ticket reference such as SR-4711 (letters, digits, . _ : / # -, "
            "no spaces, no e-mail addresses or phone numbers); the request text stays in the ticket system"
        )


def log_event(
    conn: duckdb.DuckDBPyConnection,
    *,
    event_kind: str,
    occurred_at: datetime,
    reason: str,
    counts: Mapping[str, int],
    subject_hash: str | None = None,
    ticket: str | None = None,
) -> str:
    """Append one event and return its id. `reason` is a code or a fixed phrase, never free text."""
    event_id = uuid.uuid4().hex
    row = pl.DataFrame(
        {
            "event_id": [event_id],
            "event_kind": [event_kind],
            "occurred_at": [occurred_at],
            "reason": [reason],
            "counts": [json.dumps(dict(sorted(counts.items())), sort_keys=True)],
            "subject_hash": [subject_hash],
            "ticket": [ticket],
        },
        schema=PRIVACY_LOG_SCHEMA,
    )
    append_rows(conn, PRIVACY_LOG, row)
    return event_id
