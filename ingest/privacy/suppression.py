"""The suppression list: salted hashes of people who must never be loaded again.

A person erased today must not come back with tomorrow's purchased list, and a person who
objected (Art. 21) or opted out of every channel must not be re-imported as a fresh lead. The
list holds only sha256(salt ':' normalized identifier), so it contains no clear text itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import duckdb
import polars as pl

from ingest.normalize.email import normalize_email_expr
from ingest.privacy.identifiers import hash_columns
from ingest.privacy.locate import raw_identifier_frame
from ingest.privacy.tables import SUPPRESSION_SCHEMA, ensure_privacy_tables
from ingest.tables import LEAD_IDENTITY, LEAD_RECORDS, SUPPRESSION_LIST
from ingest.warehouse import append_rows, table_exists

_IDENTIFIER_SCHEMA = {"identifier_kind": pl.String, "identifier": pl.String}


def identifier_frame(email_keys: Iterable[str], phones: Iterable[str]) -> pl.DataFrame:
    """(identifier_kind, identifier) rows of normalized identifiers; clear text, memory only."""
    rows = [("email", e) for e in sorted(set(email_keys)) if e] + [("phone", p) for p in sorted(set(phones)) if p]
    return pl.DataFrame(rows, schema=_IDENTIFIER_SCHEMA, orient="row")


def hashed(identifiers: pl.DataFrame, salt: str) -> pl.DataFrame:
    return hash_columns(identifiers, ["identifier"], salt).select(
        "identifier_kind", pl.col("identifier_hash")
    )


def add_to_suppression_list(
    conn: duckdb.DuckDBPyConnection,
    identifiers: pl.DataFrame,
    *,
    reason_kind: str,
    salt: str,
    added_at: datetime,
) -> int:
    """Add the hashes not yet listed for this reason; returns how many were new."""
    ensure_privacy_tables(conn)
    incoming = hashed(identifiers, salt).unique()
    existing = conn.execute(
        f"select identifier_kind, identifier_hash from {SUPPRESSION_LIST} where reason_kind = ?",
        [reason_kind],
    ).pl()
    new = incoming.join(existing, on=["identifier_kind", "identifier_hash"], how="anti")
    rows = new.with_columns(
        reason_kind=pl.lit(reason_kind), added_at=pl.lit(added_at).cast(pl.Datetime("us"))
    ).select(list(SUPPRESSION_SCHEMA)).cast(SUPPRESSION_SCHEMA)
    return append_rows(conn, SUPPRESSION_LIST, rows)


def opted_out_everywhere(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Identifiers of golden leads whose every record says do-not-email and do-not-call.

    Identifiers another (not opted-out) lead also uses are left out, so a shared switchboard
    number cannot block a colleague.
    """
    if not (table_exists(conn, LEAD_RECORDS) and table_exists(conn, LEAD_IDENTITY)):
        return pl.DataFrame(schema=_IDENTIFIER_SCHEMA)
    return conn.sql(
        f"""
        with rec as (
            select i.lead_id, cast(coalesce(r.email_match_key, lower(r.email)) as varchar) as email_key,
                   cast(r.phone as varchar) as phone,
                   coalesce(r.do_not_email, false) and coalesce(r.do_not_call, false) as out_all
            from {LEAD_RECORDS} r join {LEAD_IDENTITY} i on i.record_id = r.record_id
        ),
        blocked as (select lead_id from rec group by lead_id having bool_and(out_all)),
        ids as (
            select 'email' as identifier_kind, email_key as identifier, lead_id from rec where email_key is not null
            union all
            select 'phone', phone, lead_id from rec where phone is not null
        )
        select distinct identifier_kind, identifier from ids
        where lead_id in (select lead_id from blocked)
          and identifier not in (select identifier from ids where lead_id not in (select lead_id from blocked))
        """
    ).pl().cast(_IDENTIFIER_SCHEMA)


def suppressed_hashes(conn: duckdb.DuckDBPyConnection, salt: str) -> pl.Series:
    """Every hash that blocks ingestion: the stored list plus today's opted-out-everywhere people."""
    listed = (
        conn.sql(f"select identifier_hash from {SUPPRESSION_LIST}").pl()["identifier_hash"]
        if table_exists(conn, SUPPRESSION_LIST)
        else pl.Series("identifier_hash", [], dtype=pl.String)
    )
    derived = hashed(opted_out_everywhere(conn), salt)["identifier_hash"]
    return pl.concat([listed, derived]).unique()


def legacy_email_key_expr(raw: pl.Expr) -> pl.Expr:
    """The e-mail key before provider aliases were folded (lower case, plus tag removed).

    Entries added before then hash this spelling; checking it too keeps those people out.
    """
    return normalize_email_expr(raw).str.replace(r"^([^@+]+)\+[^@]*@", "${1}@")


def suppression_filter(conn: duckdb.DuckDBPyConnection, salt: str) -> Callable[[pl.DataFrame], pl.Series]:
    """The ingestion hook: a function telling which raw rows belong to a suppressed person.

    The hash set is read once, when the filter is made, so the hook never touches the warehouse
    while ingestion writes. Rows are matched on their normalized e-mail, phone and mobile phone.
    """
    blocked = suppressed_hashes(conn, salt)

    def is_suppressed(rows: pl.DataFrame) -> pl.Series:
        if rows.height == 0 or blocked.len() == 0:
            return pl.Series("suppressed", [False] * rows.height, dtype=pl.Boolean)
        keys = raw_identifier_frame(rows).with_columns(
            _legacy_key=legacy_email_key_expr(pl.col("email") if "email" in rows.columns else pl.lit(None, pl.String))
        ).select("_email_key", "_legacy_key", "_phone_key", "_mobile_key")
        hashes = hash_columns(keys, ["_email_key", "_legacy_key", "_phone_key", "_mobile_key"], salt)
        listed = blocked.implode()
        hit = (
            pl.col("_email_key_hash").is_in(listed)
            | pl.col("_legacy_key_hash").is_in(listed)
            | pl.col("_phone_key_hash").is_in(listed)
            | pl.col("_mobile_key_hash").is_in(listed)
        ).fill_null(False)
        return hashes.select(hit.alias("suppressed")).to_series()

    return is_suppressed
