"""build_core: raw.* rows into core.lead_records / consent_records / touchpoints, atomically.

A nightly run normalizes only the landing-file versions it has not seen before, together with
the stored copies of the records they repeat and the rows normalization quarantined (their
latest copy may have arrived): the result equals normalizing every raw row again, which is what
a first run, a rules change or an erasure does (ingest.normalize.versions decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import polars as pl

from ingest.normalize.batch import QUARANTINE_SCHEMA, normalize_batch, record_ids
from ingest.normalize.parse_stats import PARSE_STATS_TABLE
from ingest.normalize.versions import (
    VERSION_KEY,
    NormalizePlan,
    plan_normalization,
    record_normalized,
    rules_fingerprint,
)
from ingest.tables import (
    CONSENT_RECORDS,
    LEAD_RECORDS,
    QUARANTINE_ROWS,
    RAW_TABLE_NAMES,
    TOUCHPOINTS,
)
from ingest.warehouse import (
    append_rows,
    overwrite_table,
    read_table,
    registered,
    table_exists,
    transaction,
)

CORE_TABLES = {
    "lead_records": LEAD_RECORDS,
    "consent_records": CONSENT_RECORDS,
    "touchpoints": TOUCHPOINTS,
}


@dataclass(frozen=True)
class NormalizeReport:
    """The core tables after a run (totals), and what the run itself normalized."""

    mode: str
    reason: str
    raw_rows: int
    normalized_raw_rows: int
    lead_records: int
    consent_records: int
    touchpoints: int
    quarantined: int
    invalid_emails: int
    invalid_phones: int
    date_issues: int
    unknown_consent: dict[str, int] = field(default_factory=dict)

    def to_metadata(self) -> dict[str, int | str]:
        """Flat values for Dagster materialization metadata and CLI output."""
        flat = {k: v for k, v in self.__dict__.items() if isinstance(v, int | str)}
        flat.update({f"unknown_{channel}_consent": n for channel, n in self.unknown_consent.items()})
        return flat


def _report(conn: duckdb.DuckDBPyConnection, plan: NormalizePlan, normalized_raw_rows: int) -> NormalizeReport:
    (
        lead_records, invalid_emails, invalid_phones, date_issues, unknown_email, unknown_phone, unknown_postal
    ) = conn.sql(f"""
        select
            count(*),
            count(*) filter (where email is not null and not email_valid),
            count(*) filter (where phone_raw is not null and not phone_valid),
            count(*) filter (where date_issues is not null),
            count(*) filter (where email_consent = 'unknown'),
            count(*) filter (where phone_consent = 'unknown'),
            count(*) filter (where postal_consent = 'unknown')
        from {LEAD_RECORDS}
    """).fetchone()
    count = lambda sql: conn.sql(sql).fetchone()[0]  # noqa: E731
    return NormalizeReport(
        mode=plan.mode,
        reason=plan.reason,
        raw_rows=int(plan.current["raw_rows"].sum()),
        normalized_raw_rows=normalized_raw_rows,
        lead_records=lead_records,
        consent_records=count(f"select count(*) from {CONSENT_RECORDS}"),
        touchpoints=count(f"select count(*) from {TOUCHPOINTS}"),
        quarantined=count(f"select count(*) from {QUARANTINE_ROWS} where stage = 'normalize'"),
        invalid_emails=invalid_emails,
        invalid_phones=invalid_phones,
        date_issues=date_issues,
        unknown_consent={"email": unknown_email, "phone": unknown_phone, "postal": unknown_postal},
    )


def _contract_formats() -> pl.DataFrame:
    from ingest.raw import contract_formats

    return contract_formats()


def _rows_of(conn: duckdb.DuckDBPyConnection, keys: str, on: list[str]) -> dict[str, pl.DataFrame]:
    """Every raw table's rows that match the registered relation `keys` on the `on` columns."""
    condition = " and ".join(f"k.{c} = r.{c}" for c in on)
    return {
        table: conn.sql(f"select r.* from {table} r semi join {keys} k on {condition}").pl()
        for table in RAW_TABLE_NAMES
        if table_exists(conn, table)
    }


