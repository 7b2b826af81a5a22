"""`leadwerk contract draft`: a sample export becomes a commented contract that works as it is."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from ingest.raw.draft import DraftError, draft_contract, load_synonyms, map_header, propose_stage

from .test_real_shapes_fixtures import CONTRACTS, FIXTURE_CONTRACTS, FIXTURES, key, read_fixture


def drafted(path: Path, system: str, kind: str = "crm_export") -> tuple[str, dict]:
    text = draft_contract(path, system, kind)
    return text, yaml.safe_load(text)


def field_of(contract: dict) -> dict[str, set[str]]:
    """Header key -> raw fields it feeds (mapped or combined)."""
    mapping: dict[str, set[str]] = {}
    for field, headers in contract["fields"].items():
        for header in headers:
            mapping.setdefault(key(header), set()).add(field)
    for field, rule in (contract.get("combine") or {}).items():
        for column in rule["columns"]:
            mapping.setdefault(key(column), set()).add(field)
    return mapping


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("relative", sorted(FIXTURE_CONTRACTS))
def test_draft_of_a_real_shape_maps_every_column_as_the_shipped_contract(relative):
    shipped = CONTRACTS[FIXTURE_CONTRACTS[relative][0]]
    _, draft = drafted(FIXTURES / relative, shipped["source_system"])
    header, _ = read_fixture(relative)
    expected, got = field_of(shipped), field_of(draft)
    for column in header:
        # The id column feeds crm_id and source_record_id; either contract may name both.
        assert got.get(key(column), set()) - {"source_record_id"} == expected.get(key(column), set()) - {
            "source_record_id"}, column
    assert draft["source_system"] == shipped["source_system"]
    assert draft["identify"] and draft["row_required"] == ["crm_id"]


def test_x_education_leads_map_to_activity_and_outcome_fields_for_an_unknown_system():
    _, draft = drafted(FIXTURES / "leadsquared/x_education_shape.csv", "x_education")
    fields = {f: headers[0] for f, headers in draft["fields"].items()}
    assert fields == {
        "crm_id": "Prospect ID", "source_record_id": "Lead Number", "lead_origin": "Lead Origin",
        "lead_source": "Lead Source", "opt_out_email": "Do Not Email", "do_not_call": "Do Not Call",
        "is_converted": "Converted", "web_visits": "TotalVisits",
        "time_on_site_seconds": "Total Time Spent on Website",
        "page_views_per_visit": "Page Views Per Visit",
        # "Last Activity" names a date in Salesforce, but this column holds activities.
        "last_activity_type": "Last Activity", "country": "Country",
        "occupation": "What is your current occupation", "city": "City",
    }
    assert draft["values"]["placeholders"] == ["Select"]
    assert draft["values"]["booleans"] == {True: ["Yes", "1"], False: ["No", "0"]}
    assert draft["identify"] == [["crm_id"]]


def test_lead_list_converted_column_becomes_the_outcome_for_its_own_system():
    text, draft = drafted(FIXTURES / "leadsquared/x_education_shape.csv", "leadsquared")
    assert draft["fields"]["outcome"] == ["Converted"]
    assert draft["values"]["outcome"] == {"0": "lost", "1": "converted"}
    assert draft["values"]["lead_source"]["Olark Chat"] == {"detail": "chat", "channel": "inbound"}
    # Every column without a raw field is named, so nothing is dropped unseen.
    for column in ("Specialization", "Tags", "Lead Quality", "Last Notable Activity"):
        assert f'#   "{column}"' in text


def test_zoho_dates_with_month_names_and_picklists_get_layouts_and_proposals():
    _, draft = drafted(FIXTURES / "zoho/leads_export.csv", "zoho")
    assert draft["formats"]["dates"] == ["%d %b, %Y %H:%M:%S"]
    assert draft["formats"]["date_order"] == "DMY"
    assert draft["formats"]["thousands_separator"] == ","
    assert draft["values"]["placeholders"] == ["-None-"]
    assert draft["values"]["lead_status"] == {
        "Contacted": "mql", "Junk Lead": "lead", "Attempted to Contact": "lead",
        "Pre-Qualified": "mql", "Lost Lead": "lead"}
    assert draft["values"]["outcome"] == {"Junk Lead": "disqualified", "Lost Lead": "lost"}
    assert draft["values"]["lead_source"]["Web Research"] == {"detail": "outbound_prospecting", "channel": "outbound"}


def test_salesforce_us_report_gets_twelve_hour_clock_and_thousands_commas():
    _, draft = drafted(FIXTURES / "salesforce/lead_report_en.csv", "salesforce")
    assert draft["formats"]["dates"][0] == "%m/%d/%Y %I:%M %p"
    assert "%m/%d/%Y" in draft["formats"]["dates"]
    assert draft["formats"]["date_order"] == "MDY"
    assert (draft["formats"]["decimal_separator"], draft["formats"]["thousands_separator"]) == (".", ",")
    assert draft["values"]["booleans"] == {True: ["TRUE"], False: ["FALSE"]}
    assert draft["values"]["outcome"] == {"Closed - Not Converted": "lost", "Closed - Converted": "converted"}
    assert draft["values"]["converted_stage"] == "opportunity"


def test_german_report_gets_day_first_dates_and_decimal_commas():
    _, draft = drafted(FIXTURES / "salesforce/lead_report_de.csv", "salesforce")
    assert draft["formats"]["dates"] == ["%d.%m.%Y %H:%M", "%d.%m.%Y"]
    assert draft["formats"]["date_order"] == "DMY"
    assert (draft["formats"]["decimal_separator"], draft["formats"]["thousands_separator"]) == (",", ".")
    assert draft["values"]["lead_status"]["In Bearbeitung - Kontaktiert"] == "mql"
    assert draft["values"]["lead_status"]["Offen - Nicht kontaktiert"] == "lead"


def test_german_month_names_are_read_as_dates(tmp_path):
    path = write(tmp_path, "export.csv", "Nachname;E-Mail;Erstellt am\n"
                 "Müller;a@example.org;15. März 2024\nSchmidt;b@example.org;3. Okt 2023\n"
                 "Weber;c@example.org;1. Dezember 2023\n", "windows-1252")
    text, draft = drafted(path, "vertrieb_de")
    assert draft["delimiter"] == ";"
    assert "encoding windows-1252" in text
    assert draft["fields"]["created_at"] == ["Erstellt am"]
    # chrono's %B reads full and abbreviated month names; the loader adds the German ones.
    assert draft["formats"]["dates"] == ["%d. %B %Y"]
    assert "100% of the sample parses" in text


def test_data_loader_utc_timestamps_are_read_by_the_built_in_layouts():
    _, draft = drafted(FIXTURES / "salesforce/dataloader_lead_export.csv", "salesforce")
    assert not draft.get("formats", {}).get("dates")
    assert draft["fields"]["source_score"] == ["PI__SCORE__C"]
    assert draft["fields"]["source_grade"] == ["PI__GRADE__C"]


def test_unmapped_columns_are_listed_and_not_mapped():
    text, draft = drafted(FIXTURES / "salesforce/dataloader_lead_export.csv", "salesforce")
    assert '#   "REGION__C"' in text
    assert all("REGION__C" not in headers for headers in draft["fields"].values())


def test_every_opt_out_column_of_hubspot_is_combined(tmp_path):
    path = write(tmp_path, "contacts.csv", "Record ID,Email,Opted out of email: Newsletter,"
                 "Opted out of email: Product Updates,Unsubscribed from all email\n"
                 "1,a@example.org,true,,false\n2,b@example.org,,false,\n")
    _, draft = drafted(path, "hubspot")
    assert draft["combine"] == {"opt_out_email": {
        "rule": "any_true",
        "columns": ["Opted out of email: Newsletter", "Opted out of email: Product Updates",
                    "Unsubscribed from all email"],
        "true_values": ["true"], "false_values": ["false"]}}
    assert "opt_out_email" not in draft["fields"]


def test_a_lead_list_has_record_ids_not_crm_ids(tmp_path):
    path = write(tmp_path, "list.csv", "Lead ID,Vorname,Nachname,E-Mail,Lead Source\nL1,Anna,Roth,a@example.org,Web\n")
    _, draft = drafted(path, "Adress Partner", kind="purchased_list")
    assert draft["name"] == "adress_partner_purchased_list"
    assert draft["source_kind"] == "purchased_list"
    assert draft["fields"]["source_record_id"] == ["Lead ID"]
    assert "crm_id" not in draft["fields"]
    assert draft["row_required"] == ["source_record_id"]
    assert draft["identify"] == [["source_record_id"], ["email"], ["last_name"]]


def test_words_stay_the_text_the_crm_wrote(tmp_path):
    path = write(tmp_path, "leads.csv", "Id,Email,Status,Converted\n1,a@example.org,Yes,1\n2,b@example.org,No,0\n")
    text, draft = drafted(path, "salesforce")
    # Quoted, so YAML keeps "1" and "0" as text, not numbers or booleans.
    assert draft["values"]["booleans"] == {True: ["1"], False: ["0"]}
    # "Yes" / "No" as a status have no stage proposal: listed for the user, not guessed.
    assert "lead_status" not in draft["values"]
    assert '# "Yes": ?' in text and '# "No": ?' in text


def test_system_synonyms_win_over_other_systems():
    synonyms = load_synonyms()
    assert map_header("title", "mautic", "crm_export", synonyms) == "salutation"
    assert map_header("Title", "salesforce", "crm_export", synonyms) == "job_title"
    assert map_header("Converted", "leadsquared", "crm_export", synonyms) == "outcome"
    assert map_header("Converted", "some_new_crm", "crm_export", synonyms) == "is_converted"
    assert map_header("LEAD_ID", "salesforce", "crm_export", synonyms) == "crm_id"
    assert map_header("Favourite colour", "salesforce", "crm_export", synonyms) is None


@pytest.mark.parametrize(("value", "stage"), [
    ("Open - Not Contacted", "lead"), ("Working - Contacted", "mql"), ("Closed - Converted", "opportunity"),
    ("Closed - Not Converted", "lead"), ("Pre Qualified", "mql"), ("Qualified", "sql"),
    ("marketingqualifiedlead", "mql"), ("Open Deal", "opportunity"), ("Cannot Contact", "lead"),
    ("Customer", "customer"), ("Offen - Nicht kontaktiert", "lead"), ("Something else", None),
])
def test_stage_proposals_read_negations_before_the_words_they_contain(value, stage):
    assert propose_stage(value) == stage


def test_empty_file_is_refused_with_the_file_named(tmp_path):
    path = write(tmp_path, "empty.csv", "")
    with pytest.raises(DraftError, match=r"empty\.csv: the file is empty"):
        draft_contract(path, "zoho")


def test_file_with_no_known_header_says_where_to_add_synonyms(tmp_path):
    path = write(tmp_path, "odd.csv", "Foo,Bar\n1,2\n")
    with pytest.raises(DraftError, match=r"odd\.csv: none of the 2 columns .*header_synonyms\.csv"):
        draft_contract(path, "zoho")


def test_unknown_kind_is_refused(tmp_path):
    path = write(tmp_path, "a.csv", "Email\na@example.org\n")
    with pytest.raises(DraftError, match="unknown source kind 'crm'"):
        draft_contract(path, "zoho", kind="crm")


def test_consent_picklists_become_a_combine_rule_naming_the_opted_out_values():
    _, draft = drafted(FIXTURES / "dynamics365/my_open_leads.csv", "dynamics365")
    assert draft["combine"]["opt_out_email"] == {
        "rule": "any_true", "columns": ["Do not allow Emails"],
        "true_values": ["Do Not Allow"], "false_values": ["Allow"]}


def test_a_second_column_for_the_same_field_is_kept_as_extra():
    text, draft = drafted(FIXTURES / "pipedrive/people_export.csv", "pipedrive")
    assert draft["fields"]["email"] == ["Person - Email - Work"]
    assert draft["keep_as_extra"] == ["Person - Email - Home"]
    assert '"Person - Email - Home" -> email' in text


ODOO = Path(__file__).parent / "fixtures" / "unshipped" / "odoo" / "crm_lead_export.csv"


def test_odoo_crm_export_maps_its_labels_through_the_synonym_table():
    # An Odoo CRM list-view export (crm.lead labels), a system without a shipped contract.
    _, draft = drafted(ODOO, "odoo")
    fields = {f: headers[0] for f, headers in draft["fields"].items()}
    assert fields == {
        "crm_id": "ID", "source_record_id": "ID", "created_at": "Created on", "full_name": "Contact Name",
        "company": "Company Name", "email": "Email", "phone": "Phone", "mobile_phone": "Mobile",
        "job_title": "Job Position", "street": "Street", "postcode": "Zip", "city": "City",
        "country": "Country", "website": "Website", "lifecycle_stage": "Stage", "rating": "Priority",
        "lead_source": "Source", "outcome_at": "Closed Date",
    }
    assert draft["values"]["lifecycle_stage"] == {
        "New": "lead", "Qualified": "sql", "Proposition": "opportunity", "Won": "customer"}
    assert draft["values"]["lead_source"]["Search engine"] == {"detail": "organic_search", "channel": "inbound"}


def test_odoo_draft_works_unedited(tmp_path):
    from ingest.contract_check import check_file

    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "odoo.yaml").write_text(draft_contract(ODOO, "odoo", "crm_export"), encoding="utf-8")
    report = check_file(ODOO, source_kind="crm_export", source_system="odoo", contracts_dir=contracts)
    assert report.read.contract == "odoo"
    assert report.read.rows.height == report.read.rows_read == 5
    dates = report.parse_stats.filter(pl.col("kind") == "date")
    assert (dates["parsed"] == dates["non_empty"]).all()
    assert report.stages == {"customer": 1, "lead": 2, "opportunity": 1, "sql": 1}
