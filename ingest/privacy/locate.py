"""Find everything that belongs to one person: lead ids, record ids, raw lineage, identifiers.

Erasure, subject access and retention all start here, so "the person" means the same set of
rows for each of them: every record of every golden lead that carries the identifier, and
every raw row whose normalized e-mail/phone is one of that person's identifiers, even when the
row never reached core.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import polars as pl

from ingest.privacy.identifiers import email_key_expr, phone_key_expr, region_expr
from ingest.tables import (
    GOLDEN_LEADS,
    LEAD_ID_MERGES,
    LEAD_IDENTITY,
    LEAD_RECORDS,
    LINEAGE_COLUMNS,
    POLARS_TYPES,
    RAW_TABLE_NAMES,
)
from ingest.warehouse import table_columns, table_exists

LINEAGE = ("source_file", "source_row", "file_sha256")
LINEAGE_SCHEMA = {c: POLARS_TYPES[LINEAGE_COLUMNS[c]] for c in LINEAGE}


@dataclass(frozen=True)
class Subject:
    """One person's footprint. Holds clear text in memory only; never logged or stored."""

    lead_ids: frozenset[str] = frozenset()
    record_ids: frozenset[str] = frozenset()
    lineage: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=LINEAGE_SCHEMA))
    email_keys: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.lead_ids or self.record_ids or self.lineage.height)


def _columns(conn: duckdb.DuckDBPyConnection, qualified: str) -> set[str]:
    return set(table_columns(conn, qualified))


def _strings(rows: Iterable[tuple]) -> set[str]:
    return {str(v) for row in rows for v in row if v is not None}


def _in(values: Iterable[str]) -> list[str]:
    return sorted(values) or [""]


def _leads_of_records(conn: duckdb.DuckDBPyConnection, record_ids: set[str]) -> set[str]:
    if not record_ids or not table_exists(conn, LEAD_IDENTITY):
        return set()
    return _strings(conn.execute(
        f"select lead_id from {LEAD_IDENTITY} where record_id in (select unnest(?))", [_in(record_ids)]
    ).fetchall())


def _expand_leads(conn: duckdb.DuckDBPyConnection, lead_ids: set[str]) -> set[str]:
    """Add ids retired into (or surviving from) the person's leads: the same person, earlier ids."""
    if not lead_ids or not table_exists(conn, LEAD_ID_MERGES):
        return lead_ids
    found = set(lead_ids)
    while True:
        more = _strings(conn.execute(
            f"select retired_lead_id, surviving_lead_id from {LEAD_ID_MERGES} "
            "where retired_lead_id in (select unnest($ids)) or surviving_lead_id in (select unnest($ids))",
            {"ids": _in(found)},
        ).fetchall())
        if more <= found:
            return found
        found |= more


def _records_of_leads(conn: duckdb.DuckDBPyConnection, lead_ids: set[str]) -> set[str]:
    if not lead_ids or not table_exists(conn, LEAD_IDENTITY):
        return set()
    return _strings(conn.execute(
        f"select record_id from {LEAD_IDENTITY} where lead_id in (select unnest(?))", [_in(lead_ids)]
    ).fetchall())


def _core_matches(conn: duckdb.DuckDBPyConnection, email_key: str | None, phone: str | None) -> set[str]:
    if not table_exists(conn, LEAD_RECORDS) or not (email_key or phone):
        return set()
    return _strings(conn.execute(
        f"select record_id from {LEAD_RECORDS} where cast(email_match_key as varchar) = $e "
        "or lower(cast(email as varchar)) = $e or cast(phone as varchar) = $p",
        {"e": email_key, "p": phone},
    ).fetchall())


def _golden_matches(conn: duckdb.DuckDBPyConnection, email_key: str | None, phone: str | None) -> set[str]:
    if not table_exists(conn, GOLDEN_LEADS) or not (email_key or phone):
        return set()
    cols = _columns(conn, GOLDEN_LEADS)
    terms = [f"lower(cast({c} as varchar)) = $e" for c in ("email", "email_match_key") if c in cols]
    terms += ["cast(phone as varchar) = $p"] if "phone" in cols else []
    if not terms:
        return set()
    return _strings(conn.execute(
        f"select lead_id from {GOLDEN_LEADS} where {' or '.join(terms)}", {"e": email_key, "p": phone}
    ).fetchall())


def _record_identifiers(conn: duckdb.DuckDBPyConnection, record_ids: set[str]) -> tuple[set[str], set[str], set[str], pl.DataFrame]:
    if not record_ids or not table_exists(conn, LEAD_RECORDS):
        return set(), set(), set(), pl.DataFrame(schema=LINEAGE_SCHEMA)
    frame = conn.execute(
        "select cast(coalesce(email_match_key, lower(email)) as varchar) as email_key, "
        "cast(phone as varchar) as phone, cast(first_name as varchar) as first_name, "
        "cast(last_name as varchar) as last_name, "
        "source_file, cast(source_row as bigint) as source_row, file_sha256 "
        f"from {LEAD_RECORDS} where record_id in (select unnest(?))",
        [_in(record_ids)],
    ).pl()
    names = set(frame["first_name"].drop_nulls()) | set(frame["last_name"].drop_nulls())
    return (
        set(frame["email_key"].drop_nulls()),
        set(frame["phone"].drop_nulls()),
        names,
        frame.select(list(LINEAGE)).cast(LINEAGE_SCHEMA),
    )


