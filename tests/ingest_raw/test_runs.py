"""Re-runs, new file versions, file selection, suppression and atomic writes."""

from __future__ import annotations

import os

import polars as pl
import pytest

from ingest.raw import discover_landing_files, ingest_source_kind

from .landing_files import put, registry_of, rows_of

KINDS = ("purchased_list", "web_form", "crm_export")
TABLES = ("raw.purchased_list_records", "raw.web_form_submissions", "raw.crm_records",
          "quarantine.rows", "audit.file_registry")
LS_FILE = "purchased_lists/leadsource_eu/leadsource_eu_q1.csv"


def _counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def test_second_run_over_the_same_files_adds_nothing(conn, landing):
    for kind in KINDS:
        ingest_source_kind(conn, landing, kind, batch_id="run-1")
    before = _counts(conn)
    reports = [ingest_source_kind(conn, landing, kind, batch_id="run-2") for kind in KINDS]
    assert _counts(conn) == before
    assert all(r.files == [] for r in reports)
    assert sum(len(r.skipped_files) for r in reports) == 6


def test_replaced_file_is_ingested_as_a_new_version(conn, landing):
    ingest_source_kind(conn, landing, "purchased_list", batch_id="run-1")
    path = landing / LS_FILE
    path.write_bytes(path.read_bytes() + b"LS-000104,Mr,Ole,Hansen,,,,,,,Kiel,DE,,ole@hansen.de,,,,0.38\n")
    report = ingest_source_kind(conn, landing, "purchased_list", batch_id="run-2")
    registry = registry_of(conn, LS_FILE)
    raw = rows_of(conn, "raw.purchased_list_records", LS_FILE)
    assert [f.source_file for f in report.files] == [LS_FILE]
    assert registry["file_sha256"].n_unique() == 2
    versions = raw.group_by("file_sha256").agg(pl.len()).sort("len")["len"].to_list()
    assert versions == [3, 4]  # both versions kept side by side, never merged


def test_only_files_limits_the_run_to_the_named_files(conn, landing):
    report = ingest_source_kind(conn, landing, "crm_export", batch_id="b1",
                                only_files=["crm_exports/salesforce/salesforce_leads_api_2025-03-06.csv"])
    assert [f.contract for f in report.files] == ["salesforce_leads_api"]
    assert conn.execute("select count(*) from raw.crm_records").fetchone()[0] == 2


def test_lineage_columns_identify_file_row_and_run(conn, landing):
    from datetime import UTC, datetime
    at = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
    ingest_source_kind(conn, landing, "purchased_list", batch_id="b42", ingested_at=at, only_files=[LS_FILE])
    raw = rows_of(conn, "raw.purchased_list_records", LS_FILE)
    registry = registry_of(conn, LS_FILE)
    assert set(raw["batch_id"]) == {"b42"}
    assert set(raw["source_system"]) == {"leadsource_eu"} and set(raw["source_kind"]) == {"purchased_list"}
    assert raw["ingested_at"][0] == datetime(2025, 3, 6, 12, 0)
    assert raw["file_sha256"][0] == registry["file_sha256"][0]
    assert registry["file_bytes"][0] == (landing / LS_FILE).stat().st_size


def test_suppressed_rows_are_dropped_counted_and_leave_no_personal_data(conn, landing):
    def suppress_wagner(frame: pl.DataFrame) -> pl.Series:
        return frame["email"] == "sophie.wagner@wagner.ag"

    report = ingest_source_kind(conn, landing, "purchased_list", batch_id="b1",
                                only_files=[LS_FILE], is_suppressed=suppress_wagner)
    raw = rows_of(conn, "raw.purchased_list_records", LS_FILE)
    quarantine = rows_of(conn, "quarantine.rows", LS_FILE)
    stats = report.files[0]
    assert "sophie.wagner@wagner.ag" not in raw["email"].to_list()
    assert (stats.rows_read, stats.rows_loaded, stats.rows_suppressed, stats.rows_quarantined) == (3, 2, 1, 0)
    assert quarantine.select("source_row", "reason", "raw_text").rows() == [(2, "suppressed", None)]


