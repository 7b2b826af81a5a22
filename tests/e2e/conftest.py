"""One generated warehouse, refreshed twice through the real Dagster job, shared by e2e tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

E2E_PEOPLE = 600
E2E_SEED = 11

# A hand-raiser marketing ops must see as hot: a managing director of a machinery maker
# (Salesforce) who asked for a demo on the website shortly before the scoring date.
HAND_RAISER_FILES = {
    "crm_exports/salesforce/salesforce_leads_hand_raiser.csv": (
        "crm_export", "salesforce",
        "Id,Salutation,FirstName,LastName,Email,Phone,MobilePhone,Company,Title,Industry,"
        "NumberOfEmployees,Street,PostalCode,City,Country,LeadSource,Status,Rating,CreatedDate,"
        "IsConverted,ConvertedDate,HasOptedOutOfEmail,DoNotCall\n"
        "00Q7Q00000HANDR1AAA,Mr.,Konrad,Zeilinger,konrad.zeilinger@zeilinger-maschinenbau.de,"
        "+49 89 54321987,,Zeilinger Maschinenbau GmbH,Geschäftsführer,Machinery,250,Hauptstraße 5,"
        "80331,München,Germany,Web,Open - Not Contacted,,2026-09-01T10:00:00.000+0000,false,,false,false\n",
    ),
    "web_forms/forms_hand_raiser.jsonl": (
        "web_form", "web_forms",
        json.dumps({
            "submission_id": "sub_hand_raiser_1", "form_type": "demo_request",
            "submitted_at": "2026-10-20T10:15:00+02:00", "page_url": "https://www.example.de/demo",
            "utm": {"source": "google", "medium": "cpc", "campaign": "demo"},
            "fields": {"salutation": "Herr", "first_name": "Konrad", "last_name": "Zeilinger",
                       "email": "konrad.zeilinger@zeilinger-maschinenbau.de", "phone": "089 54321987",
                       "company": "Zeilinger Maschinenbau GmbH", "job_title": "Geschäftsführer",
                       "postcode": "80331", "city": "München", "country": "DE", "message": ""},
            "consent": {"email_marketing": True, "phone_marketing": False, "text_version": "v3"},
            "double_opt_in": {"confirmation_id": "doi_hand_raiser_1", "confirmed_at": "2026-10-20T08:20:00Z"},
        }, ensure_ascii=False) + "\n",
    ),
}


def plant_hand_raiser(root: Path) -> None:
    """Add the hand-raiser's files to the landing folder and to the ground truth."""
    truth_path = root / "ground_truth" / "records.parquet"
    rows = []
    for source_file, (kind, system, text) in HAND_RAISER_FILES.items():
        (root / "landing" / source_file).write_text(text, encoding="utf-8")
        rows.append({"source_file": source_file, "source_row": 1, "source_kind": kind,
                     "source_system": system, "person_id": "hand-raiser"})
    truth = pl.read_parquet(truth_path)
    planted = pl.DataFrame(rows).cast({c: truth.schema[c] for c in rows[0]})
    pl.concat([truth, planted], how="diagonal").write_parquet(truth_path)


@dataclass
class DemoWarehouse:
    root: Path
    first_run: dg.ExecuteInProcessResult
    second_run: dg.ExecuteInProcessResult
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)


def table_counts(path: Path) -> dict[str, int]:
    from orchestration.summary import warehouse_counts

    with duckdb.connect(str(path), read_only=True) as conn:
        return dict(warehouse_counts(conn))


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, dbt_manifest) -> DemoWarehouse:
    from ingest.generate import ANCHOR_DATE, generate_landing
    from orchestration.pipeline import run_full_refresh

    root = tmp_path_factory.mktemp("e2e") / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEADWERK_DATA_DIR", str(root))
        env.setenv("LEADWERK_WAREHOUSE", str(root / "warehouse.duckdb"))
        env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        # Score as of the day the demo data was generated for, so recency rules stay testable.
        env.setenv("LEADWERK_AS_OF", ANCHOR_DATE.isoformat())
        generate_landing(root / "landing", people=E2E_PEOPLE, seed=E2E_SEED)
        plant_hand_raiser(root)
        first = run_full_refresh(trigger="test")
        counts_first = table_counts(root / "warehouse.duckdb")
        second = run_full_refresh(trigger="test")
        counts_second = table_counts(root / "warehouse.duckdb")
        yield DemoWarehouse(root, first, second, counts_first, counts_second)
