"""core.golden_leads / core.lead_identity: one lead per record, traceable golden fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from ingest.tables import GOLDEN_LEADS, LEAD_IDENTITY, LEAD_RECORDS
from ingest.warehouse import table_columns
from quality.specs import Batch, expectation
from quality.suites._sql import quote_ident, quote_literal

TABLES = (GOLDEN_LEADS, LEAD_IDENTITY, LEAD_RECORDS)
CONSENT_CHANNELS = ("email", "phone", "postal")


def batches(conn: duckdb.DuckDBPyConnection, cfg: dict[str, Any], now: datetime) -> list[Batch]:
    golden_columns = table_columns(conn, GOLDEN_LEADS)
    return [
        Batch(name="golden_leads", sql=f"select lead_id from {GOLDEN_LEADS}", id_column="lead_id",
              expectations=[expectation(cfg, "lead_id_unique", "ExpectColumnValuesToBeUnique", column="lead_id")],
              tables=TABLES[:1]),
        _record_mapping_batch(cfg),
        _identity_rows_batch(cfg),
        _lead_batch(cfg, golden_columns),
    ]


def _record_mapping_batch(cfg: dict[str, Any]) -> Batch:
    sql = f"""
        select r.record_id, count(i.lead_id) as lead_mappings
        from {LEAD_RECORDS} r left join {LEAD_IDENTITY} i using (record_id)
        group by r.record_id
    """
    spec = expectation(cfg, "record_mapped_once", "ExpectColumnValuesToBeBetween",
                       column="lead_mappings", min_value=1, max_value=1)
    return Batch(name="record_mappings", sql=sql, id_column="record_id", expectations=[spec], tables=TABLES)


def _identity_rows_batch(cfg: dict[str, Any]) -> Batch:
    sql = f"""
        select i.record_id, g.lead_id as golden_lead_id
        from {LEAD_IDENTITY} i
        left join (select distinct lead_id from {GOLDEN_LEADS}) g using (lead_id)
    """
    spec = expectation(cfg, "mapped_lead_exists", "ExpectColumnValuesToNotBeNull", column="golden_lead_id")
    return Batch(name="identity_rows", sql=sql, id_column="record_id", expectations=[spec], tables=TABLES)


def traced_fields(golden_columns: list[str]) -> list[tuple[str, str, str]]:
    """(reference column, value condition, field) for every golden field that names its source.

    Survived fields `X` carry `X__record_id`; combined consent carries `c_consent_record_id`,
    which must name a record whenever consent is granted.
    """
    present = set(golden_columns)
    traced = [
        (column, f"{quote_ident(column[: -len('__record_id')])} is not null", column[: -len("__record_id")])
        for column in golden_columns
        if column.endswith("__record_id") and column[: -len("__record_id")] in present
    ]
    for channel in CONSENT_CHANNELS:
        ref, value = f"{channel}_consent_record_id", f"{channel}_consent"
        if ref in present and value in present:
            traced.append((ref, f"{quote_ident(value)} = 'granted'", value))
    return traced


def _lead_batch(cfg: dict[str, Any], golden_columns: list[str]) -> Batch:
    """Per lead: how many golden fields do not trace to one of its records, and its cluster size."""
    traced = traced_fields(golden_columns)
    refs = " union all ".join(
        f"select lead_id, {quote_ident(ref)} as ref, {quote_literal(field)} as field "
        f"from {GOLDEN_LEADS} where {condition}"
        for ref, condition, field in traced
    ) or "select null::varchar as lead_id, null::varchar as ref, null::varchar as field where false"
    sql = f"""
        with refs as ({refs}),
        untraceable as (
            select refs.lead_id, count(*) as n
            from refs left join {LEAD_IDENTITY} i on i.record_id = refs.ref
            where i.lead_id is distinct from refs.lead_id
            group by refs.lead_id
        ),
        clusters as (
            select lead_id, count(*) as n from {LEAD_IDENTITY} group by lead_id
        )
        select g.lead_id,
               coalesce(u.n, 0) as untraceable_fields,
               coalesce(c.n, 0) as cluster_records
        from (select distinct lead_id from {GOLDEN_LEADS}) g
        left join untraceable u using (lead_id)
        left join clusters c using (lead_id)
    """
    bound = int(cfg["expectations"]["cluster_size_bounded"]["max_records_per_lead"])
    specs = [
        expectation(cfg, "golden_fields_traceable", "ExpectColumnValuesToBeBetween",
                    column="untraceable_fields", max_value=0),
        expectation(cfg, "cluster_size_bounded", "ExpectColumnValuesToBeBetween",
                    column="cluster_records", max_value=bound),
    ]
    return Batch(name="golden_lead_lineage", sql=sql, id_column="lead_id", expectations=specs, tables=TABLES)