def test_failed_write_leaves_nothing_of_the_file_behind(conn, landing):
    put(landing, "purchased_lists/leadsource_eu/bad.csv",
        (landing / LS_FILE).read_bytes() + b"too,few,fields\n")
    # A quarantine table whose raw_text cannot take text makes the second write of the file fail.
    conn.execute("create schema quarantine")
    conn.execute("create table quarantine.rows (source_file varchar, source_row bigint, raw_text date)")
    with pytest.raises(Exception):
        ingest_source_kind(conn, landing, "purchased_list", batch_id="b1",
                           only_files=["purchased_lists/leadsource_eu/bad.csv"])
    assert conn.execute("select count(*) from raw.purchased_list_records").fetchone()[0] == 0
    assert conn.execute("select count(*) from audit.file_registry").fetchone()[0] == 0


def test_discovery_skips_hidden_and_temporary_files(landing):
    put(landing, "purchased_lists/adressdirekt/.~lock.liste.csv#", b"x")
    put(landing, "purchased_lists/adressdirekt/~$liste.csv", b"x")
    put(landing, "purchased_lists/adressdirekt/upload.csv.part", b"x")
    put(landing, ".staging/web_forms/a.jsonl", b"{}")
    put(landing, "README.txt", b"not a landing file")
    found = discover_landing_files(landing)
    assert sorted(f.source_file for f in found) == sorted([
        "crm_exports/hubspot/hubspot-crm-exports-all-contacts-2025-03-06.csv",
        "crm_exports/salesforce/salesforce_leads_api_2025-03-06.csv",
        "crm_exports/salesforce/salesforce_report_leads_2025-03-06.csv",
        "purchased_lists/adressdirekt/adressdirekt_2025-03.csv",
        LS_FILE,
        "web_forms/forms_2025-03-05.jsonl",
    ])


def test_discovery_names_kind_system_and_content_hash(landing):
    import hashlib
    found = {f.source_file: f for f in discover_landing_files(landing)}
    hubspot = found["crm_exports/hubspot/hubspot-crm-exports-all-contacts-2025-03-06.csv"]
    forms = found["web_forms/forms_2025-03-05.jsonl"]
    assert (hubspot.source_kind, hubspot.source_system) == ("crm_export", "hubspot")
    assert (forms.source_kind, forms.source_system) == ("web_form", "web_forms")
    assert hubspot.sha256 == hashlib.sha256(hubspot.path.read_bytes()).hexdigest()
    assert hubspot.bytes == os.path.getsize(hubspot.path)


def test_report_metadata_is_plain_values_with_totals(conn, landing):
    report = ingest_source_kind(conn, landing, "crm_export", batch_id="b1")
    meta = report.to_metadata()
    assert (meta["files_ingested"], meta["rows_read"], meta["rows_loaded"]) == (3, 7, 7)
    assert meta["dagster/row_count"] == 7
    assert {f["contract"] for f in meta["files"]} == {
        "hubspot_contacts", "salesforce_leads_api", "salesforce_leads_report"}
    import json
    json.dumps(meta)  # serialisable: only plain values


def test_unknown_source_kind_is_a_clear_error(conn, landing):
    with pytest.raises(ValueError, match="unknown source_kind"):
        ingest_source_kind(conn, landing, "fax_inbox", batch_id="b1")


def _checkpoint_threshold(conn) -> str:
    return conn.execute("select current_setting('checkpoint_threshold')").fetchone()[0]


def test_a_run_folds_its_writes_into_the_database_file(conn, landing, tmp_path):
    default = _checkpoint_threshold(conn)
    for kind in KINDS:
        ingest_source_kind(conn, landing, kind, batch_id="b1")
    wal = tmp_path / "warehouse.duckdb.wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert _checkpoint_threshold(conn) == default


def test_a_failed_run_restores_the_checkpoint_threshold(conn, landing):
    default = _checkpoint_threshold(conn)
    conn.execute("create schema quarantine")
    conn.execute("create table quarantine.rows (source_file varchar, source_row bigint, raw_text date)")
    put(landing, "purchased_lists/leadsource_eu/bad.csv",
        (landing / LS_FILE).read_bytes() + b"too,few,fields\n")
    with pytest.raises(Exception):
        ingest_source_kind(conn, landing, "purchased_list", batch_id="b1")
    assert _checkpoint_threshold(conn) == default
