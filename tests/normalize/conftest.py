"""Fixtures: small in-memory raw.* frames (as ingestion writes them) and contract formats."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

NOW = datetime(2026, 11, 23, 12, 0, 0)

FORMATS = pl.DataFrame(
    {
        "contract": ["adressdirekt", "leadsource_eu", "web_forms", "hubspot_contacts",
                     "salesforce_leads_api", "salesforce_leads_report"],
        "date_order": ["DMY", "ISO", "ISO", "ISO", "ISO", "MDY"],
        "decimal_separator": [",", ".", ".", ".", ".", "."],
        "thousands_separator": [".", None, None, None, None, ","],
        "default_country": ["DE"] * 6,
    }
)

def raw_rows(source_kind: str, source_system: str, contract: str, rows: list[dict], *,
             source_file: str | None = None, ingested_at: datetime = datetime(2026, 11, 1, 8, 0),
             batch_id: str = "b1") -> pl.DataFrame:
    """Raw rows with lineage; every field is text, as in the raw layer."""
    source_file = source_file or f"{source_kind}s/{source_system}/file.csv"
    records = []
    for number, row in enumerate(rows, start=1):
        records.append({
            "source_kind": source_kind, "source_system": source_system, "source_file": source_file,
            "file_sha256": "f" * 64, "source_row": number, "ingested_at": ingested_at,
            "batch_id": batch_id, "contract": contract, "extra_fields": "{}",
            **{k: (None if v is None else str(v)) for k, v in row.items()},
        })
    return pl.DataFrame(records, infer_schema_length=None)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def formats() -> pl.DataFrame:
    return FORMATS


@pytest.fixture
def make_raw():
    return raw_rows
