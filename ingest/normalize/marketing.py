"""Segment, channel, lead source detail, CRM lifecycle stage and outcome.

The vocabularies are per source (ingest/normalize/value_maps.py: the shared rules in
ingest/rules/marketing.yaml with each contract's own `values:` on top).
"""

from __future__ import annotations

import polars as pl

from ingest.normalize.rulebook import load_yaml
from ingest.normalize.text import clean_text_expr
from ingest.normalize.value_maps import ValueMaps


def _rules() -> dict:
    return load_yaml("marketing.yaml")


def segment_expr(company: pl.Expr, email_valid: pl.Expr, email_is_freemail: pl.Expr) -> pl.Expr:
    """b2b when a company is named or the e-mail is a business address; b2c otherwise."""
    business_mail = email_valid.fill_null(False) & ~email_is_freemail.fill_null(False)
    return pl.when(company.is_not_null() | business_mail).then(pl.lit("b2b")).otherwise(pl.lit("b2c"))


def lead_source_detail_expr(
    maps: ValueMaps, contract: pl.Expr, source_kind: pl.Expr, form_type: pl.Expr, lead_source: pl.Expr
) -> pl.Expr:
    """Form type for web forms; for CRM records and lead lists the mapped lead source;
    list_purchase for a bought list that names no (known) source."""
    rules = _rules()
    mapped = maps.lead_source(contract, clean_text_expr(lead_source), "detail")
    return (
        pl.when(source_kind == "web_form").then(clean_text_expr(form_type).str.to_lowercase())
        .when(source_kind == "purchased_list").then(pl.coalesce(mapped, pl.lit("list_purchase")))
        .otherwise(pl.coalesce(mapped, pl.lit(rules["crm_default_lead_source_detail"])))
    )


def channel_expr(maps: ValueMaps, contract: pl.Expr, source_kind: pl.Expr, lead_source: pl.Expr) -> pl.Expr:
    """inbound | outbound: web forms and bought lists by their kind, CRM records by lead source."""
    rules = _rules()
    mapped = maps.lead_source(contract, clean_text_expr(lead_source), "channel")
    by_kind = source_kind.replace_strict(rules["channel_by_source_kind"], default=None, return_dtype=pl.String)
    return pl.coalesce(by_kind, mapped, pl.lit(rules["crm_default_channel"]))


def lifecycle_stage_expr(
    maps: ValueMaps, contract: pl.Expr, lifecycle: pl.Expr, lead_status: pl.Expr, is_converted: pl.Expr
) -> pl.Expr:
    """lead | mql | sql | opportunity | customer | other: the lifecycle-stage field, else a
    converted flag, else the status picklist; NULL when the source says nothing."""
    converted = maps.boolean(contract, clean_text_expr(is_converted)).fill_null(False)
    return pl.coalesce(
        maps.stage("lifecycle_stage", contract, clean_text_expr(lifecycle)),
        pl.when(converted).then(maps.converted_stage(contract)),
        maps.stage("lead_status", contract, clean_text_expr(lead_status)),
    )


def outcome_expr(
    maps: ValueMaps,
    contract: pl.Expr,
    outcome: pl.Expr,
    lead_status: pl.Expr,
    lifecycle: pl.Expr,
    is_converted: pl.Expr,
) -> pl.Expr:
    """converted | won | lost | disqualified, or NULL while the lead is open.

    An explicit outcome column wins (its yes/no words read as converted/lost), then the CRM's
    converted flag when it is set (Salesforce sets it when the lead is converted into an account
    and opportunity, whatever status the lead kept), then the status, then the lifecycle stage.
    """
    outcome_text = clean_text_expr(outcome)
    flag = maps.boolean(contract, outcome_text)
    decided = pl.coalesce(
        maps.outcome(contract, outcome_text),
        pl.when(flag).then(pl.lit("converted")).when(flag.not_()).then(pl.lit("lost")),
        pl.when(maps.boolean(contract, clean_text_expr(is_converted)).fill_null(False)).then(pl.lit("converted")),
        maps.outcome(contract, clean_text_expr(lead_status)),
        maps.outcome(contract, clean_text_expr(lifecycle)),
    )
    return pl.when(decided != "open").then(decided)
