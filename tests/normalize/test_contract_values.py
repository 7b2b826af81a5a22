"""Each source's own vocabulary: statuses, outcomes, placeholders, dates, booleans and activity.

Values follow the CRMs' documented picklists: Salesforce Lead Status ("Open - Not Contacted",
"Closed - Converted"), Zoho Lead Status ("Junk Lead", "Contact in Future"), Zoho's
"15 Apr, 2021 00:03:00" timestamps, Salesforce report times ("7/3/2013 1:26 PM").
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.normalize import normalize_batch
from ingest.raw import contract_formats

NOW = datetime(2026, 11, 23, 12, 0)

ZOHO = """
name: zoho_leads
source_kind: crm_export
source_system: zoho
identify: [[crm_id]]
fields:
  crm_id: Record Id
formats:
  dates: ["%d %b, %Y %H:%M:%S"]
  timezone: Asia/Kolkata
values:
  placeholders: ["-None-"]
  lead_status: {Contact in Future: mql, Pre-Qualified: sql}
  outcome: {Pre-Qualified: open, Lost Lead: lost}
  booleans: {true: ["Opted"], false: ["Not opted"]}
  last_activity_type: {Mail Bounced: email_bounced}
  lead_source: {Chat: {detail: live_chat, channel: inbound}}
"""
ORG = """
name: org_salesforce
source_kind: crm_export
source_system: salesforce_org
identify: [[crm_id]]
fields:
  crm_id: Id
formats:
  date_order: MDY
  timezone: America/Los_Angeles
values:
  lead_status: {Junk Lead: other}
