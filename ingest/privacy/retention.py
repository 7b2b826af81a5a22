"""Storage limitation (DSGVO Art. 5(1)(e)) with proof retention (UWG §7a) as hard limits.

Which leads are purged is decided in one SQL statement from policy.yaml values; the purge itself
goes through `delete_subject`, the same machinery as erasure. A lead whose phone-consent proof
is still inside its five-year window is never purged, and suppression entries never expire.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from ingest.privacy.audit import log_event
from ingest.privacy.clock import utc_naive
from ingest.privacy.deletion import delete_subject
from ingest.privacy.locate import locate_subject
from ingest.privacy.policy import PrivacyPolicy, load_policy
from ingest.privacy.tables import ensure_privacy_tables
from ingest.tables import CONSENT_RECORDS, LEAD_IDENTITY, LEAD_RECORDS, TOUCHPOINTS
from ingest.warehouse import table_exists, transaction


@dataclass(frozen=True)
class RetentionReport:
    event_id: str
    occurred_at: datetime
    leads_purged: int
    leads_kept_for_proof: int
    rows_deleted: dict[str, int] = field(default_factory=dict)
    landing_files_deleted: int = 0

    def to_metadata(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "occurred_at": self.occurred_at.isoformat(),
            "leads_purged": self.leads_purged,
            "leads_kept_for_proof": self.leads_kept_for_proof,
            "rows_deleted": dict(self.rows_deleted),
            "landing_files_deleted": self.landing_files_deleted,
        }


def _months_before(moment: datetime, months: int) -> datetime:
    """Calendar months back, clamped to the month's last day (29 Feb -> 28 Feb)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_candidates(conn: duckdb.DuckDBPyConnection, now: datetime, policy: PrivacyPolicy) -> tuple[list[str], int]:
    """(lead ids past the limit, how many of those are kept because phone proof is still required)."""
    if not policy.inactive_leads_enabled or not (
        table_exists(conn, LEAD_IDENTITY) and table_exists(conn, LEAD_RECORDS)
    ):
        return [], 0
    has_consents = table_exists(conn, CONSENT_RECORDS)
    has_touchpoints = table_exists(conn, TOUCHPOINTS)
    consents = CONSENT_RECORDS if has_consents else (
        "(select null::varchar record_id, null::varchar channel, null::varchar status, "
        "null::timestamp given_at, null::varchar proof_ref where false)"
    )
    touchpoints = TOUCHPOINTS if has_touchpoints else (
        "(select null::varchar record_id, null::varchar touchpoint_type, null::timestamp occurred_at where false)"
    )
    rows = conn.execute(
        f"""
        with rec as (
            select i.lead_id, r.record_id, r.created_at, r.ingested_at
            from {LEAD_IDENTITY} i join {LEAD_RECORDS} r on r.record_id = i.record_id
        ),
        activity as (
            select rec.lead_id,
                   greatest(max(rec.created_at), max(t.occurred_at),
                            case when max(rec.created_at) is null and max(t.occurred_at) is null
                                 then max(rec.ingested_at) end) as last_activity_at
            from rec left join {touchpoints} t on t.record_id = rec.record_id
            group by rec.lead_id
        ),
        granted as (
            select distinct rec.lead_id from rec join {consents} c on c.record_id = rec.record_id
            where c.status = 'granted'
        ),
        phone_proof as (
            select distinct rec.lead_id from rec join {consents} c on c.record_id = rec.record_id
            where c.channel = 'phone' and (c.given_at >= $proof_since or exists (
                select 1 from rec r2 join {touchpoints} t on t.record_id = r2.record_id
                where r2.lead_id = rec.lead_id and t.touchpoint_type in (select unnest($use_types))
                  and t.occurred_at >= $proof_since))
        ),
        expired as (
            select lead_id from activity
            where (last_activity_at is null or last_activity_at < $inactive_since)
              and lead_id not in (select lead_id from granted)
        )
        select lead_id, lead_id in (select lead_id from phone_proof) as keep_for_proof
        from expired order by lead_id
        """,
        {
            "inactive_since": _months_before(now, policy.inactive_months),
            "proof_since": _months_before(now, 12 * policy.phone_proof_keep_years),
            "use_types": list(policy.phone_use_touchpoint_types) or [""],
        },
    ).fetchall()
    return [lead for lead, keep in rows if not keep], sum(1 for _, keep in rows if keep)


def expired_landing_files(landing_dir: Path | None, now: datetime, policy: PrivacyPolicy) -> list[Path]:
    """Files under landing/ older than the configured age (none when the rule is disabled)."""
    if landing_dir is None or policy.landing_max_age_days is None or not Path(landing_dir).is_dir():
        return []
    limit = (now - timedelta(days=policy.landing_max_age_days)).timestamp()
    return sorted(
        p for p in Path(landing_dir).rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.stat().st_mtime < limit
    )


def apply_retention(
    conn: duckdb.DuckDBPyConnection,
    *,
    landing_dir: Path | None,
    now: datetime | None = None,
    policy: PrivacyPolicy | None = None,
) -> RetentionReport:
    """Purge leads past the limit from every layer, delete expired landing files, log counts."""
    occurred_at = utc_naive(now)
    policy = policy or load_policy()
    ensure_privacy_tables(conn)
    purge, kept = retention_candidates(conn, occurred_at, policy)
    subject = locate_subject(conn, lead_ids=purge) if purge else None
    with transaction(conn):
        counts = delete_subject(conn, subject) if subject else {}
        files = expired_landing_files(landing_dir, occurred_at, policy)
        event_id = log_event(
            conn,
            event_kind="retention_purge",
            occurred_at=occurred_at,
            reason=f"policy: no consent and no activity for {policy.inactive_months} months",
            counts={**counts, "leads_purged": len(purge), "leads_kept_for_phone_proof": kept,
                    "landing_files": len(files)},
        )
    for path in files:  # after the commit: a failed purge must not have removed the inbox
        path.unlink(missing_ok=True)
    if counts:
        conn.execute("checkpoint")
    return RetentionReport(
        event_id=event_id,
        occurred_at=occurred_at,
        leads_purged=len(purge),
        leads_kept_for_proof=kept,
        rows_deleted=counts,
        landing_files_deleted=len(files),
    )
