"""Per-lead features and decided outcomes, aggregated from core.lead_records over core.lead_identity.

Only what is known before sales acts on a lead: behaviour (visits, time on site, page views,
e-mails, forms, the last activity), where the lead came from, and who the person is. Never the
CRM status, lifecycle stage, outcome, rating, tags, or the incumbent's own score or grade.
Activity columns are per record; a lead's value is the largest of its records' (several exports
of one person repeat the same counters), its last activity the one of its latest record.

Two facts come from the creation date every CRM records: the lead's age (days between its first
record's creation and the newest creation in the warehouse, so the same data gives the same
features whatever the day of the run), and how many leads of its system were created in the same
minute (a list import creates hundreds at once, a form or a rep one). Both are fixed when the lead
is created; the outcome a CRM export carries is "converted so far", which depends on age.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from ingest.tables import LEAD_IDENTITY, LEAD_RECORDS


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # numeric | category | flag
    label: str  # plain words for explanations
    unit: str = ""


FEATURES: tuple[Feature, ...] = (
    Feature("web_visits", "numeric", "website visits"),
    Feature("time_on_site_minutes", "numeric", "time on site", "min"),
    Feature("page_views", "numeric", "page views"),
    Feature("page_views_per_visit", "numeric", "page views per visit"),
    Feature("email_opens", "numeric", "e-mail opens"),
    Feature("email_clicks", "numeric", "e-mail clicks"),
    Feature("form_submissions", "numeric", "form submissions"),
    Feature("campaign_memberships", "numeric", "marketing campaigns"),
    Feature("employee_count", "numeric", "employees"),
    Feature("lead_age_days", "numeric", "lead age", "days"),
    Feature("created_with_leads", "numeric", "leads created in the same minute"),
    Feature("last_activity_type", "category", "last activity"),
    Feature("lead_origin", "category", "lead origin"),
    Feature("lead_source", "category", "lead source"),
    Feature("occupation", "category", "occupation"),
    Feature("country_code", "category", "country"),
    Feature("region", "category", "region"),
    Feature("city", "category", "city"),
    Feature("seniority", "category", "seniority"),
    Feature("industry", "category", "industry"),
    Feature("first_source_kind", "category", "first source"),
    Feature("is_email_freemail", "flag", "freemail address"),
    Feature("has_valid_phone", "flag", "valid phone number"),
    Feature("is_do_not_email", "flag", "opted out of e-mail"),
)

# Columns of core.lead_records the features read (SPEC: docs/data_contracts.md).
_LATEST = "coalesce(r.last_activity_at, r.ingested_at)"


def _latest(column: str) -> str:
    return f"arg_max(r.{column}, r.ingested_at) filter (where r.{column} is not null)"


def _first(column: str) -> str:
    return f"arg_min(r.{column}, coalesce(r.created_at, r.ingested_at)) filter (where r.{column} is not null)"


def feature_query(outcome_classes: tuple[tuple[str, bool], ...]) -> str:
    converted = ", ".join(f"'{o}'" for o, is_conv in outcome_classes if is_conv) or "null"
    lost = ", ".join(f"'{o}'" for o, is_conv in outcome_classes if not is_conv) or "null"
    return f"""
        with records as (
            select r.*,
                   case when r.created_at is not null then count(*) over (
                       partition by r.source_system, date_trunc('minute', r.created_at)) end as created_with_leads
            from {LEAD_RECORDS} as r
        )
        select
            i.lead_id,
            max(r.web_visits) as web_visits,
            max(r.time_on_site_seconds) / 60.0 as time_on_site_minutes,
            max(r.page_views) as page_views,
            max(r.page_views) / nullif(max(r.web_visits), 0) as page_views_per_visit,
            max(r.email_opens) as email_opens,
            max(r.email_clicks) as email_clicks,
            max(r.form_submissions) as form_submissions,
            max(r.campaign_memberships) as campaign_memberships,
            max(r.employee_count) as employee_count,
            date_diff('day', min(r.created_at), (select max(created_at) from {LEAD_RECORDS})) as lead_age_days,
            arg_min(r.created_with_leads, r.created_at) as created_with_leads,
            arg_max(r.last_activity_type, {_LATEST}) filter (where r.last_activity_type is not null)
                as last_activity_type,
            {_first('lead_origin')} as lead_origin,
            {_first('lead_source')} as lead_source,
            {_latest('occupation')} as occupation,
            {_latest('country_code')} as country_code,
            {_latest('region')} as region,
            {_latest('city')} as city,
            {_latest('seniority')} as seniority,
            lower({_latest('industry')}) as industry,
            arg_min(r.source_kind, coalesce(r.created_at, r.ingested_at)) as first_source_kind,
            bool_or(r.email_is_freemail) filter (where r.email_valid) as is_email_freemail,
            coalesce(bool_or(r.phone_valid), false) as has_valid_phone,
            coalesce(bool_or(r.do_not_email), false) as is_do_not_email,
            bool_or(r.source_kind = 'crm_export') as is_in_crm,
            case
                when bool_or(r.outcome in ({converted})) then true
                when bool_or(r.outcome in ({lost})) then false
            end as is_converted
        from records as r
        inner join {LEAD_IDENTITY} as i on r.record_id = i.record_id
        group by i.lead_id
    """


REQUIRED_COLUMNS = (
    "record_id", "ingested_at", "created_at", "source_kind", "web_visits", "time_on_site_seconds", "page_views",
    "email_opens", "email_clicks", "form_submissions", "campaign_memberships", "employee_count",
    "last_activity_type", "last_activity_at", "lead_origin", "lead_source", "occupation", "country_code", "region",
    "city", "seniority", "industry",
    "email_is_freemail", "email_valid", "phone_valid", "do_not_email", "outcome",
)


def training_outcome(frame: pl.DataFrame, open_as_lost_after_days: int, weight: float = 1.0) -> pl.Series:
    """What the model learns from: the decided outcome, and for a lead still open in the CRM
    longer than `open_as_lost_after_days` after its creation, not converted.

    A CRM export says "converted so far". A lead worked for a whole sales cycle without
    converting has, for scoring, not converted, the way CRM vendors' own predictive scoring
    counts it; young open leads, and leads that never reached the CRM (a bought address, a
    newsletter sign-up), stay out of training. 0 days or weight 0 keeps every open lead out; the
    weight itself applies in training (scoring.train).
    """
    decided = pl.col("is_converted")
    if open_as_lost_after_days <= 0 or weight <= 0:
        return frame.get_column("is_converted")
    stale = decided.is_null() & pl.col("is_in_crm").fill_null(False) & (pl.col("lead_age_days") > open_as_lost_after_days)
    return frame.select(pl.when(stale).then(pl.lit(False)).otherwise(decided).alias("is_converted")).to_series()


def read_features(conn: duckdb.DuckDBPyConnection, outcome_classes: tuple[tuple[str, bool], ...]) -> pl.DataFrame:
    """One row per lead: its features and `is_converted` (true / false when decided, else null)."""
    present = {row[0] for row in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'core' and table_name = 'lead_records'"
    ).fetchall()}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise ValueError(
            f"{LEAD_RECORDS} lacks the column(s) {', '.join(missing)} that the conversion model reads "
            "(docs/data_contracts.md); rebuild the core tables with the current normalization "
            "(normalize with full_rebuild: true)"
        )
    # Sorted by lead so that folds depend on the seed only (Polars sorts faster than DuckDB here).
    return conn.sql(feature_query(outcome_classes)).pl().sort("lead_id")
