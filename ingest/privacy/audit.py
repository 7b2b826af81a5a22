"""audit.privacy_log: one row per erasure, export, purge or objection, with counts only.

The log is the controller's proof (DSGVO Art. 5(2) accountability) that requests were handled,
so it must outlive the data it talks about and therefore may hold no personal data: kinds,
counts per table, a salted subject hash and a reason scrubbed of anything that looks like one.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

import duckdb
import polars as pl

from ingest.privacy.tables import PRIVACY_LOG_SCHEMA, PRIVACY_LOG_TABLE
from ingest.warehouse import append_rows

_EMAIL_LIKE = re.compile(r"\S+@\S+")
_PHONE_LIKE = re.compile(r"\+?\d[\d\s/().-]{5,}\d")
REDACTED = "[redacted]"


def scrub_reason(reason: str, known_terms: Iterable[str] = ()) -> str:
    """Free-text reasons end up in the log; remove addresses, numbers and the subject's names."""
    text = _PHONE_LIKE.sub(REDACTED, _EMAIL_LIKE.sub(REDACTED, reason))
    for term in sorted({t for t in known_terms if t and len(t) > 1}, key=len, reverse=True):
        text = re.sub(re.escape(term), REDACTED, text, flags=re.IGNORECASE)
    return text.strip()


def log_event(
    conn: duckdb.DuckDBPyConnection,
    *,
    event_kind: str,
    occurred_at: datetime,
    reason: str,
    counts: Mapping[str, int],
    subject_hash: str | None = None,
) -> str:
    """Append one event and return its id. `reason` must already be scrubbed."""
    event_id = uuid.uuid4().hex
    row = pl.DataFrame(
        {
            "event_id": [event_id],
            "event_kind": [event_kind],
            "occurred_at": [occurred_at],
            "reason": [reason],
            "counts": [json.dumps(dict(sorted(counts.items())), sort_keys=True)],
            "subject_hash": [subject_hash],
        },
        schema=PRIVACY_LOG_SCHEMA,
    )
    append_rows(conn, PRIVACY_LOG_TABLE, row)
    return event_id
