from datetime import datetime

import polars as pl

from ingest.normalize import LEAD_RECORD_COLUMNS, normalize_batch


def test_record_without_any_contact_data_is_quarantined(make_raw, formats, now):
    raw = make_raw("purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": "Koch", "email": "k@firma.de"}, {"list_price": "0,45", "first_name": "  "}])
    batch = normalize_batch({"raw.purchased_list_records": raw}, formats=formats, now=now)
    assert batch.lead_records.height == 1
    q = batch.quarantine.row(0, named=True)
    assert (q["reason"], q["stage"], q["source_row"]) == ("no_contact_data", "normalize", 2)
    assert '"list_price":"0,45"' in q["raw_text"]


def test_crm_record_with_only_its_id_is_kept(make_raw, formats, now):
    raw = make_raw("crm_export", "hubspot", "hubspot_contacts", [
        {"source_record_id": "9", "crm_id": "9", "lifecycle_stage": "customer"}])
    batch = normalize_batch({"raw.crm_records": raw}, formats=formats, now=now)
    assert batch.lead_records.select("record_id", "lifecycle_stage").row(0) == ("hubspot:9", "customer")
    assert batch.quarantine.height == 0


def test_latest_ingested_copy_of_a_record_wins(make_raw, formats, now):
    old = make_raw("crm_export", "hubspot", "hubspot_contacts", [
        {"source_record_id": "9", "crm_id": "9", "email": "old@firma.de"}], ingested_at=datetime(2026, 1, 1))
    new = make_raw("crm_export", "hubspot", "hubspot_contacts", [
        {"source_record_id": "9", "crm_id": "9", "email": "new@firma.de"}], ingested_at=datetime(2026, 2, 1))
    batch = normalize_batch({"raw.crm_records": pl.concat([new, old])}, formats=formats, now=now)
    assert batch.lead_records["email"].to_list() == ["new@firma.de"]


def test_result_does_not_depend_on_row_order(make_raw, formats, now):
    raw = make_raw("purchased_list", "leadsource_eu", "leadsource_eu", [
        {"source_record_id": f"L{i}", "last_name": f"Name{i}", "phone": f"030 12345{i:02d}"} for i in range(20)])
    a = normalize_batch({"t": raw}, formats=formats, now=now)
    b = normalize_batch({"t": raw.reverse()}, formats=formats, now=now)
    assert a.lead_records.sort("record_id").equals(b.lead_records.sort("record_id"))
    assert a.touchpoints.equals(b.touchpoints)


def test_records_without_source_id_get_a_content_hash_id(make_raw, formats, now):
    raw = make_raw("purchased_list", "adressdirekt", "adressdirekt", [{"last_name": "Koch"}, {"last_name": "Koch"}])
    batch = normalize_batch({"t": raw}, formats=formats, now=now)
    ids = batch.lead_records["record_id"].to_list()
    assert len(ids) == 1 and ids[0].startswith("adressdirekt:h:") and len(ids[0]) == len("adressdirekt:h:") + 16


def test_lead_records_have_the_contract_columns_and_marketing_fields(make_raw, formats, now):
    raw = make_raw("crm_export", "salesforce", "salesforce_leads_report", [
        {"source_record_id": "00Q2", "crm_id": "00Q2", "email": "x@gmx.de", "lead_source": "Trade Show",
         "lead_status": "Working - Contacted", "is_converted": "1", "converted_at": "3/4/2025",
         "created_at": "2/1/2025", "employee_count": "1,098"}])
    batch = normalize_batch({"raw.crm_records": raw}, formats=formats, now=now)
    lead = batch.lead_records.row(0, named=True)
    assert tuple(batch.lead_records.columns) == LEAD_RECORD_COLUMNS
    assert (lead["channel"], lead["lead_source_detail"], lead["lifecycle_stage"], lead["segment"],
            lead["employee_count"]) == ("outbound", "trade_fair", "opportunity", "b2c", 1098)
    types = set(batch.touchpoints["touchpoint_type"])
    assert types == {"crm_created"}


def test_touchpoints_record_form_type_and_list_price(make_raw, formats, now):
    forms = make_raw("web_form", "web_forms", "web_forms", [
        {"source_record_id": "s9", "email": "a@b.de", "form_type": "webinar", "created_at": "2025-05-01T12:00:00Z"}])
    lists = make_raw("purchased_list", "adressdirekt", "adressdirekt", [{"last_name": "Koch", "list_price": "0,45"}])
    batch = normalize_batch({"f": forms, "l": lists}, formats=formats, now=now)
    rows = batch.touchpoints.sort("touchpoint_type").select("touchpoint_type", "cost_eur").rows()
    assert rows == [("list_purchase", 0.45), ("webinar", None)]


def test_form_submission_with_unreadable_time_is_dated_when_received(make_raw, formats, now):
    forms = make_raw("web_form", "web_forms", "web_forms", [
        {"source_record_id": "s10", "email": "a@b.de", "form_type": "demo_request", "created_at": "31.02.2024"}])
    batch = normalize_batch({"f": forms}, formats=formats, now=now)
    [touchpoint] = batch.touchpoints.rows(named=True)
    ingested_at = batch.lead_records["ingested_at"][0]
    assert touchpoint["occurred_at"] == ingested_at
    assert touchpoint["detail"].endswith(";time=received")
    assert batch.lead_records["date_issues"][0] == "created_at:impossible"
