"""Broken input is quarantined with a reason; no row is ever lost."""

from __future__ import annotations

import json

from ingest.raw import ingest_source_kind

from .landing_files import put, registry_of, rows_of

LS_HEADER = (
    "lead_ref,salutation,first_name,last_name,company,job_title,industry,company_size,address,"
    "zip,city,country,phone,email,consent_email,consent_proof,consent_timestamp,price_eur"
)
LS_FILE = "purchased_lists/leadsource_eu/broken.csv"


def _ls_row(ref: str, last_name: str = "Meier") -> str:
    return f"{ref},Mr,Max,{last_name},ACME,CEO,IT,10,Weg 1,10115,Berlin,DE,,max@acme.de,true,,,0.38"


def _ingest_ls(conn, landing, data: bytes):
    put(landing, LS_FILE, data)
    report = ingest_source_kind(conn, landing, "purchased_list", batch_id="b1")
    stats = report.files[0]
    raw = rows_of(conn, "raw.purchased_list_records", LS_FILE)
    quarantine = rows_of(conn, "quarantine.rows", LS_FILE)
    return stats, raw, quarantine


def _form(submission_id: str, **override) -> str:
    record = {"submission_id": submission_id, "form_type": "newsletter",
              "submitted_at": "2025-03-01T09:00:00+01:00", "fields": {"email": "a@b.de"},
              "consent": {"email_marketing": True}, "double_opt_in": None}
    record.update(override)
    return json.dumps(record)


def _ingest_forms(conn, landing, data: bytes):
    put(landing, "web_forms/broken.jsonl", data)
    report = ingest_source_kind(conn, landing, "web_form", batch_id="b1")
    return (report.files[0], rows_of(conn, "raw.web_form_submissions", "web_forms/broken.jsonl"),
            rows_of(conn, "quarantine.rows", "web_forms/broken.jsonl"))


def test_extra_delimiters_quarantine_the_row_with_its_original_text(conn, empty_landing):
    bad = _ls_row("LS-2") + ",surplus"
    data = "\n".join([LS_HEADER, _ls_row("LS-1"), bad, _ls_row("LS-3")]) + "\n"
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data.encode())
    assert raw["source_record_id"].to_list() == ["LS-1", "LS-3"]
    assert quarantine.select("source_row", "reason", "raw_text").rows() == [(2, "wrong_field_count", bad)]
    assert quarantine["reason_detail"][0] == "expected 18 fields, found 19"
    assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (3, 2, 1)


def test_truncated_last_line_is_quarantined_as_truncated(conn, empty_landing):
    cut = _ls_row("LS-2")[:40]
    data = "\n".join([LS_HEADER, _ls_row("LS-1"), cut])
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data.encode())
    assert raw["source_record_id"].to_list() == ["LS-1"]
    assert quarantine.select("source_row", "reason", "raw_text").rows() == [(2, "truncated_row", cut)]
    assert stats.rows_read == 2


def test_unclosed_quote_at_end_of_file_is_truncated_not_merged(conn, empty_landing):
    cut = 'LS-2,Mr,Max,Meier,"ACME'
    data = "\n".join([LS_HEADER, _ls_row("LS-1"), cut])
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data.encode())
    assert raw.height == 1
    assert quarantine.select("source_row", "reason").rows() == [(2, "truncated_row")]


def test_last_line_without_newline_but_complete_is_loaded(conn, empty_landing):
    data = "\n".join([LS_HEADER, _ls_row("LS-1"), _ls_row("LS-2")])
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data.encode())
    assert raw["source_record_id"].to_list() == ["LS-1", "LS-2"]
    assert quarantine.height == 0


def test_bytes_invalid_in_the_declared_encoding_quarantine_only_that_row(conn, empty_landing):
    data = (
        (LS_HEADER + "\n" + _ls_row("LS-1") + "\n").encode()
        + _ls_row("LS-2", last_name="Müller").encode("cp1252") + b"\n"
        + (_ls_row("LS-3", last_name="Jürgens") + "\n").encode()
    )
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data)
    assert raw["source_record_id"].to_list() == ["LS-1", "LS-3"]
    assert raw["last_name"][1] == "Jürgens"
    assert quarantine.select("source_row", "reason").rows() == [(2, "undecodable_bytes")]
    assert "M\\xfcller" in quarantine["raw_text"][0]


