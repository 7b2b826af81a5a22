"""Column lists of the tables ingestion writes (docs/data_contracts.md is the source of truth).

Every table has a fixed column set so that files with fewer fields still produce the same
schema, and downstream dbt sources and normalization can rely on it.
"""

from __future__ import annotations

import polars as pl

FOLDER_KINDS: dict[str, str] = {
    "purchased_lists": "purchased_list",
    "web_forms": "web_form",
    "crm_exports": "crm_export",
}

RAW_TABLES: dict[str, str] = {
    "purchased_list": "raw.purchased_list_records",
    "web_form": "raw.web_form_submissions",
    "crm_export": "raw.crm_records",
}

QUARANTINE_TABLE = "quarantine.rows"
REGISTRY_TABLE = "audit.file_registry"

LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "source_kind": pl.String(),
    "source_system": pl.String(),
    "source_file": pl.String(),
    "file_sha256": pl.String(),
    "source_row": pl.Int64(),
    "ingested_at": pl.Datetime("us"),
    "batch_id": pl.String(),
    "contract": pl.String(),
    "extra_fields": pl.String(),
}

COMMON_FIELDS = [
    "source_record_id", "salutation", "academic_title", "first_name", "last_name", "email",
    "phone", "mobile_phone", "street", "house_number", "postcode", "city", "country",
    "birth_date", "company", "job_title", "industry", "employee_count", "created_at",
]

# Behaviour and outcome columns that CRM exports and lead lists carry (scoring reads them),
# and the whole name where a source has no first/last name columns.
ACTIVITY_FIELDS = [
    "full_name",
    "web_visits", "time_on_site_seconds", "time_on_site_minutes", "page_views",
    "page_views_per_visit", "email_opens", "email_clicks", "form_submissions",
    "last_activity_type", "last_activity_at", "source_score", "source_grade", "outcome",
    "outcome_at", "occupation", "lead_origin", "website", "annual_revenue",
]

# What a CRM (or a lead list exported from one) says about a lead's stage and consent.
CRM_STATE_FIELDS = [
    "lifecycle_stage", "lead_status", "lead_source", "rating", "is_converted", "converted_at",
    "opt_out_email", "do_not_call",
]

KIND_FIELDS: dict[str, list[str]] = {
    "purchased_list": COMMON_FIELDS + [
        "list_price", "consent_email", "consent_phone", "consent_proof", "consent_at",
    ] + CRM_STATE_FIELDS + ACTIVITY_FIELDS,
    "web_form": COMMON_FIELDS + [
        "form_type", "page_url", "utm_source", "utm_medium", "utm_campaign", "message",
        "consent_email", "consent_phone", "consent_text_version", "doi_confirmation_id",
        "doi_confirmed_at",
    ] + ACTIVITY_FIELDS,
    "crm_export": COMMON_FIELDS + ["crm_id"] + CRM_STATE_FIELDS + [
        "mql_at", "sql_at", "opportunity_at", "customer_at", "company_phone",
        "company_created_at",
    ] + ACTIVITY_FIELDS,
}

# Every raw field of any kind, in a fixed order (normalization unions the raw tables on it).
ALL_RAW_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f for fields in KIND_FIELDS.values() for f in fields)
)

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source_kind": pl.String(),
    "source_system": pl.String(),
    "source_file": pl.String(),
    "file_sha256": pl.String(),
    "source_row": pl.Int64(),
    "raw_text": pl.String(),
    "reason": pl.String(),
    "reason_detail": pl.String(),
    "stage": pl.String(),
    "batch_id": pl.String(),
    "quarantined_at": pl.Datetime("us"),
}

REGISTRY_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "file_sha256": pl.String(),
    "source_kind": pl.String(),
    "source_system": pl.String(),
    "contract": pl.String(),
    "encoding": pl.String(),
    "delimiter": pl.String(),
    "file_bytes": pl.Int64(),
    "rows_read": pl.Int64(),
    "rows_loaded": pl.Int64(),
    "rows_quarantined": pl.Int64(),
    "rows_suppressed": pl.Int64(),
    "unmapped_columns": pl.String(),
    "status": pl.String(),
    "batch_id": pl.String(),
    "ingested_at": pl.Datetime("us"),
}


def raw_schema(source_kind: str) -> dict[str, pl.DataType]:
    """Lineage columns followed by the kind's raw fields, all raw fields as text."""
    return {**LINEAGE_SCHEMA, **{field: pl.String() for field in KIND_FIELDS[source_kind]}}
