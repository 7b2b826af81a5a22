"""Normalization: raw.* rows -> core.lead_records, core.consent_records, core.touchpoints.

Pure Polars functions (no Dagster). normalize_batch is the per-partition core, build_core the
warehouse step, canonical_frame the reusable cleaner for any frame of person fields.
"""

from ingest.normalize.address import (
    city_expr,
    country_code_expr,
    postcode_expr,
    postcode_valid_expr,
    split_street_expr,
    street_expr,
)
from ingest.normalize.batch import LEAD_RECORD_COLUMNS, NormalizedBatch, normalize_batch
from ingest.normalize.canonical import canonical_frame, person_columns
from ingest.normalize.company import (
    company_key_expr,
    company_name_expr,
    fold_key_expr,
    legal_form_expr,
)
from ingest.normalize.consent import consent_columns, consent_records
from ingest.normalize.core import NormalizeReport, build_core
from ingest.normalize.dates import date_expr, number_expr, timestamp_expr
from ingest.normalize.email import (
    email_domain_expr,
    email_is_freemail_expr,
    email_is_role_expr,
    email_match_key_expr,
    email_valid_expr,
    normalize_email_expr,
)
from ingest.normalize.flags import boolean_expr
from ingest.normalize.job_title import budget_authority_expr, department_expr, seniority_expr
from ingest.normalize.marketing import (
    channel_expr,
    lead_source_detail_expr,
    lifecycle_stage_expr,
    segment_expr,
)
from ingest.normalize.phone import clean_phone_text_expr, parse_phone_expr
from ingest.normalize.text import (
    academic_title_expr,
    clean_text_expr,
    first_name_expr,
    last_name_expr,
    salutation_expr,
)
from ingest.normalize.touchpoints import touchpoints

__all__ = [
    "LEAD_RECORD_COLUMNS", "NormalizeReport", "NormalizedBatch", "academic_title_expr",
    "boolean_expr", "budget_authority_expr", "build_core", "canonical_frame", "channel_expr",
    "city_expr", "clean_phone_text_expr", "clean_text_expr", "company_key_expr",
    "company_name_expr", "consent_columns", "consent_records", "country_code_expr", "date_expr",
    "department_expr", "email_domain_expr", "email_is_freemail_expr", "email_is_role_expr",
    "email_match_key_expr", "email_valid_expr", "first_name_expr", "fold_key_expr",
    "last_name_expr", "lead_source_detail_expr", "legal_form_expr", "lifecycle_stage_expr",
    "normalize_batch", "normalize_email_expr", "number_expr", "parse_phone_expr",
    "person_columns", "postcode_expr", "postcode_valid_expr", "salutation_expr", "segment_expr",
    "seniority_expr", "split_street_expr", "street_expr", "timestamp_expr", "touchpoints",
]