def test_row_without_required_id_is_quarantined_naming_the_field(conn, empty_landing):
    data = "\n".join([LS_HEADER, _ls_row("LS-1"), _ls_row("")]) + "\n"
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data.encode())
    assert raw.height == 1
    assert quarantine.select("source_row", "reason", "reason_detail").rows() == [
        (2, "missing_required", "missing: source_record_id")]


def test_empty_file_is_registered_with_a_file_level_note(conn, empty_landing):
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, b"")
    registry = registry_of(conn, LS_FILE)
    assert registry.select("status", "rows_read", "rows_loaded", "rows_quarantined").row(0) == ("empty", 0, 0, 0)
    assert quarantine.select("source_row", "reason").rows() == [(0, "empty_file")]


def test_header_only_file_is_registered_as_empty(conn, empty_landing):
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, (LS_HEADER + "\r\n").encode())
    assert (stats.status, stats.contract, stats.rows_read) == ("empty", "leadsource_eu", 0)
    assert quarantine.select("source_row", "reason").rows() == [(0, "header_only")]


def test_unrecognised_header_rejects_the_file(conn, empty_landing):
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, b"foo,bar\n1,2\n")
    assert (stats.status, stats.contract, stats.rows_read) == ("rejected", None, 0)
    assert quarantine.select("source_row", "reason", "raw_text").rows() == [(0, "unknown_format", "foo,bar")]


def test_file_in_a_folder_without_contract_is_rejected(conn, empty_landing):
    put(empty_landing, "crm_exports/pipedrive/people.csv", b"id,name\n1,x\n")
    report = ingest_source_kind(conn, empty_landing, "crm_export", batch_id="b1")
    quarantine = rows_of(conn, "quarantine.rows", "crm_exports/pipedrive/people.csv")
    assert report.files[0].status == "rejected"
    assert quarantine["reason"].to_list() == ["unknown_format"]


def test_unmapped_columns_are_reported_and_kept_in_extra_fields(conn, empty_landing):
    data = LS_HEADER + ",linkedin_url\n" + _ls_row("LS-1") + ",https://linkedin.com/in/max\n"
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data.encode())
    registry = registry_of(conn, LS_FILE)
    assert stats.unmapped_columns == ["linkedin_url"]
    assert json.loads(registry["unmapped_columns"][0]) == ["linkedin_url"]
    assert json.loads(raw["extra_fields"][0]) == {"linkedin_url": "https://linkedin.com/in/max"}
    assert raw["source_record_id"][0] == "LS-1"


def test_invalid_json_line_is_quarantined_and_the_rest_load(conn, empty_landing):
    data = "\n".join([_form("wf-1"), '{"submission_id": "wf-2", "form_type": ', _form("wf-3")]) + "\n"
    stats, raw, quarantine = _ingest_forms(conn, empty_landing, data.encode())
    assert raw["source_record_id"].to_list() == ["wf-1", "wf-3"]
    assert quarantine.select("source_row", "reason").rows() == [(2, "invalid_json")]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (3, 2, 1)


def test_json_line_that_is_not_an_object_is_invalid(conn, empty_landing):
    data = "\n".join([_form("wf-1"), "[1, 2]"]) + "\n"
    stats, raw, quarantine = _ingest_forms(conn, empty_landing, data.encode())
    assert quarantine.select("source_row", "reason", "reason_detail").rows() == [
        (2, "invalid_json", "valid JSON but not an object")]


def test_truncated_last_json_line_is_quarantined_as_truncated(conn, empty_landing):
    cut = _form("wf-2")[:30]
    stats, raw, quarantine = _ingest_forms(conn, empty_landing, (_form("wf-1") + "\n" + cut).encode())
    assert raw.height == 1
    assert quarantine.select("source_row", "reason", "raw_text").rows() == [(2, "truncated_row", cut)]


