"""Every warehouse table Leadwerk's Python code writes: schema, name, columns, DuckDB types, key.

This module is the one home of these names and column sets. Ingestion, normalization, dedup,
scoring, privacy, the quality suites and the Dagster assets import the qualified names from
here (`LEAD_RECORDS` is "core.lead_records"); the dbt sources are checked against it by a test,
and test fixture warehouses build their tables from it. `drift(conn)` lists where a
warehouse's real tables differ from the declaration, so a test fails when code writes a column
the declaration does not know (or stops writing one it does).

Columns named with a `variable_prefixes` prefix vary with configuration (one similarity column
per compared field, one block key per blocking rule) and are allowed in any number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import duckdb
import polars as pl

# DuckDB type -> the Polars type a frame written to such a column carries.
POLARS_TYPES: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "BOOLEAN": pl.Boolean(),
    "TINYINT": pl.Int8(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "UINTEGER": pl.UInt32(),
    "UBIGINT": pl.UInt64(),
    "DOUBLE": pl.Float64(),
    "DATE": pl.Date(),
    "TIMESTAMP": pl.Datetime("us"),
}


@dataclass(frozen=True, eq=False)
class Table:
    schema: str
    name: str
    columns: Mapping[str, str]  # column -> DuckDB type, in table order
    primary_key: tuple[str, ...] = ()
    variable_prefixes: tuple[str, ...] = ()
    description: str = ""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def asset_key(self) -> list[str]:
        """The Dagster asset key path of the table ([schema, name])."""
        return [self.schema, self.name]

    def polars_schema(self, columns: Iterable[str] | None = None) -> dict[str, pl.DataType]:
        """The columns (all, or the named ones in the given order) as a Polars schema."""
        names = self.columns if columns is None else columns
        return {c: POLARS_TYPES[self.columns[c]] for c in names}

    def create_sql(self, *, replace: bool = False) -> str:
        """CREATE TABLE for the declared columns.

        The key is declared, not enforced: the quality suites check it and report offending
        rows, where a constraint would fail the whole load on the first one.
        """
        body = [f'"{c}" {t}' for c, t in self.columns.items()]
        verb = "create or replace table" if replace else "create table if not exists"
        return f"{verb} {self.qualified} ({', '.join(body)})"

    def is_variable(self, column: str) -> bool:
        return any(column.startswith(p) for p in self.variable_prefixes)


TABLES: dict[str, Table] = {}


def _declare(schema: str, name: str, columns: Mapping[str, str], *, primary_key: tuple[str, ...] = (),
             variable_prefixes: tuple[str, ...] = (), description: str = "") -> str:
    table = Table(schema, name, dict(columns), primary_key, variable_prefixes, description)
    assert table.qualified not in TABLES, table.qualified
    assert all(t in POLARS_TYPES for t in table.columns.values()), table.qualified
    TABLES[table.qualified] = table
    return table.qualified


def table(qualified_name: str) -> Table:
    return TABLES[qualified_name]


def _text(*names: str) -> dict[str, str]:
    return {n: "VARCHAR" for n in names}


# ---------------------------------------------------------------- raw: one table per source kind

# Where each file came from; the first columns of every raw table.
LINEAGE_COLUMNS: dict[str, str] = {
    "source_kind": "VARCHAR", "source_system": "VARCHAR", "source_file": "VARCHAR",
    "file_sha256": "VARCHAR", "source_row": "BIGINT", "ingested_at": "TIMESTAMP",
    "batch_id": "VARCHAR", "contract": "VARCHAR", "extra_fields": "VARCHAR",
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
    "region", "campaign_memberships",
]

# What a CRM (or a lead list exported from one) says about a lead's stage and consent.
CRM_STATE_FIELDS = [
    "lifecycle_stage", "lead_status", "lead_source", "rating", "is_converted", "converted_at",
    "opt_out_email", "do_not_call",
]

# Every raw field is kept as the source's text; normalization reads it.
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

RAW_PURCHASED_LIST_RECORDS = _declare(
    "raw", "purchased_list_records", {**LINEAGE_COLUMNS, **_text(*KIND_FIELDS["purchased_list"])},
    description="Rows of purchased address lists as delivered (text), with lineage.",
)
RAW_WEB_FORM_SUBMISSIONS = _declare(
    "raw", "web_form_submissions", {**LINEAGE_COLUMNS, **_text(*KIND_FIELDS["web_form"])},
    description="Web-form submissions as delivered (text), with lineage.",
)
RAW_CRM_RECORDS = _declare(
    "raw", "crm_records", {**LINEAGE_COLUMNS, **_text(*KIND_FIELDS["crm_export"])},
    description="Rows of CRM exports as delivered (text), with lineage.",
)
# source kind -> its raw table
RAW_TABLES: dict[str, str] = {
    "purchased_list": RAW_PURCHASED_LIST_RECORDS,
    "web_form": RAW_WEB_FORM_SUBMISSIONS,
    "crm_export": RAW_CRM_RECORDS,
}

RAW_TABLE_NAMES: tuple[str, ...] = tuple(RAW_TABLES.values())

# ---------------------------------------------------------------- quarantine and audit

QUARANTINE_ROWS = _declare("quarantine", "rows", {
    "source_kind": "VARCHAR", "source_system": "VARCHAR", "source_file": "VARCHAR",
    "file_sha256": "VARCHAR", "source_row": "BIGINT", "raw_text": "VARCHAR", "reason": "VARCHAR",
    "reason_detail": "VARCHAR", "stage": "VARCHAR", "batch_id": "VARCHAR",
    "quarantined_at": "TIMESTAMP",
}, description="Rows ingestion or normalization could not load, with the reason.")

FILE_REGISTRY = _declare("audit", "file_registry", {
    "source_file": "VARCHAR", "file_sha256": "VARCHAR", "source_kind": "VARCHAR",
    "source_system": "VARCHAR", "contract": "VARCHAR", "encoding": "VARCHAR",
    "delimiter": "VARCHAR", "file_bytes": "BIGINT", "rows_read": "BIGINT", "rows_loaded": "BIGINT",
    "rows_quarantined": "BIGINT", "rows_suppressed": "BIGINT", "unmapped_columns": "VARCHAR",
    "status": "VARCHAR", "batch_id": "VARCHAR", "ingested_at": "TIMESTAMP",
}, primary_key=("source_file", "file_sha256"),
   description="One row per landing file version: what it delivered and what became of it.")

NORMALIZED_FILE_VERSIONS = _declare("audit", "normalized_file_versions", {
    "raw_table": "VARCHAR", "source_file": "VARCHAR", "file_sha256": "VARCHAR",
    "raw_rows": "BIGINT", "rules_fingerprint": "VARCHAR", "normalized_at": "TIMESTAMP",
}, primary_key=("raw_table", "source_file", "file_sha256"),
   description="The raw file versions normalization has read, and under which rules.")

FIELD_PARSE_RATES = _declare("audit", "field_parse_rates", {
    "source_file": "VARCHAR", "file_sha256": "VARCHAR", "field": "VARCHAR", "kind": "VARCHAR",
    "non_empty": "BIGINT", "parsed": "BIGINT",
}, primary_key=("source_file", "file_sha256", "field"),
   description="Per file version and field: non-empty source values and values read.")

MATCH_INPUTS = _declare("audit", "match_inputs", {
    "record_id": "VARCHAR", "input_hash": "UBIGINT", "config_fingerprint": "VARCHAR",
}, primary_key=("record_id",), variable_prefixes=("block_", "window_"),
   description="What dedup compared each record on (block keys and window ranks per rule).")

GOLDEN_LEAD_INPUTS = _declare("audit", "golden_lead_inputs", {
    "record_id": "VARCHAR", "lead_id": "VARCHAR", "row_hash": "UBIGINT",
    "survivorship_fingerprint": "VARCHAR",
}, primary_key=("record_id",), description="What each golden lead was built from.")

PRIVACY_LOG = _declare("audit", "privacy_log", {
    "event_id": "VARCHAR",
    "event_kind": "VARCHAR",  # erasure | subject_export | retention_purge | objection | art14_notice
    "occurred_at": "TIMESTAMP",
    "reason": "VARCHAR",
    "counts": "VARCHAR",  # JSON object: table -> rows
    "subject_hash": "VARCHAR",
    "ticket": "VARCHAR",  # reference into the ticket system holding the request itself
}, primary_key=("event_id",), description="Every privacy action, without clear-text identifiers.")

FILE_ERASURES = _declare("audit", "file_erasures", {
    "source_file": "VARCHAR", "file_sha256": "VARCHAR", "layer": "VARCHAR",
    "rows_erased": "BIGINT", "erased_at": "TIMESTAMP",
}, description="Raw and quarantine rows erased per file version, so the registry still balances.")

# ---------------------------------------------------------------- core: normalized records

CONSENT_CHANNELS = ("email", "phone", "postal")
_CONSENT_COLUMNS = {
    f"{channel}_{suffix}": kind
    for channel in CONSENT_CHANNELS
    for suffix, kind in (
        ("consent", "VARCHAR"), ("consent_at", "TIMESTAMP"), ("consent_source", "VARCHAR"),
        ("consent_proof", "VARCHAR"),
    )
}

LEAD_RECORDS = _declare("core", "lead_records", {
    "record_id": "VARCHAR", "source_kind": "VARCHAR", "source_system": "VARCHAR",
    "source_file": "VARCHAR", "source_row": "BIGINT", "file_sha256": "VARCHAR",
    "ingested_at": "TIMESTAMP", "batch_id": "VARCHAR", "source_record_id": "VARCHAR",
    "crm_id": "VARCHAR",
    "salutation": "VARCHAR", "academic_title": "VARCHAR", "first_name": "VARCHAR",
    "last_name": "VARCHAR", "first_name_raw": "VARCHAR", "last_name_raw": "VARCHAR",
    "email": "VARCHAR", "email_raw": "VARCHAR", "email_match_key": "VARCHAR",
    "email_domain": "VARCHAR", "phone": "VARCHAR", "phone_raw": "VARCHAR", "phone_type": "VARCHAR",
    "street": "VARCHAR", "house_number": "VARCHAR", "postcode": "VARCHAR", "city": "VARCHAR",
    "country_code": "VARCHAR", "birth_date": "DATE",
    "company": "VARCHAR", "company_key": "VARCHAR", "legal_form": "VARCHAR",
    "job_title": "VARCHAR", "seniority": "VARCHAR", "department": "VARCHAR",
    "budget_authority": "BOOLEAN", "industry": "VARCHAR", "employee_count": "INTEGER",
    "segment": "VARCHAR", "channel": "VARCHAR", "lead_source_detail": "VARCHAR",
    "form_type": "VARCHAR", "list_price": "DOUBLE", "created_at": "TIMESTAMP",
    "crm_status": "VARCHAR", "lifecycle_stage": "VARCHAR", "converted_at": "TIMESTAMP",
    "rating": "VARCHAR",
    **_CONSENT_COLUMNS,
    "do_not_email": "BOOLEAN", "do_not_call": "BOOLEAN",
    "email_valid": "BOOLEAN", "email_is_freemail": "BOOLEAN", "email_is_role": "BOOLEAN",
    "phone_valid": "BOOLEAN", "postcode_valid": "BOOLEAN", "date_issues": "VARCHAR",
    "lead_source": "VARCHAR", "lead_origin": "VARCHAR", "occupation": "VARCHAR",
    "website": "VARCHAR", "annual_revenue": "DOUBLE", "region": "VARCHAR",
    "web_visits": "DOUBLE", "time_on_site_seconds": "DOUBLE", "page_views": "DOUBLE",
    "email_opens": "DOUBLE", "email_clicks": "DOUBLE", "form_submissions": "DOUBLE",
    "campaign_memberships": "DOUBLE",
    "last_activity_type": "VARCHAR", "last_activity_at": "TIMESTAMP", "source_score": "DOUBLE",
    "source_grade": "VARCHAR", "outcome": "VARCHAR", "outcome_at": "TIMESTAMP",
}, primary_key=("record_id",), description="One row per source record in the canonical lead schema.")

CONSENT_RECORDS = _declare("core", "consent_records", {
    "consent_id": "VARCHAR", "record_id": "VARCHAR", "channel": "VARCHAR", "purpose": "VARCHAR",
    "status": "VARCHAR", "given_at": "TIMESTAMP", "withdrawn_at": "TIMESTAMP",
    "source_kind": "VARCHAR", "source_system": "VARCHAR", "method": "VARCHAR",
    "proof_ref": "VARCHAR", "consent_text_version": "VARCHAR",
}, primary_key=("consent_id",),
   description="One row per source record x channel x purpose, with method and proof.")

TOUCHPOINTS = _declare("core", "touchpoints", {
    "touchpoint_id": "VARCHAR", "record_id": "VARCHAR", "touchpoint_type": "VARCHAR",
    "occurred_at": "TIMESTAMP", "source_kind": "VARCHAR", "source_system": "VARCHAR",
    "cost_eur": "DOUBLE", "detail": "VARCHAR",
}, primary_key=("touchpoint_id",),
   description="Every interaction of a record (form fill, list purchase, CRM event or activity).")

# ---------------------------------------------------------------- core: dedup

LEAD_IDENTITY = _declare("core", "lead_identity", {
    "record_id": "VARCHAR", "lead_id": "VARCHAR", "match_rule": "VARCHAR",
    "match_score": "DOUBLE", "assigned_at": "TIMESTAMP",
}, primary_key=("record_id",), description="Maps each record_id to its stable lead_id.")

LEAD_ID_MERGES = _declare("core", "lead_id_merges", {
    "retired_lead_id": "VARCHAR", "surviving_lead_id": "VARCHAR", "merged_at": "TIMESTAMP",
    "reason": "VARCHAR",
}, description="Lead ids retired by a merge, and the id that survived.")

LEAD_MATCH_DECISIONS = _declare("core", "lead_match_decisions", {
    "record_id_a": "VARCHAR", "record_id_b": "VARCHAR", "decision": "VARCHAR",
    "decided_by": "VARCHAR", "decided_at": "TIMESTAMP", "note": "VARCHAR",
}, primary_key=("record_id_a", "record_id_b"),
   description="People's always_merge / never_merge decisions on record pairs.")

_PAIR_COLUMNS = {
    "record_id_a": "VARCHAR", "record_id_b": "VARCHAR", "rule": "VARCHAR", "score": "DOUBLE",
    "decision": "VARCHAR",
}
LEAD_MATCH_PAIRS = _declare(
    "core", "lead_match_pairs", _PAIR_COLUMNS, primary_key=("record_id_a", "record_id_b"),
    variable_prefixes=("sim_", "bits_"),
    description="Compared record pairs: per-field similarity and evidence, score, decision.",
)
LEAD_MATCH_REVIEW = _declare(
    "core", "lead_match_review", {**_PAIR_COLUMNS, "lead_id_a": "VARCHAR", "lead_id_b": "VARCHAR"},
    primary_key=("record_id_a", "record_id_b"), variable_prefixes=("sim_", "bits_"),
    description="The pairs a person should look at, with their current lead ids.",
)
LEAD_MATCH_MODEL = _declare("core", "lead_match_model", {
    "field": "VARCHAR", "level": "TINYINT", "label": "VARCHAR", "m": "DOUBLE", "u": "DOUBLE",
    "bits": "DOUBLE", "records_with_value": "BIGINT", "source": "VARCHAR", "records": "BIGINT",
    "config_fingerprint": "VARCHAR", "fitted_at": "TIMESTAMP",
}, primary_key=("field", "level"), description="The fitted match model: m/u per field and level.")

# Golden fields survive in groups (ingest/rules/survivorship.yaml): each has its source record.
_LEAD_RECORD_COLUMNS = TABLES[LEAD_RECORDS].columns
_SURVIVED_FIELDS = (
    "salutation", "academic_title", "first_name", "first_name_raw", "last_name", "last_name_raw",
    "email", "email_raw", "email_match_key", "email_domain", "email_valid", "email_is_freemail",
    "email_is_role", "phone", "phone_raw", "phone_type", "phone_valid", "street", "house_number",
    "postcode", "city", "country_code", "postcode_valid", "birth_date", "company", "company_key",
    "legal_form", "job_title", "seniority", "department", "budget_authority", "industry",
    "employee_count", "segment", "channel", "lead_source_detail", "form_type", "list_price",
    "created_at", "crm_status", "lifecycle_stage", "converted_at", "rating",
)
GOLDEN_LEADS = _declare("core", "golden_leads", {
    "lead_id": "VARCHAR", "record_count": "BIGINT", "source_kinds": "VARCHAR",
    "source_systems": "VARCHAR", "first_seen_at": "TIMESTAMP", "last_seen_at": "TIMESTAMP",
    "do_not_email": "BOOLEAN", "do_not_call": "BOOLEAN",
    **{f: _LEAD_RECORD_COLUMNS[f] for f in _SURVIVED_FIELDS},
    **{f"{f}__record_id": "VARCHAR" for f in _SURVIVED_FIELDS},
    **{
        column: kind
        for channel in CONSENT_CHANNELS
        for column, kind in (
            *((c, k) for c, k in _CONSENT_COLUMNS.items() if c.startswith(f"{channel}_")),
            (f"{channel}_consent_record_id", "VARCHAR"),
        )
    },
}, primary_key=("lead_id",),
   description="One row per person with the survived fields, combined consent and opt-outs.")

# ---------------------------------------------------------------- core: scoring

LEAD_CONVERSION_SCORES = _declare("core", "lead_conversion_scores", {
    "lead_id": "VARCHAR", "conversion_probability": "DOUBLE", "is_out_of_fold": "BOOLEAN",
    "cv_fold": "INTEGER", "top_features": "VARCHAR", "model_status": "VARCHAR",
    "trained_at": "TIMESTAMP",
}, primary_key=("lead_id",), description="One row per lead: the learned conversion probability.")

CONVERSION_MODEL = _declare("core", "conversion_model", {
    "feature": "VARCHAR", "feature_label": "VARCHAR", "feature_kind": "VARCHAR", "level": "VARCHAR",
    "level_order": "INTEGER", "lower_bound": "DOUBLE", "upper_bound": "DOUBLE",
    "coefficient": "DOUBLE", "leads": "BIGINT", "decided_leads": "BIGINT",
    "converted_leads": "BIGINT", "description": "VARCHAR", "trained_at": "TIMESTAMP",
}, description="The conversion model as data: one row per feature level, plus the intercept.")

# ---------------------------------------------------------------- privacy

SUPPRESSION_LIST = _declare("privacy", "suppression_list", {
    "identifier_kind": "VARCHAR",  # email | phone
    "identifier_hash": "VARCHAR",  # sha256(salt ':' normalized identifier)
    "reason_kind": "VARCHAR",  # erasure | objection
    "added_at": "TIMESTAMP",
}, description="Hashed identifiers that must never be loaded again.")

OBJECTIONS = _declare("privacy", "objections", {
    "lead_id": "VARCHAR",
    "channel": "VARCHAR",  # all: Art. 21 covers every advertising channel
    "objected_at": "TIMESTAMP",
}, description="Leads that objected to advertising (DSGVO Art. 21).")

ART14_NOTICES = _declare("privacy", "art14_notices", {
    "lead_id": "VARCHAR",
    "notified_at": "TIMESTAMP",
    "channel": "VARCHAR",  # email | postal | phone | other
    "note": "VARCHAR",
    "recorded_at": "TIMESTAMP",
}, description="When a lead from a purchased list was informed (DSGVO Art. 14).")

POLICY_SETTINGS = _declare("privacy", "policy_settings", {
    "setting_key": "VARCHAR", "setting_value": "VARCHAR",
}, primary_key=("setting_key",), description="ingest/privacy/policy.yaml as key/value rows for dbt.")


# ---------------------------------------------------------------- helpers

def create_table(conn: duckdb.DuckDBPyConnection, qualified_name: str, *, replace: bool = False) -> None:
    """Create the declared table (and its schema), empty; an existing one is kept unless `replace`."""
    declared = TABLES[qualified_name]
    conn.execute(f'create schema if not exists "{declared.schema}"')
    conn.execute(declared.create_sql(replace=replace))


@dataclass
class Drift:
    """How one real table differs from its declaration."""

    table: str
    missing_table: bool = False
    undeclared_table: bool = False
    missing_columns: list[str] = field(default_factory=list)
    undeclared_columns: list[str] = field(default_factory=list)
    type_changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (declared, real)

    def __str__(self) -> str:
        if self.missing_table:
            return f"{self.table}: table missing"
        if self.undeclared_table:
            return f"{self.table}: table not declared in ingest/tables.py"
        parts = []
        if self.missing_columns:
            parts.append(f"missing {self.missing_columns}")
        if self.undeclared_columns:
            parts.append(f"undeclared {self.undeclared_columns}")
        parts += [f"{c} declared {d}, is {r}" for c, (d, r) in self.type_changes.items()]
        return f"{self.table}: " + "; ".join(parts)


def drift(conn: duckdb.DuckDBPyConnection, tables: Iterable[str] | None = None, *,
          missing_ok: bool = True) -> list[Drift]:
    """Where the warehouse's tables differ from the declaration (empty when they agree).

    Tables a run has not created (an erasure log before any erasure) are skipped unless
    `missing_ok` is false. Without `tables`, a table in a declared schema that is not declared
    itself counts as drift too.
    """
    wanted = list(TABLES) if tables is None else list(tables)
    rows = conn.execute(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns order by table_schema, table_name, ordinal_position"
    ).fetchall()
    real: dict[str, dict[str, str]] = {}
    for name, column, kind in rows:
        real.setdefault(name, {})[column] = kind
    found = []
    for name in wanted:
        declared = TABLES[name]
        if name not in real:
            if not missing_ok:
                found.append(Drift(name, missing_table=True))
            continue
        columns = real[name]
        result = Drift(
            name,
            missing_columns=[c for c in declared.columns if c not in columns],
            undeclared_columns=[c for c in columns if c not in declared.columns and not declared.is_variable(c)],
            type_changes={
                c: (t, columns[c]) for c, t in declared.columns.items() if c in columns and columns[c] != t
            },
        )
        if result.missing_columns or result.undeclared_columns or result.type_changes:
            found.append(result)
    if tables is None:
        schemas = {t.schema for t in TABLES.values()}
        found += [Drift(name, undeclared_table=True) for name in real
                  if name.split(".", 1)[0] in schemas and name not in TABLES]
    return found
