"""Contracts fit real exports: identifying columns, header aliases, validation, rejections that say why.

Header sets follow the CRMs' documented exports: Salesforce report labels ("Lead ID",
"Created Date", "Status"), Salesforce API names ("Id", "CreatedDate"), HubSpot's "Contact ID"
where older exports said "Record ID".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.raw import ContractError, ingest_source_kind, report_stray_files
from ingest.raw.contracts import parse_contract, read_contract_yaml

from .landing_files import put, registry_of, rows_of

SALESFORCE = """
name: sf
source_kind: crm_export
source_system: salesforce
identify: [[crm_id], [email], [last_name]]
row_required: [crm_id]
fields:
  crm_id: [Id, Lead ID]
  source_record_id: [Id, Lead ID]
  last_name: [LastName, Last Name, Nachname]
  email: [Email, E-Mail]
  created_at: [CreatedDate, Created Date, Create Date, Erstellt am]
  lead_status: [Status, Lead Status]
  opt_out_email: [HasOptedOutOfEmail, Email Opt Out]
formats:
  date_order: MDY
values:
  lead_status: {MQL: mql, SQL: sql}
"""


def _contracts(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "contracts"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def _ingest(conn, landing, contracts_dir, kind="crm_export", batch="b1"):
    return ingest_source_kind(conn, landing, kind, batch_id=batch, contracts_dir=contracts_dir)


def test_report_export_without_optional_columns_loads_by_its_identifying_column(conn, empty_landing, tmp_path):
    # A real report export: "Created Date" not "Create Date", no Last Name, no opt-out column.
    put(empty_landing, "crm_exports/salesforce/report.csv",
        b"Lead ID,Email,Created Date,Status\n00Q1,a@b.de,7/3/2013 1:26 PM,MQL\n00Q2,c@d.de,7/4/2013 9:00 AM,SQL\n")
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE))
    rows = rows_of(conn, "raw.crm_records", "crm_exports/salesforce/report.csv")
    assert report.files[0].status == "loaded" and report.files[0].contract == "sf"
    assert rows.select("crm_id", "created_at", "lead_status").rows() == [
        ("00Q1", "7/3/2013 1:26 PM", "MQL"), ("00Q2", "7/4/2013 9:00 AM", "SQL")]
    assert rows["opt_out_email"].null_count() == 2


def test_header_names_compare_case_and_space_insensitively(conn, empty_landing, tmp_path):
    put(empty_landing, "crm_exports/salesforce/x.csv", b"LEAD  ID , e-mail\n00Q9,x@y.de\n")
    _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE))
    rows = rows_of(conn, "raw.crm_records", "crm_exports/salesforce/x.csv")
    assert rows.select("crm_id", "email").row(0) == ("00Q9", "x@y.de")


def test_first_accepted_name_present_wins_and_the_other_goes_to_extra_fields(conn, empty_landing, tmp_path):
    put(empty_landing, "crm_exports/salesforce/x.csv", b"Lead ID,Id,Email\nlabel-id,api-id,x@y.de\n")
    _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE))
    row = rows_of(conn, "raw.crm_records", "crm_exports/salesforce/x.csv").row(0, named=True)
    assert row["crm_id"] == "api-id"
    assert '"Lead ID":"label-id"' in row["extra_fields"]


def test_row_required_field_is_only_enforced_when_the_file_has_its_column(conn, empty_landing, tmp_path):
    put(empty_landing, "crm_exports/salesforce/no_id.csv", b"Email,Status\na@b.de,MQL\n")
    put(empty_landing, "crm_exports/salesforce/with_id.csv", b"Id,Email\n,a@b.de\n00Q3,c@d.de\n")
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE))
    by_file = {f.source_file: f for f in report.files}
    assert by_file["crm_exports/salesforce/no_id.csv"].rows_loaded == 1
    with_id = by_file["crm_exports/salesforce/with_id.csv"]
    assert (with_id.rows_loaded, with_id.rows_quarantined) == (1, 1)


def test_the_contract_mapping_most_columns_wins(conn, empty_landing, tmp_path):
    narrow = "name: narrow\nsource_kind: crm_export\nsource_system: salesforce\nidentify: [[email]]\nfields:\n  email: Email\n"
    put(empty_landing, "crm_exports/salesforce/x.csv", b"Id,Email,Status\n1,a@b.de,MQL\n")
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE, narrow=narrow))
    assert report.files[0].contract == "sf"


def test_file_without_identifying_columns_is_rejected_naming_what_is_missing(conn, empty_landing, tmp_path):
    put(empty_landing, "crm_exports/salesforce/x.csv", b"Full Name,Phone\nAnna Berg,030 1234\n")
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE))
    note = conn.execute(
        "select reason, reason_detail from quarantine.rows where source_file = 'crm_exports/salesforce/x.csv'"
    ).fetchone()
    assert report.files[0].status == "rejected"
    assert note[0] == "unknown_format"
    assert "nearest contract 'sf'" in note[1]
    assert "crm_id (Id / Lead ID)" in note[1] and "last_name (LastName / Last Name / Nachname)" in note[1]
    assert "leadwerk contract draft" in note[1]


def test_rejected_file_is_read_again_and_loads_once_its_contract_is_fixed(conn, empty_landing, tmp_path):
    put(empty_landing, "crm_exports/salesforce/x.csv", b"Kennung,Email\n7,a@b.de\n")
    only_id = SALESFORCE.replace("identify: [[crm_id], [email], [last_name]]", "identify: [[crm_id]]")
    first = _ingest(conn, empty_landing, _contracts(tmp_path, sf=only_id), batch="b1")
    assert first.files[0].status == "rejected"
    fixed = only_id.replace("crm_id: [Id, Lead ID]", "crm_id: [Id, Lead ID, Kennung]")
    second = _ingest(conn, empty_landing, _contracts(tmp_path, sf=fixed), batch="b2")
    registry = registry_of(conn, "crm_exports/salesforce/x.csv")
    assert second.files[0].status == "loaded"
    assert registry.select("status", "batch_id").rows() == [("loaded", "b2")]
    notes = conn.execute("select count(*) from quarantine.rows where source_row = 0").fetchone()[0]
    assert notes == 0


def test_invalid_contract_rejects_only_the_files_it_governs(conn, empty_landing, tmp_path):
    broken = SALESFORCE.replace("fields:", "colums:")
    hubspot = ("name: hs\nsource_kind: crm_export\nsource_system: hubspot\nidentify: [[crm_id]]\n"
               "fields:\n  crm_id: [Contact ID, Record ID]\n")
    put(empty_landing, "crm_exports/salesforce/x.csv", b"Id,Email\n1,a@b.de\n")
    put(empty_landing, "crm_exports/hubspot/y.csv", b"Contact ID,Email\n51,a@b.de\n")
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=broken, hs=hubspot))
    by_file = {f.source_file: f for f in report.files}
    assert by_file["crm_exports/hubspot/y.csv"].status == "loaded"
    assert by_file["crm_exports/salesforce/x.csv"].status == "rejected"
    detail = conn.execute(
        "select reason, reason_detail from quarantine.rows where source_file = 'crm_exports/salesforce/x.csv'"
    ).fetchone()
    assert detail[0] == "invalid_contract"
    assert "sf.yaml" in detail[1] and "unknown key 'colums'" in detail[1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colums": {}}, "unknown key 'colums'"),
        ({"formats": {"date_ordr": "DMY"}}, "unknown key 'formats.date_ordr' (did you mean 'date_order'?)"),
        ({"fields": {"creatd_at": "Created"}}, "raw field 'creatd_at' does not exist for crm_export files (did you mean 'created_at'?)"),
        ({"values": {"lead_status": {"MQL": "marketing"}}}, "values.lead_status.MQL: 'marketing' is not allowed"),
        ({"values": {"lead_source": {"Web": {"detail": "website", "channel": "online"}}}}, "'online' is not allowed"),
        ({"values": {"outcome": {"Closed": "closed"}}}, "values.outcome.Closed: 'closed' is not allowed"),
        ({"formats": {"timezone": "Europe/Berlinn"}}, "unknown time zone 'Europe/Berlinn'"),
        ({"identify": [["phone"]]}, "identify names ['phone'], which `fields` does not map"),
        ({"formats": {"dates": ["dd.mm.yyyy"]}}, "has no %-directive"),
    ],
)
def test_contract_mistakes_name_the_file_the_key_and_a_suggestion(change, message):
    data = read_contract_yaml(SALESFORCE)
    data = data | {k: (data[k] | v if k == "fields" else v) for k, v in change.items()}
    with pytest.raises(ContractError) as raised:
        parse_contract(data, origin="sf.yaml")
    assert str(raised.value).startswith("sf.yaml: ")
    assert message in str(raised.value)


def test_contract_values_stay_text_as_the_source_wrote_them():
    data = read_contract_yaml("values:\n  booleans: {true: [Yes, TRUE, 1], false: [No, 0]}\n  outcome: {1: converted}\n")
    assert data["values"]["booleans"] == {"true": ["Yes", "TRUE", "1"], "false": ["No", "0"]}
    assert data["values"]["outcome"] == {"1": "converted"}


def test_file_outside_the_source_folders_is_reported_as_rejected(conn, empty_landing, tmp_path):
    put(empty_landing, "leads_export.csv", b"Id,Email\n1,a@b.de\n")
    put(empty_landing, "misc/other.csv", b"x\n")
    put(empty_landing, ".hidden.csv", b"x\n")
    first = report_stray_files(conn, empty_landing, batch_id="b1", at=_moment())
    again = report_stray_files(conn, empty_landing, batch_id="b2", at=_moment())
    registry = conn.execute(
        "select source_file, status, batch_id from audit.file_registry order by source_file"
    ).fetchall()
    assert first == again == ["leads_export.csv", "misc/other.csv"]
    assert registry == [("leads_export.csv", "rejected", "b2"), ("misc/other.csv", "rejected", "b2")]
    detail = conn.execute(
        "select reason_detail from quarantine.rows where source_file = 'leads_export.csv'"
    ).fetchall()
    assert len(detail) == 1 and "crm_exports/<system>/" in detail[0][0]


def _moment():
    from datetime import datetime

    return datetime(2026, 12, 1, 2, 0)


def test_link_outside_the_source_folders_is_reported_but_never_followed(conn, empty_landing, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    (empty_landing / "passwd.csv").symlink_to(secret)
    assert report_stray_files(conn, empty_landing, batch_id="b1", at=_moment()) == ["passwd.csv"]
    row = conn.execute("select file_bytes, status from audit.file_registry").fetchone()
    assert row == (0, "rejected")
    assert conn.execute("select count(*) from quarantine.rows where raw_text like '%root%'").fetchone()[0] == 0


SALESFORCE_WITH_FOOTER = SALESFORCE + """
footer: ["^Grand Totals", "salesforce\\\\.com, inc\\\\.", "^Confidential Information"]
"""
REPORT_FOOTER = (
    b'\n"Grand Totals (2 records)"\n\n"Confidential Information - Do Not Distribute"\n'
    b'"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
)


def test_report_footer_is_one_file_note_not_quarantined_rows(conn, empty_landing, tmp_path):
    # A Salesforce Classic report ends with totals, confidentiality and copyright lines.
    put(empty_landing, "crm_exports/salesforce/report.csv",
        b'"Lead ID","Email","Created Date","Status"\n"00Q1","a@b.de","7/3/2013 1:26 PM","MQL"\n'
        b'"00Q2","c@d.de","7/4/2013 9:00 AM","SQL"\n' + REPORT_FOOTER)
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE_WITH_FOOTER))
    stats = report.files[0]
    assert (stats.status, stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == ("loaded", 2, 2, 0)
    assert stats.note == "report_footer"
    notes = rows_of(conn, "quarantine.rows", "crm_exports/salesforce/report.csv")
    assert notes.select("source_row", "reason").rows() == [(0, "report_footer")]
    assert "Grand Totals (2 records)" in notes["raw_text"][0]


def test_a_footer_never_takes_a_data_row(conn, empty_landing, tmp_path):
    # A broken data line before the footer stays a quarantined row; the footer run stops at the
    # last record with the header's field count.
    put(empty_landing, "crm_exports/salesforce/report.csv",
        b'"Lead ID","Email","Created Date","Status"\n"00Q1","a@b.de","7/3/2013 1:26 PM","MQL"\n'
        b'"00Q2","c@d.de","7/4/2013 9:00 AM"\n"00Q3","e@f.de","7/5/2013 9:00 AM","SQL"\n' + REPORT_FOOTER)
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE_WITH_FOOTER))
    stats = report.files[0]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (3, 2, 1)
    rejected = rows_of(conn, "quarantine.rows", "crm_exports/salesforce/report.csv")
    assert rejected.select("source_row", "reason").rows() == [(0, "report_footer"), (2, "wrong_field_count")]


def test_single_field_lines_without_a_footer_marker_stay_quarantined(conn, empty_landing, tmp_path):
    put(empty_landing, "crm_exports/salesforce/report.csv",
        b'"Lead ID","Email","Created Date","Status"\n"00Q1","a@b.de","7/3/2013 1:26 PM","MQL"\n'
        b'"00Q2 c@d.de 7/4/2013"\n')
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE_WITH_FOOTER))
    assert (report.files[0].rows_read, report.files[0].rows_quarantined) == (2, 1)
    assert report.files[0].note is None


def test_without_footer_patterns_the_footer_lines_are_quarantined(conn, empty_landing, tmp_path):
    put(empty_landing, "crm_exports/salesforce/report.csv",
        b'"Lead ID","Email","Created Date","Status"\n"00Q1","a@b.de","7/3/2013 1:26 PM","MQL"\n' + REPORT_FOOTER)
    report = _ingest(conn, empty_landing, _contracts(tmp_path, sf=SALESFORCE))
    assert (report.files[0].rows_read, report.files[0].rows_quarantined) == (6, 5)