def _incremental_input(conn: duckdb.DuckDBPyConnection, new_versions: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Rows of the new file versions, the stored winning copies of the records they repeat, and
    the rows normalization quarantined before (a newer copy may now replace them)."""
    with registered(conn, "_normalize_new", new_versions.select(VERSION_KEY)):
        fresh = _rows_of(conn, "_normalize_new", ["source_file", "file_sha256"])
    repeated = pl.DataFrame({"record_id": record_ids(fresh).unique()})
    quarantined = (
        f"union all select source_file, file_sha256, source_row from {QUARANTINE_ROWS} where stage = 'normalize'"
        if table_exists(conn, QUARANTINE_ROWS) else ""
    )
    with registered(conn, "_normalize_repeated", repeated):
        earlier_keys = conn.sql(f"""
            select source_file, file_sha256, source_row from {CORE_TABLES['lead_records']}
            where record_id in (select record_id from _normalize_repeated)
            {quarantined}
        """).pl()
    with registered(conn, "_normalize_earlier", earlier_keys):
        earlier = _rows_of(conn, "_normalize_earlier", ["source_file", "file_sha256", "source_row"])
    return {table: pl.concat([fresh[table], earlier[table]], how="vertical_relaxed") for table in fresh}


def _delete_records(conn: duckdb.DuckDBPyConnection, ids: pl.Series) -> None:
    with registered(conn, "_normalize_touched", pl.DataFrame({"record_id": ids.unique()})):
        for table in CORE_TABLES.values():
            conn.execute(f"delete from {table} where record_id in (select record_id from _normalize_touched)")


def build_core(
    conn: duckdb.DuckDBPyConnection,
    *,
    now: datetime | None = None,
    formats: pl.DataFrame | None = None,
    full_rebuild: bool = False,
) -> NormalizeReport:
    """Bring the core tables and the normalize-stage quarantine rows up to date with raw.*.

    Running it twice gives the same warehouse; `full_rebuild` re-normalizes every raw row.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    formats = _contract_formats() if formats is None else formats
    fingerprint = rules_fingerprint(formats)
    plan = plan_normalization(
        conn, RAW_TABLE_NAMES, tuple(CORE_TABLES.values()), fingerprint, full_rebuild=full_rebuild
    )
    if plan.mode == "incremental" and plan.new.height == 0:
        return _report(conn, plan, 0)
    if plan.mode == "full":
        raw = {name: read_table(conn, name) for name in RAW_TABLE_NAMES if table_exists(conn, name)}
    else:
        raw = _incremental_input(conn, plan.new)
    batch = normalize_batch(raw, formats=formats, now=now)
    with transaction(conn):
        if plan.mode == "full":
            for key, table in CORE_TABLES.items():
                overwrite_table(conn, table, getattr(batch, key))
        else:
            _delete_records(conn, record_ids(raw))
            for key, table in CORE_TABLES.items():
                append_rows(conn, table, getattr(batch, key))
        _replace_normalize_quarantine(conn, batch.quarantine)
        _replace_parse_stats(conn, batch.parse_stats, None if plan.mode == "full" else plan.new)
        record_normalized(conn, plan, fingerprint, now)
    return _report(conn, plan, sum(frame.height for frame in raw.values()))


def _replace_parse_stats(
    conn: duckdb.DuckDBPyConnection, stats: pl.DataFrame, new_versions: pl.DataFrame | None
) -> None:
    """Full run: the stats of every file version. Incremental: those of the new versions only
    (other files' rows in the batch are only the records the new files repeat)."""
    if new_versions is None:
        overwrite_table(conn, PARSE_STATS_TABLE, stats)
        return
    versions = new_versions.select("source_file", "file_sha256").unique()
    stats = stats.join(versions, on=["source_file", "file_sha256"], how="semi")
    if table_exists(conn, PARSE_STATS_TABLE):
        with registered(conn, "_parse_stats_versions", versions):
            conn.execute(
                f"delete from {PARSE_STATS_TABLE} where (source_file, file_sha256) in "
                "(select (source_file, file_sha256) from _parse_stats_versions)"
            )
    append_rows(conn, PARSE_STATS_TABLE, stats)


def _replace_normalize_quarantine(conn: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Delete earlier normalize-stage rows, then append this run's (ingest-stage rows stay).

    An incremental run re-normalizes every row quarantined here before, so its rows are the
    complete set too.
    """
    rows = rows.cast(QUARANTINE_SCHEMA)
    if table_exists(conn, QUARANTINE_ROWS):
        conn.execute(f"delete from {QUARANTINE_ROWS} where stage = 'normalize'")
    append_rows(conn, QUARANTINE_ROWS, rows)