def _shared_identifiers(conn: duckdb.DuckDBPyConnection, record_ids: set[str], emails: set[str], phones: set[str]) -> tuple[set[str], set[str]]:
    """Identifiers also held by other people's records (a shared switchboard, info@ mailbox)."""
    if not table_exists(conn, LEAD_RECORDS):
        return set(), set()
    rows = conn.execute(
        "with r as (select record_id, cast(coalesce(email_match_key, lower(email)) as varchar) as e, "
        f"cast(phone as varchar) as p from {LEAD_RECORDS}) "
        "select e, p from r where record_id not in (select unnest($r)) and "
        "(e in (select unnest($e)) or p in (select unnest($p)))",
        {"r": _in(record_ids), "e": _in(emails), "p": _in(phones)},
    ).fetchall()
    return {r[0] for r in rows if r[0] in emails}, {r[1] for r in rows if r[1] in phones}


def raw_identifier_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """Normalized e-mail key and E.164 phone/mobile keys of raw rows (source text in, keys out)."""
    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in rows.columns else pl.lit(None, dtype=pl.String)

    region = region_expr(col("country"))
    return rows.with_columns(
        email_key_expr(col("email")).alias("_email_key"),
        phone_key_expr(col("phone"), region).alias("_phone_key"),
        phone_key_expr(col("mobile_phone"), region).alias("_mobile_key"),
    )


def _raw_matches(
    conn: duckdb.DuckDBPyConnection, emails: set[str], phones: set[str], core_lineage: pl.DataFrame
) -> tuple[pl.DataFrame, set[str], set[str]]:
    """Raw rows of the person: same lineage as their core records, or one of their identifiers.

    Returns the rows' lineage and the identifiers those rows carry (a mobile number that core
    never kept still belongs on the suppression list). Vectorized over each raw table.
    """
    found, raw_emails, raw_phones = [core_lineage], set(), set()
    wanted_lineage = core_lineage.with_columns(_own=pl.lit(True))
    for table in RAW_TABLE_NAMES:
        if not table_exists(conn, table):
            continue
        cols = _columns(conn, table)
        wanted = [c for c in ("email", "phone", "mobile_phone", "country") if c in cols]
        rows = conn.sql(
            f"select {', '.join([*LINEAGE, *wanted])} from {table}"
        ).pl().cast({"source_row": pl.Int64})
        keys = raw_identifier_frame(rows).join(wanted_lineage, on=list(LINEAGE), how="left")
        hit = keys.filter(
            pl.col("_own").fill_null(False)
            | pl.col("_email_key").is_in(sorted(emails))
            | pl.col("_phone_key").is_in(sorted(phones))
            | pl.col("_mobile_key").is_in(sorted(phones))
        )
        found.append(hit.select(list(LINEAGE)).cast(LINEAGE_SCHEMA))
        raw_emails |= set(hit["_email_key"].drop_nulls())
        raw_phones |= set(hit["_phone_key"].drop_nulls()) | set(hit["_mobile_key"].drop_nulls())
    return pl.concat(found).unique(), raw_emails, raw_phones


def locate_subject(
    conn: duckdb.DuckDBPyConnection,
    *,
    email_key: str | None = None,
    phone: str | None = None,
    lead_ids: Iterable[str] = (),
) -> Subject:
    """The person behind normalized identifiers and/or lead ids, across core and raw.

    Identifiers found on the person's records are added (so erasure by e-mail also removes the
    phone), except ones other people's records hold too; identifiers given explicitly always count.
    """
    seeds = set(lead_ids) | _golden_matches(conn, email_key, phone)
    seed_records = _core_matches(conn, email_key, phone)
    leads = _expand_leads(conn, seeds | _leads_of_records(conn, seed_records))
    records = seed_records | _records_of_leads(conn, leads)
    emails, phones, names, core_lineage = _record_identifiers(conn, records)
    shared_emails, shared_phones = _shared_identifiers(conn, records, emails, phones)
    emails = (emails - shared_emails) | ({email_key} if email_key else set())
    phones = (phones - shared_phones) | ({phone} if phone else set())
    lineage, raw_emails, raw_phones = _raw_matches(conn, emails, phones, core_lineage)
    shared_emails, shared_phones = _shared_identifiers(conn, records, raw_emails, raw_phones)
    emails |= raw_emails - shared_emails
    phones |= raw_phones - shared_phones
    return Subject(
        lead_ids=frozenset(leads),
        record_ids=frozenset(records),
        lineage=lineage,
        email_keys=frozenset(emails),
        phones=frozenset(phones),
        names=frozenset(names),
    )
