"""Consent completeness (DSGVO Art. 7, UWG §7): who mart_contactability lets us contact, and why.

Joins happen in DuckDB; GX sees one row per contactable lead and channel with only the consent
columns it judges. Which proof each source needs and which legal bases are allowed come from
the dbt seeds mart_contactability reads (quality/contactability.py); checks.yaml holds only the
severities.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from ingest.tables import CONSENT_RECORDS, GOLDEN_LEADS, LEAD_IDENTITY, LEAD_RECORDS, TOUCHPOINTS
from quality.contactability import CONSENT_WITH_PROOF, load_contactability_rules
from quality.specs import Batch, expectation
from quality.suites._sql import quote_literal

TABLES = (
    "marts.mart_contactability",
    GOLDEN_LEADS,
    LEAD_RECORDS,
    CONSENT_RECORDS,
    TOUCHPOINTS,
    LEAD_IDENTITY,
)


def batches(conn: duckdb.DuckDBPyConnection, cfg: dict[str, Any], now: datetime) -> list[Batch]:
    return [_email_batch(cfg), _phone_batch(cfg), _coverage_batch(cfg)]


def _first_contact_sql(cfg: dict[str, Any], channel: str) -> str:
    """First contact per lead: on this channel, and by a CRM activity of unknown channel."""
    contact_types = cfg["contact_touchpoint_types"]
    on_channel = ", ".join(quote_literal(t) for t in contact_types[channel]) or "null"
    unknown_channel = ", ".join(quote_literal(t) for t in contact_types["unknown_channel"]) or "null"
    return f"""
        select i.lead_id,
               min(t.occurred_at) filter (where t.touchpoint_type in ({on_channel})) as first_contact_at,
               min(t.occurred_at) filter (where t.touchpoint_type in ({unknown_channel}))
                   as first_unknown_channel_contact_at
        from {TOUCHPOINTS} t join {LEAD_IDENTITY} i using (record_id)
        group by i.lead_id
    """


def _email_batch(cfg: dict[str, Any]) -> Batch:
    rules = load_contactability_rules()
    sql = f"""
        with consent_method as (
            select record_id, arg_max(method, given_at) as method
            from {CONSENT_RECORDS}
            where channel = 'email' and status = 'granted' and proof_ref is not null
            group by record_id
        ), first_contact as ({_first_contact_sql(cfg, "email")})
        select c.lead_id,
               c.legal_basis,
               coalesce(g.email_consent, 'missing') as email_consent,
               g.email_consent_at,
               g.email_consent_source,
               g.email_consent_proof,
               coalesce(r.source_kind, 'unknown') || ':' || coalesce(m.method, 'none') as proof_source_method,
               coalesce(g.do_not_email, false) as do_not_email,
               f.first_contact_at,
               f.first_unknown_channel_contact_at
        from marts.mart_contactability c
        left join {GOLDEN_LEADS} g using (lead_id)
        left join {LEAD_RECORDS} r on r.record_id = g.email_consent_record_id
        left join consent_method m on m.record_id = g.email_consent_record_id
        left join first_contact f using (lead_id)
        where c.channel = 'email' and c.is_contactable
    """
    allowed_methods = rules.proof_methods_by_source_kind("email")
    specs = [
        expectation(cfg, "email_legal_basis_allowed", "ExpectColumnValuesToBeInSet", column="legal_basis",
                    value_set=rules.email_legal_bases()),
        expectation(cfg, "email_consent_granted", "ExpectColumnValuesToBeInSet", column="email_consent",
                    value_set=["granted"]),
        expectation(cfg, "email_consent_timestamp", "ExpectColumnValuesToNotBeNull", column="email_consent_at"),
        expectation(cfg, "email_consent_source", "ExpectColumnValuesToNotBeNull", column="email_consent_source"),
        expectation(cfg, "email_consent_proof", "ExpectColumnValuesToNotBeNull", column="email_consent_proof"),
        expectation(cfg, "email_proof_method_for_source", "ExpectColumnValuesToBeInSet",
                    column="proof_source_method",
                    value_set=sorted(f"{kind}:{method}" for kind, methods in allowed_methods.items()
                                     for method in methods)),
        expectation(cfg, "email_not_opted_out", "ExpectColumnValuesToBeInSet", column="do_not_email",
                    value_set=[False]),
        expectation(cfg, "email_consent_before_first_contact", "ExpectColumnPairValuesAToBeGreaterThanB",
                    column_A="first_contact_at", column_B="email_consent_at", or_equal=True,
                    ignore_row_if="either_value_is_missing"),
        expectation(cfg, "email_consent_before_unknown_channel_contact",
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    column_A="first_unknown_channel_contact_at", column_B="email_consent_at", or_equal=True,
                    ignore_row_if="either_value_is_missing"),
    ]
    return Batch(name="email_contactable", sql=sql, id_column="lead_id", expectations=specs, tables=TABLES)


def _phone_batch(cfg: dict[str, Any]) -> Batch:
    express = f"c.legal_basis = {quote_literal(CONSENT_WITH_PROOF)}"
    sql = f"""
        with first_contact as ({_first_contact_sql(cfg, "phone")})
        select c.lead_id,
               coalesce(g.segment, 'unknown') || ':' || coalesce(c.legal_basis, 'none') as segment_legal_basis,
               case when {express} then coalesce(g.phone_consent, 'missing') end as express_consent,
               case when {express} then g.phone_consent_at end as express_consent_at,
               {express} as claims_express_consent,
               coalesce(g.do_not_call, false) as do_not_call,
               f.first_contact_at,
               f.first_unknown_channel_contact_at
        from marts.mart_contactability c
        left join {GOLDEN_LEADS} g using (lead_id)
        left join first_contact f using (lead_id)
        where c.channel = 'phone' and c.is_contactable
    """
    by_segment = load_contactability_rules().phone_legal_bases_by_segment()
    specs = [
        expectation(cfg, "phone_not_opted_out", "ExpectColumnValuesToBeInSet", column="do_not_call",
                    value_set=[False]),
        expectation(cfg, "phone_legal_basis_for_segment", "ExpectColumnValuesToBeInSet",
                    column="segment_legal_basis",
                    value_set=sorted(f"{s}:{b}" for s, bases in by_segment.items() for b in bases)),
        expectation(cfg, "phone_express_consent_granted", "ExpectColumnValuesToBeInSet",
                    column="express_consent", value_set=["granted"]),
        expectation(cfg, "phone_express_consent_timestamp", "ExpectColumnValuesToNotBeNull",
                    column="express_consent_at", row_condition="claims_express_consent==True",
                    condition_parser="pandas"),
        expectation(cfg, "phone_consent_before_first_contact", "ExpectColumnPairValuesAToBeGreaterThanB",
                    column_A="first_contact_at", column_B="express_consent_at", or_equal=True,
                    ignore_row_if="either_value_is_missing"),
        expectation(cfg, "phone_consent_before_unknown_channel_contact",
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    column_A="first_unknown_channel_contact_at", column_B="express_consent_at",
                    or_equal=True, ignore_row_if="either_value_is_missing"),
    ]
    return Batch(name="phone_contactable", sql=sql, id_column="lead_id", expectations=specs, tables=TABLES)


def _coverage_batch(cfg: dict[str, Any]) -> Batch:
    """Share of records with an e-mail or phone consent proof, per source system."""
    rule = cfg["expectations"]["consent_proof_coverage"]
    overrides = rule.get("min_by_source") or {}
    cases = " ".join(f"when {quote_literal(s)} then {float(v)}" for s, v in overrides.items())
    minimum = f"case source_system {cases} else {float(rule['default_min'])} end" if cases else str(
        float(rule["default_min"]))
    sql = f"""
        select source_system,
               count(*) filter (where email_consent_proof is not null or phone_consent_proof is not null)
                   / count(*) as proof_share,
               {minimum}::double as min_proof_share
        from {LEAD_RECORDS} group by source_system
    """
    spec = expectation(cfg, "consent_proof_coverage", "ExpectColumnPairValuesAToBeGreaterThanB",
                       column_A="proof_share", column_B="min_proof_share", or_equal=True)
    return Batch(name="consent_proof_coverage", sql=sql, id_column="source_system", expectations=[spec],
                 tables=(LEAD_RECORDS,))