def test_submission_without_timestamp_is_missing_required(conn, empty_landing):
    data = "\n".join([_form("wf-1"), _form("wf-2", submitted_at=None)]) + "\n"
    stats, raw, quarantine = _ingest_forms(conn, empty_landing, data.encode())
    assert quarantine.select("source_row", "reason", "reason_detail").rows() == [
        (2, "missing_required", "missing: created_at")]


def test_unknown_json_keys_are_reported_and_kept(conn, empty_landing):
    data = _form("wf-1", fields={"email": "a@b.de", "fax": "030 1"}, referrer="newsletter") + "\n"
    stats, raw, quarantine = _ingest_forms(conn, empty_landing, data.encode())
    assert sorted(stats.unmapped_columns) == ["fields.fax", "referrer"]
    assert json.loads(raw["extra_fields"][0]) == {"fields.fax": "030 1", "referrer": "newsletter"}


def test_counts_reconcile_for_every_file_of_a_messy_batch(conn, landing):
    put(landing, LS_FILE, ("\n".join([LS_HEADER, _ls_row("LS-1") + ",x", _ls_row("")]) + "\n").encode())
    put(landing, "web_forms/broken.jsonl", b'{"a":\nnot json\n' + _form("wf-1").encode())
    for kind in ("purchased_list", "web_form", "crm_export"):
        ingest_source_kind(conn, landing, kind, batch_id="b1")
    reconciled = conn.execute(
        """
        select r.source_file, r.rows_read,
               (select count(*) from raw.purchased_list_records x where x.source_file = r.source_file)
             + (select count(*) from raw.web_form_submissions x where x.source_file = r.source_file)
             + (select count(*) from raw.crm_records x where x.source_file = r.source_file) as loaded,
               (select count(*) from quarantine.rows q
                 where q.source_file = r.source_file and q.source_row > 0) as quarantined
        from audit.file_registry r
        """
    ).fetchall()
    assert len(reconciled) == 8
    assert all(read == loaded + quarantined for _, read, loaded, quarantined in reconciled)
    assert sum(quarantined for *_, quarantined in reconciled) == 4


def test_file_of_only_broken_json_lines_quarantines_each_line(conn, empty_landing):
    stats, raw, quarantine = _ingest_forms(conn, empty_landing, b"not json\n{\"cut\": \n")
    assert (stats.status, stats.contract, stats.rows_read, stats.rows_loaded) == ("loaded", "web_forms", 2, 0)
    assert quarantine.select("source_row", "reason").rows() == [(1, "invalid_json"), (2, "invalid_json")]


def test_json_value_of_unexpected_type_is_kept_as_json_text(conn, empty_landing):
    data = "\n".join([_form("wf-1"), _form("wf-2", fields={"email": "a@b.de", "phone": {"mobile": "0170"}})])
    stats, raw, quarantine = _ingest_forms(conn, empty_landing, (data + "\n").encode())
    assert raw["phone"].to_list() == [None, '{"mobile":"0170"}']
    assert quarantine.height == 0


def test_stray_quote_in_an_unquoted_field_does_not_swallow_later_rows(conn, empty_landing):
    stray = _ls_row("LS-2").replace("ACME", 'ACME 24" Monitore')
    data = "\n".join([LS_HEADER, _ls_row("LS-1"), stray, _ls_row("LS-3"), _ls_row("LS-4")]) + "\n"
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, data.encode())
    assert raw["source_record_id"].to_list() == ["LS-1", "LS-3", "LS-4"]
    assert quarantine.select("source_row", "reason", "reason_detail", "raw_text").rows() == [
        (2, "wrong_field_count", "quote character inside an unquoted field", stray)]


def test_doubled_quotes_inside_a_quoted_field_are_text(conn, empty_landing):
    row = _ls_row("LS-1").replace("ACME", '"ACME ""Labs"", Berlin"')
    stats, raw, quarantine = _ingest_ls(conn, empty_landing, (LS_HEADER + "\n" + row + "\n").encode())
    assert raw["company"].to_list() == ['ACME "Labs", Berlin']
    assert quarantine.height == 0
