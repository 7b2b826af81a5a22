"""Art. 14 notices: marketing ops record when people from bought lists were informed.

The dbt model marts.mart_privacy_notices compares these dates with the purchase and the first
contact to list overdue notices; this module only records the fact (lead ids, no clear text).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb
import polars as pl

from ingest.privacy.audit import log_event
from ingest.privacy.clock import utc_naive
from ingest.privacy.tables import NOTICES_SCHEMA, ensure_privacy_tables
from ingest.tables import ART14_NOTICES
from ingest.warehouse import append_rows

CHANNELS = ("email", "postal", "phone", "other")


def record_notice(
    conn: duckdb.DuckDBPyConnection,
    lead_ids: Iterable[str],
    notified_at: datetime,
    channel: str,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> int:
    """Append one notice per distinct lead id; returns how many were recorded."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
    ids = sorted({str(i).strip() for i in lead_ids if str(i).strip()})
    ensure_privacy_tables(conn)
    recorded_at = utc_naive(now)
    frame = pl.DataFrame(
        {
            "lead_id": ids,
            "notified_at": [utc_naive(notified_at)] * len(ids),
            "channel": [channel] * len(ids),
            "note": [note] * len(ids),
            "recorded_at": [recorded_at] * len(ids),
        },
        schema=NOTICES_SCHEMA,
    )
    count = append_rows(conn, ART14_NOTICES, frame)
    log_event(conn, event_kind="art14_notice", occurred_at=recorded_at, reason=f"notified by {channel}",
              counts={ART14_NOTICES: count})
    return count
