"""Delete one or many people's rows from every table of the warehouse: the one way rows go.

Erasure and retention both call `delete_subject`, so a purge can never forget a layer the
erasure knows about. Tables are found by their columns, not by name, so a new mart or snapshot
with a `lead_id` is covered without a code change. Views are left alone: they follow their tables.
The caller owns the transaction.
"""

from __future__ import annotations

import re

import duckdb
import phonenumbers
import polars as pl

from ingest.normalize.email import email_match_key_sql
from ingest.privacy.locate import LINEAGE, Subject
from ingest.privacy.tables import PROTECTED_TABLES
from ingest.tables import FILE_ERASURES, QUARANTINE_ROWS

_RECORD_COLUMN = re.compile(r"(^|_)record_id(_a|_b)?$")
_LEAD_COLUMN = re.compile(r"(^|_)lead_id(_a|_b)?$")
_EMAIL_COLUMNS = {"email", "email_match_key"}
_PHONE_COLUMNS = {"phone", "mobile_phone"}
# Text pieces of a quarantined line; the e-mail inside is compared by its match key
# (aliases folded as in ingest/rules/email_aliases.csv).
_EMAIL_TOKEN = r"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}"
_FIELD_SPLIT = r"[;,\t\"{}\[\]|]"
_SKIP_SCHEMAS = ("information_schema", "pg_catalog")


def phone_digit_forms(e164_numbers: frozenset[str]) -> list[str]:
    """Digit strings a number may be written as in a source line (+49…, 0049…, 0…, bare)."""
    forms: set[str] = set()
    for number in e164_numbers:
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            continue
        cc, nsn = str(parsed.country_code), phonenumbers.national_significant_number(parsed)
        forms |= {cc + nsn, "00" + cc + nsn, "0" + nsn, nsn}
    return sorted(forms)


