"""Exports shaped like the public ones measured in docs/data_contracts.md ("Measured on public
exports") load with the shipped contracts, as `leadwerk contract check` reads them (reader and
normalization, no warehouse): every row loads, every non-empty date parses, every lead with a
status gets a stage other than `other`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.contract_check import check_file

FIXTURES = Path(__file__).parent / "fixtures" / "real_shapes"


def _check(relative: str, system: str):
    return check_file(FIXTURES / relative, source_kind="crm_export", source_system=system)


def _records(relative: str, system: str) -> pl.DataFrame:
    # The rows check_file normalizes, for value-level assertions.
    from ingest.normalize import normalize_batch
    from ingest.raw import contract_formats
    from ingest.raw.tables import RAW_TABLES

    report = _check(relative, system)
    rows = report.read.rows.with_columns(
        source_kind=pl.lit("crm_export"), source_system=pl.lit(system), source_file=pl.lit(relative),
        file_sha256=pl.lit("t"), ingested_at=pl.lit(datetime(2000, 1, 1)), batch_id=pl.lit("t"),
        contract=pl.lit(report.read.contract),
    )
    batch = normalize_batch({RAW_TABLES["crm_export"]: rows}, formats=contract_formats(), now=datetime(2026, 12, 1))
    return batch.lead_records


@pytest.mark.parametrize(
    ("relative", "system", "contract"),
    [
        ("salesforce/lead_report_underscored.csv", "salesforce", "salesforce_leads_report"),
        ("hubspot/contacts_with_company_export.csv", "hubspot", "hubspot_contacts"),
    ],
)
def test_public_export_shape_loads_whole_with_every_date_read(relative, system, contract):
    report = _check(relative, system)
    assert report.read.contract == contract
    assert report.read.rows.height == report.read.rows_read > 0
    dates = report.parse_stats.filter(pl.col("kind") == "date")
    assert dates.height and (dates["parsed"] == dates["non_empty"]).all(), dates


def test_report_labels_with_underscores_feed_their_fields():
    # A report passed through a spreadsheet or BI tool: "Lead_ID", "Created_Date", "Lead_Source".
    report = _check("salesforce/lead_report_underscored.csv", "salesforce")
    assert report.read.field_columns["crm_id"] == "Lead_ID"
    assert report.read.field_columns["created_at"] == "Created_Date"
    assert report.read.field_columns["lead_source"] == "Lead_Source"


def test_every_salesforce_status_of_the_public_report_has_a_stage():
    # Nurturing, Prospect, Converted, Disqualified, MQL, SQL, Untouched, Qualified.
    report = _check("salesforce/lead_report_underscored.csv", "salesforce")
    assert set(report.stages) <= {"lead", "mql", "sql", "opportunity", "customer"}, report.stages


def test_hubspot_contact_id_of_an_export_with_company_properties_is_the_crm_id():
    report = _check("hubspot/contacts_with_company_export.csv", "hubspot")
    assert report.read.field_columns["crm_id"] == "Record ID - Contact"
    assert "Record ID - Company" not in report.read.unmapped


def test_two_digit_year_us_dates_read_month_first():
    records = _records("hubspot/contacts_with_company_export.csv", "hubspot").sort("crm_id")
    created = dict(zip(records["crm_id"], records["created_at"], strict=True))
    # "2/5/24 1:51": the column also holds "2/20/24 11:29", so 2 is the month; no year 24 AD.
    assert created["1415"].date() == datetime(2024, 2, 5).date()
    assert created["8452"].date() == datetime(2024, 2, 20).date()


def test_hubspot_not_provided_name_is_empty():
    records = _records("hubspot/contacts_with_company_export.csv", "hubspot")
    row = records.filter(pl.col("crm_id") == "8663").row(0, named=True)
    assert row["last_name"] is None and row["email"] == "emma@appraisal.example"
