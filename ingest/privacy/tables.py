"""The tables the privacy package owns (declared in ingest/tables.py; docs/privacy.md).

Fixed schemas so an empty warehouse, dbt sources and the audit trail always agree, and so no
table here can ever grow a clear-text column by accident.
"""

from __future__ import annotations

import duckdb
import polars as pl

from ingest.privacy.policy import PrivacyPolicy, load_policy
from ingest.tables import (
    ART14_NOTICES,
    OBJECTIONS,
    POLICY_SETTINGS,
    PRIVACY_LOG,
    SUPPRESSION_LIST,
    table,
)
from ingest.warehouse import append_rows, replace_table, table_exists

SUPPRESSION_SCHEMA: dict[str, pl.DataType] = table(SUPPRESSION_LIST).polars_schema()
OBJECTIONS_SCHEMA: dict[str, pl.DataType] = table(OBJECTIONS).polars_schema()
NOTICES_SCHEMA: dict[str, pl.DataType] = table(ART14_NOTICES).polars_schema()
PRIVACY_LOG_SCHEMA: dict[str, pl.DataType] = table(PRIVACY_LOG).polars_schema()

OWNED_TABLES: dict[str, dict[str, pl.DataType]] = {
    SUPPRESSION_LIST: SUPPRESSION_SCHEMA,
    OBJECTIONS: OBJECTIONS_SCHEMA,
    ART14_NOTICES: NOTICES_SCHEMA,
    PRIVACY_LOG: PRIVACY_LOG_SCHEMA,
}

# Tables whose rows are the record of privacy work itself: the deletion machinery leaves them.
PROTECTED_TABLES = frozenset({SUPPRESSION_LIST, PRIVACY_LOG})


def ensure_privacy_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the owned tables empty when missing, so readers and dbt sources always resolve."""
    for name, schema in OWNED_TABLES.items():
        if not table_exists(conn, name):
            append_rows(conn, name, pl.DataFrame(schema=schema))
    # Logs written before tickets were recorded gain the column (empty for their rows).
    conn.execute(f"alter table {PRIVACY_LOG} add column if not exists ticket varchar")


def sync_policy_settings(conn: duckdb.DuckDBPyConnection, policy: PrivacyPolicy | None = None) -> int:
    """Mirror policy.yaml into privacy.policy_settings so dbt reads the same rules (one source)."""
    policy = policy or load_policy()
    settings = {
        "art14_due_months": policy.art14_due_months,
        "inactive_months": policy.inactive_months,
        "phone_proof_keep_years": policy.phone_proof_keep_years,
        "art14_contact_touchpoint_types": ",".join(policy.art14_contact_touchpoint_types),
    }
    frame = pl.DataFrame(
        {"setting_key": list(settings), "setting_value": [str(v) for v in settings.values()]},
        schema=table(POLICY_SETTINGS).polars_schema(),
    )
    return replace_table(conn, POLICY_SETTINGS, frame)


def prepare_privacy_schema(conn: duckdb.DuckDBPyConnection, policy: PrivacyPolicy | None = None) -> None:
    """What the Dagster asset `privacy/art14_notices` runs before dbt: tables + policy settings."""
    ensure_privacy_tables(conn)
    sync_policy_settings(conn, policy)