def base_tables(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (schema, table) of the warehouse file, views excluded."""
    return [
        (s, t)
        for s, t in conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_type = 'BASE TABLE' "
            "and table_schema not in (select unnest(?)) order by 1, 2",
            [list(_SKIP_SCHEMAS)],
        ).fetchall()
    ]


def _column_names(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _conditions(columns: list[str]) -> list[str]:
    """SQL predicates that say "this row is about the subject", from the table's columns."""
    names = set(columns)
    out: list[str] = []
    for c in columns:
        if _RECORD_COLUMN.search(c):
            out.append(f'cast(t."{c}" as varchar) in (select record_id from _privacy_records)')
        if _LEAD_COLUMN.search(c):
            out.append(f'cast(t."{c}" as varchar) in (select lead_id from _privacy_leads)')
        if c in _EMAIL_COLUMNS:
            address = f'lower(trim(cast(t."{c}" as varchar)))'
            out.append(f"{address} in (select term from _privacy_emails)")
            out.append(f"{email_match_key_sql(address)} in (select term from _privacy_emails)")
        if c in _PHONE_COLUMNS:
            out.append(f'cast(t."{c}" as varchar) in (select term from _privacy_phones)')
    if set(LINEAGE) <= names:
        out.append(
            "exists (select 1 from _privacy_lineage l where l.source_file = t.source_file "
            "and l.source_row = t.source_row and l.file_sha256 = t.file_sha256)"
        )
    if "raw_text" in names:
        out.append(
            "list_has_any(list_transform(regexp_extract_all(lower(t.raw_text), "
            f"'{_EMAIL_TOKEN}'), x -> {email_match_key_sql('x')}), "
            "(select coalesce(list(term), []) from _privacy_emails))"
        )
        out.append(
            f"list_has_any(list_transform(regexp_split_to_array(t.raw_text, '{_FIELD_SPLIT}'), "
            "x -> regexp_replace(x, '[^0-9]', '', 'g')), "
            "(select coalesce(list(term), []) from _privacy_phone_digits))"
        )
    return out


def _register(conn: duckdb.DuckDBPyConnection, subject: Subject) -> None:
    def terms(values) -> pl.DataFrame:
        return pl.DataFrame({"term": sorted(values)}, schema={"term": pl.String})

    conn.register("_privacy_records", pl.DataFrame({"record_id": sorted(subject.record_ids)}, schema={"record_id": pl.String}).to_arrow())
    conn.register("_privacy_leads", pl.DataFrame({"lead_id": sorted(subject.lead_ids)}, schema={"lead_id": pl.String}).to_arrow())
    conn.register("_privacy_lineage", subject.lineage.to_arrow())
    conn.register("_privacy_emails", terms(subject.email_keys).to_arrow())
    conn.register("_privacy_phones", terms(subject.phones).to_arrow())
    conn.register("_privacy_phone_digits", terms(phone_digit_forms(subject.phones)).to_arrow())


def _unregister(conn: duckdb.DuckDBPyConnection) -> None:
    for name in ("_privacy_records", "_privacy_leads", "_privacy_lineage", "_privacy_emails",
                 "_privacy_phones", "_privacy_phone_digits"):
        conn.unregister(name)




def _record_file_erasures(conn: duckdb.DuckDBPyConnection, schema: str, table: str, where: str) -> None:
    """Count, per landing file version, the raw and quarantine rows about to be deleted.

    The file registry keeps what each file delivered; these counts let the reconciliation
    (registry = raw + quarantine + erased) keep balancing after an erasure or purge.
    """
    layer = (
        "case when t.reason = 'suppressed' then 'suppressed' else 'quarantine' end"
        if f"{schema}.{table}" == QUARANTINE_ROWS else "'raw'"
    )
    conn.execute("create schema if not exists audit")
    conn.execute(
        f"create table if not exists {FILE_ERASURES} (source_file varchar, file_sha256 varchar, "
        "layer varchar, rows_erased bigint, erased_at timestamp)"
    )
    conn.execute(
        f"insert into {FILE_ERASURES} select t.source_file, t.file_sha256, {layer}, count(*), "
        f"cast(timezone('UTC', now()) as timestamp) from \"{schema}\".\"{table}\" t where {where} group by all"
    )


def subject_rows(conn: duckdb.DuckDBPyConnection, subject: Subject, schema: str, table: str) -> list[dict]:
    """The rows of one table an erasure of `subject` would delete (subject access shows them)."""
    conditions = _conditions(_column_names(conn, schema, table))
    if not conditions:
        return []
    _register(conn, subject)
    try:
        where = " or ".join(f"({c})" for c in conditions)
        return conn.sql(f'select t.* from "{schema}"."{table}" t where {where}').pl().to_dicts()
    finally:
        _unregister(conn)


def delete_subject(conn: duckdb.DuckDBPyConnection, subject: Subject) -> dict[str, int]:
    """Delete the subject's rows everywhere except the privacy log and suppression list.

    Returns rows deleted per table (tables with no match are left out). Run inside the caller's
    transaction so the deletion, suppression entry and audit row commit together.
    """
    counts: dict[str, int] = {}
    _register(conn, subject)
    try:
        for schema, table in base_tables(conn):
            if f"{schema}.{table}" in PROTECTED_TABLES:
                continue
            columns = _column_names(conn, schema, table)
            conditions = _conditions(columns)
            if not conditions:
                continue
            where = " or ".join(f"({c})" for c in conditions)
            if (schema == "raw" or f"{schema}.{table}" == QUARANTINE_ROWS) and {
                "source_file", "file_sha256"
            } <= set(columns):
                _record_file_erasures(conn, schema, table, where)
            deleted = conn.execute(f'delete from "{schema}"."{table}" t where {where}').fetchone()
            if deleted and deleted[0]:
                counts[f"{schema}.{table}"] = int(deleted[0])
    finally:
        _unregister(conn)
    return counts