"""


@pytest.fixture
def formats(tmp_path: Path) -> pl.DataFrame:
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "zoho.yaml").write_text(ZOHO, encoding="utf-8")
    (folder / "org.yaml").write_text(ORG, encoding="utf-8")
    return contract_formats(folder)


@pytest.fixture
def normalized(formats, make_raw):
    """Lead records of CRM rows read under one of the two contracts above, in row order."""

    def run(contract: str, rows: list[dict]) -> pl.DataFrame:
        system = "zoho" if contract == "zoho_leads" else "salesforce_org"
        raw = make_raw("crm_export", system, contract,
                       [{"crm_id": str(i), "last_name": "Berg", **r} for i, r in enumerate(rows)])
        batch = normalize_batch({"raw.crm_records": raw}, formats=formats, now=NOW)
        return batch.lead_records.sort("crm_id")

    return run


def test_status_maps_are_per_source_and_extend_the_shared_defaults(normalized):
    zoho = normalized("zoho_leads", [
        {"lead_status": "Contact in Future"}, {"lead_status": "Pre-Qualified"}, {"lead_status": "Junk Lead"},
        {"lead_status": "Open - Not Contacted"}, {"lead_status": "Something New"},
    ])
    org = normalized("org_salesforce", [{"lead_status": "Junk Lead"}])
    assert zoho["lifecycle_stage"].to_list() == ["mql", "sql", "lead", "lead", "other"]
    assert org["lifecycle_stage"].to_list() == ["other"]


def test_outcome_comes_from_the_source_vocabulary_and_a_contract_can_keep_a_value_open(normalized):
    zoho = normalized("zoho_leads", [
        {"lead_status": "Lost Lead"}, {"lead_status": "Junk Lead"}, {"lead_status": "Pre-Qualified"},
        {"lead_status": "Contacted"}, {"outcome": "1", "lead_status": "Contacted"}, {"outcome": "no"},
        {"is_converted": "TRUE", "converted_at": "3 Mar, 2024 10:00:00"},
    ])
    assert zoho["outcome"].to_list() == ["lost", "disqualified", None, None, "converted", "lost", "converted"]
    assert zoho["outcome_at"][6] == datetime(2024, 3, 3, 4, 30)


def test_a_converted_flag_outranks_the_status_the_lead_kept(normalized):
    # A public Salesforce report has leads converted into opportunities whose status still
    # says Disqualified: the conversion is what happened.
    salesforce = normalized("salesforce_leads_report", [
        {"is_converted": "TRUE", "lead_status": "Disqualified"},
        {"is_converted": "FALSE", "lead_status": "Disqualified"},
    ])
    assert salesforce["outcome"].to_list() == ["converted", "disqualified"]


def test_placeholders_read_as_empty_in_every_field(normalized):
    zoho = normalized("zoho_leads", [{"city": "Select", "company": "-None-", "industry": "n/a", "job_title": "-"}])
    assert zoho.select("city", "company", "industry", "job_title").row(0) == (None, None, None, None)


def test_placeholder_of_one_source_is_a_value_in_another(normalized):
    org = normalized("org_salesforce", [{"company": "-None-"}])
    assert org["company"][0] == "-None-"


def test_explicit_date_layouts_with_german_month_names_in_the_source_time_zone(normalized):
    zoho = normalized("zoho_leads", [
        {"created_at": "15 Apr, 2021 00:03:00"}, {"created_at": "15 Okt, 2021 12:00:00"},
        {"created_at": "2021-04-15T00:03:00Z"},
    ])
    # Asia/Kolkata is UTC+05:30; a time with an offset is read as written.
    assert zoho["created_at"].to_list() == [
        datetime(2021, 4, 14, 18, 33), datetime(2021, 10, 15, 6, 30), datetime(2021, 4, 15, 0, 3)]
    assert zoho["date_issues"].null_count() == 3


def test_report_times_with_am_pm_in_the_org_time_zone(normalized):
    org = normalized("org_salesforce", [{"created_at": "7/3/2013 1:26 PM"}])
    assert org["created_at"][0] == datetime(2013, 7, 3, 20, 26)


def test_boolean_words_of_the_source(normalized):
    zoho = normalized("zoho_leads", [
        {"opt_out_email": "Opted"}, {"opt_out_email": "Not opted"}, {"opt_out_email": "TRUE"},
    ])
    assert zoho["do_not_email"].to_list() == [True, False, True]


def test_activity_columns_become_numbers_and_named_activities(normalized):
    zoho = normalized("zoho_leads", [
        {"web_visits": "4", "time_on_site_minutes": "2.5", "page_views_per_visit": "1.5",
         "email_opens": "3", "email_clicks": "1", "form_submissions": "2", "source_score": "87",
         "source_grade": "A-", "last_activity_type": "Mail Bounced", "last_activity_at": "1 Mar, 2024 09:00:00"},
        {"time_on_site_seconds": "1532", "page_views": "7", "last_activity_type": "Olark Chat Conversation"},
    ])
    first, second = zoho.row(0, named=True), zoho.row(1, named=True)
    assert (first["web_visits"], first["time_on_site_seconds"], first["page_views"]) == (4.0, 150.0, 6.0)
    assert (first["email_opens"], first["email_clicks"], first["form_submissions"]) == (3.0, 1.0, 2.0)
    assert (first["source_score"], first["source_grade"]) == (87.0, "A-")
    assert first["last_activity_type"] == "email_bounced"
    assert first["last_activity_at"] == datetime(2024, 3, 1, 3, 30)
    assert (second["time_on_site_seconds"], second["page_views"]) == (1532.0, 7.0)
    assert second["last_activity_type"] == "olark_chat_conversation"


def test_lead_source_keeps_its_text_and_maps_to_detail_and_channel(normalized):
    zoho = normalized("zoho_leads", [{"lead_source": "Chat"}, {"lead_source": "Cold Call"}])
    assert zoho.select("lead_source", "lead_source_detail", "channel").rows() == [
        ("Chat", "live_chat", "inbound"), ("Cold Call", "cold_call", "outbound")]


def test_unreadable_dates_are_counted_per_file_and_field(formats, make_raw):
    raw = make_raw("crm_export", "zoho", "zoho_leads", [
        {"crm_id": "1", "created_at": "15 Apr, 2021 00:03:00", "web_visits": "3"},
        {"crm_id": "2", "created_at": "2021/15/04", "web_visits": "many"},
        {"crm_id": "3", "created_at": "", "web_visits": None},
    ], source_file="crm_exports/zoho/leads.csv")
    stats = normalize_batch({"raw.crm_records": raw}, formats=formats, now=NOW).parse_stats
    rows = {(r["field"], r["kind"]): (r["non_empty"], r["parsed"]) for r in stats.iter_rows(named=True)}
    assert rows[("created_at", "date")] == (2, 1)
    assert rows[("web_visits", "number")] == (2, 1)
    assert set(stats["source_file"]) == {"crm_exports/zoho/leads.csv"}


def test_whole_name_fills_first_and_last_name_when_the_source_has_neither(normalized):
    zoho = normalized("zoho_leads", [
        {"last_name": None, "full_name": "Dr. Anna von Berg"},
        {"last_name": None, "full_name": "Berg, Anna"},
        {"last_name": "Kern", "first_name": "Jo", "full_name": "Johanna Kern-Weiß"},
    ])
    assert zoho.select("first_name", "last_name", "academic_title").rows() == [
        ("Anna", "von Berg", "Dr."), ("Anna", "Berg", None), ("Jo", "Kern", None)]
