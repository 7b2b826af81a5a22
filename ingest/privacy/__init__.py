"""Data-protection operations (DSGVO/UWG): erasure, suppression, subject access, retention, Art. 14.

Plain functions on an open DuckDB connection; orchestration wires them into Dagster and the
`leadwerk` CLI (ingest/privacy/cli.py). Nothing here writes personal data to logs or audit rows.
"""

from ingest.privacy.erasure import ErasureReport, SubjectNotSpecified, erase_person
from ingest.privacy.notices import record_notice
from ingest.privacy.objection import ObjectionReport, record_objection
from ingest.privacy.policy import PrivacyPolicy, load_policy
from ingest.privacy.retention import RetentionReport, apply_retention
from ingest.privacy.subject_export import subject_export, write_subject_export
from ingest.privacy.suppression import suppression_filter
from ingest.privacy.tables import ensure_privacy_tables, prepare_privacy_schema

__all__ = [
    "ErasureReport", "ObjectionReport", "PrivacyPolicy", "RetentionReport", "SubjectNotSpecified",
    "apply_retention", "ensure_privacy_tables", "erase_person", "load_policy", "prepare_privacy_schema",
    "record_notice", "record_objection", "subject_export", "suppression_filter", "write_subject_export",
]
