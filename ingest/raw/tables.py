"""The tables ingestion writes, as Polars schemas (declared in ingest/tables.py).

Every table has a fixed column set so that files with fewer fields still produce the same
schema, and downstream dbt sources and normalization can rely on it.
"""

from __future__ import annotations

import polars as pl

from ingest.tables import (  # noqa: F401 (re-exported for the raw package)
    ACTIVITY_FIELDS,
    COMMON_FIELDS,
    CRM_STATE_FIELDS,
    FILE_REGISTRY,
    KIND_FIELDS,
    LINEAGE_COLUMNS,
    POLARS_TYPES,
    QUARANTINE_ROWS,
    RAW_TABLES,
    table,
)

FOLDER_KINDS: dict[str, str] = {
    "purchased_lists": "purchased_list",
    "web_forms": "web_form",
    "crm_exports": "crm_export",
}


LINEAGE_SCHEMA: dict[str, pl.DataType] = {c: POLARS_TYPES[t] for c, t in LINEAGE_COLUMNS.items()}

# Every raw field of any kind, in a fixed order (normalization unions the raw tables on it).
ALL_RAW_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f for fields in KIND_FIELDS.values() for f in fields)
)

QUARANTINE_SCHEMA: dict[str, pl.DataType] = table(QUARANTINE_ROWS).polars_schema()

REGISTRY_SCHEMA: dict[str, pl.DataType] = table(FILE_REGISTRY).polars_schema()


def raw_schema(source_kind: str) -> dict[str, pl.DataType]:
    """Lineage columns followed by the kind's raw fields, all raw fields as text."""
    return table(RAW_TABLES[source_kind]).polars_schema()
