"""Interactions per record (core.touchpoints): form submissions, list purchases, CRM events."""

from __future__ import annotations

import polars as pl

from ingest.tables import TOUCHPOINTS, table

TOUCHPOINT_SCHEMA = table(TOUCHPOINTS).polars_schema()

# CRM timestamp column -> touchpoint type, in funnel order.
CRM_EVENTS = {
    "created_at": "crm_created",
    "mql_at_ts": "crm_mql",
    "sql_at_ts": "crm_sql",
    "opportunity_at_ts": "crm_opportunity",
    "customer_at_ts": "crm_customer",
    "last_activity_at_ts": "crm_activity",
}


def _select(frame: pl.LazyFrame, *, where: pl.Expr, kind: pl.Expr, at: pl.Expr, cost: pl.Expr, detail: pl.Expr) -> pl.LazyFrame:
    return frame.filter(where).select(
        touchpoint_id=pl.concat_str([pl.col("record_id"), kind], separator=":"),
        record_id="record_id",
        touchpoint_type=kind,
        occurred_at=at,
        source_kind="source_kind",
        source_system="source_system",
        cost_eur=cost,
        detail=detail,
    )


def touchpoints(records: pl.LazyFrame) -> pl.LazyFrame:
    """Expects parsed columns created_at, list_price, form_type and the CRM *_ts columns."""
    c = pl.col
    kind = c("source_kind")
    no_cost = pl.lit(None, pl.Float64)
    utm = pl.concat_str(
        [
            pl.lit("utm_source=") + c("utm_source").fill_null(""),
            pl.lit("utm_medium=") + c("utm_medium").fill_null(""),
            pl.lit("utm_campaign=") + c("utm_campaign").fill_null(""),
            pl.lit("page_url=") + c("page_url").fill_null(""),
        ],
        separator=";",
    )
    parts = [
        # A submission whose own time is unreadable (flagged in date_issues) still happened: it is
        # dated when Leadwerk received it, and the detail says so.
        _select(records, where=(kind == "web_form") & c("form_type").is_not_null(), kind=c("form_type"),
                at=pl.coalesce(c("created_at"), c("ingested_at")), cost=no_cost,
                detail=pl.when(c("created_at").is_null()).then(utm + pl.lit(";time=received")).otherwise(utm)),
        _select(records, where=kind == "purchased_list", kind=pl.lit("list_purchase"),
                at=pl.coalesce(c("created_at"), c("ingested_at")), cost=c("list_price"),
                detail=pl.lit("file=") + c("source_file")),
    ]
    for column, event in CRM_EVENTS.items():
        parts.append(
            _select(records, where=(kind == "crm_export") & c(column).is_not_null(), kind=pl.lit(event),
                    at=c(column), cost=no_cost,
                    detail=pl.concat_str([pl.lit("status="), c("crm_status").fill_null(""),
                                          pl.lit(";lifecycle="), c("lifecycle_stage").fill_null("")]))
        )
    return pl.concat(parts, how="vertical").cast(TOUCHPOINT_SCHEMA)
