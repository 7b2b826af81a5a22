"""Each landing shape parses into the raw fields named in docs/data_contracts.md."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.raw import ContractError, contract_formats, ingest_source_kind, load_contracts
from ingest.raw.contracts import parse_contract

from .landing_files import put, rows_of

ADRESSDIREKT = "purchased_lists/adressdirekt/adressdirekt_2025-03.csv"
LEADSOURCE = "purchased_lists/leadsource_eu/leadsource_eu_q1.csv"
WEB_FORMS = "web_forms/forms_2025-03-05.jsonl"
HUBSPOT = "crm_exports/hubspot/hubspot-crm-exports-all-contacts-2025-03-06.csv"
SF_API = "crm_exports/salesforce/salesforce_leads_api_2025-03-06.csv"
SF_REPORT = "crm_exports/salesforce/salesforce_report_leads_2025-03-06.csv"


def _ingest(conn: duckdb.DuckDBPyConnection, landing: Path, kind: str, source_file: str, table: str) -> pl.DataFrame:
    ingest_source_kind(conn, landing, kind, batch_id="b1", only_files=[source_file])
    return rows_of(conn, table, source_file)


def test_adressdirekt_cp1252_semicolon_crlf_maps_german_headers(conn, landing):
    rows = _ingest(conn, landing, "purchased_list", ADRESSDIREKT, "raw.purchased_list_records")
    first = rows.row(0, named=True)
    assert rows.height == 3
    assert first["contract"] == "adressdirekt"
    assert (first["salutation"], first["academic_title"], first["first_name"], first["last_name"]) == (
        "Herr", "Dr.", "Jürgen", "Müller")
    assert (first["street"], first["house_number"], first["postcode"], first["city"]) == (
        "Königstraße", "12a", "70173", "Stuttgart")
    assert (first["consent_email"], first["consent_proof"], first["consent_at"]) == (
        "ja", "AD-2025-000123", "14.02.2025")
    assert (first["list_price"], first["birth_date"]) == ("0,45", "03.04.1971")
    assert first["source_record_id"] is None and first["consent_phone"] is None


def test_raw_keeps_source_text_untrimmed(conn, landing):
    rows = _ingest(conn, landing, "purchased_list", ADRESSDIREKT, "raw.purchased_list_records")
    assert rows["last_name"][2] == " Özdemir "


def test_leadsource_eu_keeps_address_whole_and_unquotes_fields(conn, landing):
    rows = _ingest(conn, landing, "purchased_list", LEADSOURCE, "raw.purchased_list_records")
    assert rows["source_record_id"].to_list() == ["LS-000101", "LS-000102", "LS-000103"]
    assert rows["street"][0] == "Hauptstraße 12a"
    assert rows["house_number"].null_count() == 3
    assert rows["company"].to_list()[0::2] == ["Schneider, Weber & Partner mbB", 'Acme "Labs" BV']
    assert rows["consent_at"][0] == "2025-02-11T09:15:00+01:00"
    assert rows["list_price"][0] == "0.38"


def test_web_forms_flatten_dotted_paths_and_booleans_as_text(conn, landing):
    rows = _ingest(conn, landing, "web_form", WEB_FORMS, "raw.web_form_submissions")
    first, second = rows.row(0, named=True), rows.row(1, named=True)
    assert (first["source_record_id"], first["created_at"]) == ("wf-0001", "2025-03-04T10:22:11+01:00")
    assert (first["email"], first["utm_source"], first["form_type"]) == (
        "lea.krueger@firma.de", "linkedin", "whitepaper")
    assert (first["consent_email"], first["consent_phone"]) == ("true", "false")
    assert (first["doi_confirmation_id"], first["doi_confirmed_at"]) == ("doi-7f3a", "2025-03-04T10:25:40+01:00")
    assert second["doi_confirmation_id"] is None and second["message"] == "Bitte rufen Sie mich an,\n danke!"
    assert rows["source_row"].to_list() == [1, 2]


def test_hubspot_repeated_labels_are_addressed_by_occurrence(conn, landing):
    rows = _ingest(conn, landing, "crm_export", HUBSPOT, "raw.crm_records")
    first = rows.row(0, named=True)
    assert (first["created_at"], first["company_created_at"]) == ("2024-11-02 14:05", "2019-05-06 08:00")
    assert (first["phone"], first["company_phone"]) == ("+49 30 1111111", "+49 30 9999999")
    assert first["crm_id"] == first["source_record_id"] == "51234"
    assert (first["mql_at"], first["lifecycle_stage"]) == ("2025-01-10 09:00", "marketingqualifiedlead")


def test_hubspot_bom_does_not_reach_the_first_column(conn, landing):
    rows = _ingest(conn, landing, "crm_export", HUBSPOT, "raw.crm_records")
    assert rows["crm_id"].to_list() == ["51234", "51235", "51236"]


def test_hubspot_opt_out_columns_combine_to_true_when_any_is_true(conn, landing):
    rows = _ingest(conn, landing, "crm_export", HUBSPOT, "raw.crm_records")
    # row 1: one newsletter opt-out; row 2: all false; row 3: all empty
    assert rows["opt_out_email"].to_list() == ["true", "false", None]


def test_hubspot_keeps_each_opt_out_column_in_extra_fields(conn, landing):
    rows = _ingest(conn, landing, "crm_export", HUBSPOT, "raw.crm_records")
    extra = pl.Series([rows["extra_fields"][0]]).str.json_decode().struct.unnest()
    assert extra["Opted out of email: Newsletter"][0] == "true"
    assert extra["Associated Company ID"][0] == "9001"


def test_quoted_line_break_stays_inside_one_record(conn, landing):
    rows = _ingest(conn, landing, "crm_export", HUBSPOT, "raw.crm_records")
    assert rows["street"][0] == "Friedrichstraße 5\nHinterhaus"
    assert rows["source_row"].to_list() == [1, 2, 3]


def test_salesforce_api_export_maps_api_names(conn, landing):
    rows = _ingest(conn, landing, "crm_export", SF_API, "raw.crm_records")
    second = rows.row(1, named=True)
    assert second["contract"] == "salesforce_leads_api"
    assert (second["crm_id"], second["is_converted"], second["converted_at"]) == (
        "00Q5g00000AbCdFEAZ", "true", "2025-01-15")
    assert (second["opt_out_email"], second["do_not_call"], second["mobile_phone"]) == (
        "true", "false", "+49 160 9876543")
    assert second["created_at"] == "2024-12-01T08:00:00.000+0000"


def test_salesforce_report_cp1252_crlf_keeps_thousands_separator_text(conn, landing):
    rows = _ingest(conn, landing, "crm_export", SF_REPORT, "raw.crm_records")
    first = rows.row(0, named=True)
    assert first["contract"] == "salesforce_leads_report"
    assert (first["first_name"], first["last_name"], first["street"]) == ("Jörg", "Weiß", "Südring 4")
    assert (first["employee_count"], first["created_at"]) == ("1,098", "3/4/2025")
    assert (first["opt_out_email"], first["do_not_call"], first["is_converted"]) == ("1", "0", "0")
    assert not first["do_not_call"].endswith("\r")


def test_every_raw_table_has_the_full_contract_schema(conn, landing):
    for kind in ("purchased_list", "web_form", "crm_export"):
        ingest_source_kind(conn, landing, kind, batch_id="b1")
    columns = {
        table: set(conn.execute(f"select * from {table} limit 0").pl().columns)
        for table in ("raw.purchased_list_records", "raw.web_form_submissions", "raw.crm_records")
    }
    lineage = {"source_kind", "source_system", "source_file", "file_sha256", "source_row",
               "ingested_at", "batch_id", "contract", "extra_fields"}
    for table_columns in columns.values():
        assert lineage <= table_columns
    assert {"list_price", "consent_at"} <= columns["raw.purchased_list_records"]
    assert {"doi_confirmation_id", "utm_campaign"} <= columns["raw.web_form_submissions"]
    assert {"crm_id", "opt_out_email", "company_created_at"} <= columns["raw.crm_records"]


def test_contract_formats_give_parsing_hints_per_contract():
    formats = contract_formats()
    by_name = {row["contract"]: row for row in formats.iter_rows(named=True)}
    assert set(by_name) == {c.name for c in load_contracts()}
    assert (by_name["adressdirekt"]["date_order"], by_name["adressdirekt"]["decimal_separator"]) == ("DMY", ",")
    assert (by_name["salesforce_leads_report"]["date_order"],
            by_name["salesforce_leads_report"]["thousands_separator"]) == ("MDY", ",")
    assert formats.columns == ["contract", "date_order", "decimal_separator", "thousands_separator",
                               "default_country", "timezone", "date_layouts", "value_maps"]


def test_contract_mapping_to_unknown_raw_field_is_refused():
    with pytest.raises(ContractError, match=r"x.yaml: raw field 'e_mail' does not exist .*did you mean 'email'"):
        parse_contract(
            {"name": "x", "source_kind": "purchased_list", "source_system": "x",
             "identify": [["e_mail"]], "fields": {"e_mail": "Mail"}},
            origin="x.yaml",
        )


def test_new_vendor_is_a_new_yaml_file(conn, empty_landing, tmp_path):
    contracts_dir = tmp_path / "contracts"
    contracts_dir.mkdir()
    (contracts_dir / "listenprofi.yaml").write_text(
        "name: listenprofi\nsource_kind: purchased_list\nsource_system: listenprofi\n"
        "format: csv\nencoding: utf-8\ndelimiter: '|'\nidentify: [[email]]\n"
        "fields:\n  email: Mail\n  source_record_id: Nummer\n",
        encoding="utf-8",
    )
    put(empty_landing, "purchased_lists/listenprofi/a.csv", b"Nummer|Mail\n7|a@b.de\n")
    report = ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1",
                                contracts_dir=contracts_dir)
    rows = rows_of(conn, "raw.purchased_list_records", "purchased_lists/listenprofi/a.csv")
    assert report.files[0].contract == "listenprofi"
    assert rows.select("source_record_id", "email").row(0) == ("7", "a@b.de")
