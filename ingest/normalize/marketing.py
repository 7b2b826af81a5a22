"""Segment, channel, lead source detail and CRM lifecycle stage, by the rules in marketing.yaml."""

from __future__ import annotations

import polars as pl

from ingest.normalize.flags import boolean_expr
from ingest.normalize.rulebook import load_yaml
from ingest.normalize.text import bind_distinct, clean_text_expr


def _rules() -> dict:
    return load_yaml("marketing.yaml")


def segment_expr(company: pl.Expr, email_valid: pl.Expr, email_is_freemail: pl.Expr) -> pl.Expr:
    """b2b when a company is named or the e-mail is a business address; b2c otherwise."""
    business_mail = email_valid.fill_null(False) & ~email_is_freemail.fill_null(False)
    return pl.when(company.is_not_null() | business_mail).then(pl.lit("b2b")).otherwise(pl.lit("b2c"))


def _lead_source_key(lead_source: pl.Expr) -> pl.Expr:
    return bind_distinct(
        lambda v: clean_text_expr(v).str.to_lowercase().str.replace_all(r"[\s_\-]+", " ").str.strip_chars(),
        pl.String,
        lead_source.cast(pl.String),
    )


def lead_source_detail_expr(source_kind: pl.Expr, form_type: pl.Expr, lead_source: pl.Expr) -> pl.Expr:
    """Form type for web forms, list_purchase for bought lists, the mapped CRM lead source."""
    rules = _rules()
    crm = _lead_source_key(lead_source).replace_strict(
        {k: v["detail"] for k, v in rules["lead_sources"].items()},
        default=rules["crm_default_lead_source_detail"],
        return_dtype=pl.String,
    )
    return (
        pl.when(source_kind == "web_form").then(clean_text_expr(form_type).str.to_lowercase())
        .when(source_kind == "purchased_list").then(pl.lit("list_purchase"))
        .otherwise(crm)
    )


def channel_expr(source_kind: pl.Expr, lead_source: pl.Expr) -> pl.Expr:
    """inbound | outbound: by source kind, and for CRM records by their lead source."""
    rules = _rules()
    crm = _lead_source_key(lead_source).replace_strict(
        {k: v["channel"] for k, v in rules["lead_sources"].items()},
        default=rules["crm_default_channel"],
        return_dtype=pl.String,
    )
    by_kind = source_kind.replace_strict(rules["channel_by_source_kind"], default=None, return_dtype=pl.String)
    return pl.coalesce(by_kind, crm)


def lifecycle_stage_expr(lifecycle: pl.Expr, lead_status: pl.Expr, is_converted: pl.Expr) -> pl.Expr:
    """lead | mql | sql | opportunity | customer | other from HubSpot or Salesforce fields."""
    rules = _rules()

    def hubspot(value: pl.Expr) -> pl.Expr:
        key = clean_text_expr(value).str.to_lowercase().str.replace_all(r"[\s_\-]+", "")
        return pl.when(key.is_not_null()).then(
            key.replace_strict(rules["hubspot_lifecycle"], default="other", return_dtype=pl.String)
        )

    def salesforce(value: pl.Expr) -> pl.Expr:
        key = clean_text_expr(value).str.to_lowercase().str.replace_all(r"\s+", " ")
        return pl.when(key.is_not_null()).then(
            key.replace_strict(rules["salesforce_status"], default="other", return_dtype=pl.String)
        )

    converted = boolean_expr(is_converted).fill_null(False)
    return pl.coalesce(
        bind_distinct(hubspot, pl.String, lifecycle.cast(pl.String)),
        pl.when(converted).then(pl.lit(rules["salesforce_converted_stage"])),
        bind_distinct(salesforce, pl.String, lead_status.cast(pl.String)),
    )
