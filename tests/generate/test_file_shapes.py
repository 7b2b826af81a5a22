"""Every written file has the shape, header, encoding and line endings docs/data_contracts.md lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .helpers import data_files, encoding_of, read_rows

CONTRACT_DOC = Path(__file__).resolve().parents[2] / "docs" / "data_contracts.md"
FOLDERS = {
    "purchased_lists/adressdirekt/": "Anrede;",
    "purchased_lists/leadsource_eu/": "lead_ref,",
    "crm_exports/hubspot/": "Record ID,",
    "crm_exports/salesforce/salesforce_leads": "Id,",
    "crm_exports/salesforce/lead_report": "Lead ID,",
}
JSON_KEYS = ["submission_id", "form_type", "submitted_at", "page_url", "utm", "fields", "consent", "double_opt_in"]
FIELD_KEYS = ["salutation", "first_name", "last_name", "email", "phone", "company", "job_title", "postcode", "city",
              "country", "message"]


def contract_header(starts_with: str) -> list[str]:
    """The header the contract document spells out (in backticks) for one file shape."""
    doc = CONTRACT_DOC.read_text(encoding="utf-8")
    for snippet in re.findall(r"`([^`\n]+)`", doc):
        if snippet.startswith(starts_with) and snippet.count(starts_with[-1]) > 10:
            return snippet.split(starts_with[-1])
    raise AssertionError(f"no header starting with {starts_with!r} in the contract doc")


def files_under(landing: Path, prefix: str) -> list[str]:
    return [f for f in data_files(landing) if f.startswith(prefix)]


def test_every_source_shape_is_written_as_several_files(landing):
    for prefix in [*FOLDERS, "web_forms/"]:
        assert len(files_under(landing, prefix)) >= 3, prefix


def test_only_contract_folders_are_written(landing):
    for relative in data_files(landing):
        assert relative.startswith((*FOLDERS, "web_forms/")), relative


@pytest.mark.parametrize("prefix", list(FOLDERS))
def test_csv_headers_match_the_contract_document(landing, prefix):
    expected = contract_header(FOLDERS[prefix])
    for relative in files_under(landing, prefix):
        header, _ = read_rows(landing, relative)
        assert header == expected, relative


def test_hubspot_header_repeats_create_date_and_phone_number(landing):
    header, _ = read_rows(landing, files_under(landing, "crm_exports/hubspot/")[0])
    assert header.count("Create Date") == 2 and header.count("Phone Number") == 2


@pytest.mark.parametrize("prefix", ["purchased_lists/adressdirekt/", "crm_exports/salesforce/lead_report"])
def test_windows_1252_files_decode_strictly_and_use_crlf(landing, prefix):
    for relative in files_under(landing, prefix):
        data = (landing / relative).read_bytes()
        text = data.decode("cp1252")  # raises on bytes cp1252 does not define
        assert "ü" in text or "ö" in text or "ä" in text or "ß" in text
        assert data.count(b"\n") == data.count(b"\r\n")
        assert not data.startswith(b"\xef\xbb\xbf")


def test_cp1252_files_are_not_utf8(landing):
    relative = files_under(landing, "purchased_lists/adressdirekt/")[0]
    with pytest.raises(UnicodeDecodeError):
        (landing / relative).read_bytes().decode("utf-8")


def test_hubspot_files_start_with_a_utf8_bom(landing):
    for relative in files_under(landing, "crm_exports/hubspot/"):
        assert (landing / relative).read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("prefix", ["purchased_lists/leadsource_eu/", "crm_exports/salesforce/salesforce_leads",
                                    "crm_exports/hubspot/", "web_forms/"])
def test_utf8_files_use_lf_line_endings(landing, prefix):
    for relative in files_under(landing, prefix):
        data = (landing / relative).read_bytes()
        assert b"\r\n" not in data
        assert encoding_of(relative) == "utf-8"


def test_utf8_files_without_bom_have_no_bom(landing):
    for relative in files_under(landing, "purchased_lists/leadsource_eu/") + files_under(landing, "web_forms/"):
        assert not (landing / relative).read_bytes().startswith(b"\xef\xbb\xbf")


def test_web_form_lines_have_the_contract_keys(landing):
    seen_doi = seen_no_doi = False
    for relative in files_under(landing, "web_forms/"):
        _, objects = read_rows(landing, relative)
        for obj in filter(None, objects):
            assert list(obj) == JSON_KEYS
            assert list(obj["fields"]) == FIELD_KEYS
            assert set(obj["utm"]) == {"source", "medium", "campaign"}
            assert set(obj["consent"]) == {"email_marketing", "phone_marketing", "text_version"}
            assert isinstance(obj["consent"]["email_marketing"], bool)
            if obj["double_opt_in"] is None:
                seen_no_doi = True
            else:
                seen_doi = True
                assert set(obj["double_opt_in"]) == {"confirmation_id", "confirmed_at"}
    assert seen_doi and seen_no_doi


def test_web_form_timestamps_carry_an_offset(landing):
    _, objects = read_rows(landing, files_under(landing, "web_forms/")[0])
    stamps = [o["submitted_at"] for o in objects if o]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in stamps)


def test_source_specific_value_formats(landing):
    _, ad = read_rows(landing, files_under(landing, "purchased_lists/adressdirekt/")[0])
    assert all(re.fullmatch(r"\d+,\d\d", row[19]) for row in ad if len(row) == 20)
    _, sf = read_rows(landing, files_under(landing, "crm_exports/salesforce/salesforce_leads")[0])
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000", row[18]) for row in sf)
    assert {row[19] for row in sf if len(row) == 25} <= {"true", "false"}
    reports = [row for f in files_under(landing, "crm_exports/salesforce/lead_report") for row in read_rows(landing, f)[1]]
    assert any(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", row[18]) for row in reports)
    whole = [row for row in reports if len(row) == 27]
    assert whole
    assert {row[19] for row in whole} <= {"TRUE", "FALSE"}
    assert any("," in row[10] for row in whole), "thousands separators"
    # State/Province as reps type it: the city's state, empty, or "." to pass a required field.
    regions = {row[25] for row in whole}
    assert {"", "."} <= regions and "Bayern" in regions
    assert all(row[26].isdigit() for row in whole), "campaign memberships are counts"


def test_no_lead_source_writes_characters_windows_1252_cannot_hold(landing, truth_people):
    # The population contains such names, so the cp1252 files must have dropped the diacritics.
    assert truth_people["last_name"].str.contains("ı|ş|ł|ř").any()
    for prefix in ["purchased_lists/adressdirekt/", "crm_exports/salesforce/lead_report"]:
        for relative in files_under(landing, prefix):
            (landing / relative).read_bytes().decode("cp1252")
