"""Subject access (Art. 15/14): every source record, consent history with proofs, sources."""

from __future__ import annotations

import json

import duckdb

from ingest.privacy.subject_export import subject_export, write_subject_export
from privacy.conftest import SALT


def test_export_returns_all_three_source_records_with_file_and_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    export = subject_export(warehouse, email="Anna.Schmidt@example.de", salt=SALT)
    assert sorted((r["source_file"], r["source_row"]) for r in export["source_records"]) == [
        ("crm_exports/hubspot/list.csv", 2),
        ("purchased_lists/adressdirekt/list.csv", 1),
        ("web_forms/web_forms/list.csv", 4),
    ]


def test_export_holds_consent_history_per_channel_with_proofs(warehouse: duckdb.DuckDBPyConnection) -> None:
    history = subject_export(warehouse, email="anna.schmidt@example.de", salt=SALT)["consent_history"]
    assert [(c["status"], c["proof_ref"]) for c in history["email"]] == [("granted", "DOI-123"), ("withdrawn", None)]
    assert [(c["status"], c["proof_ref"]) for c in history["phone"]] == [("granted", "VEND-PROOF-77")]


def test_export_holds_golden_record_scores_and_lifecycle(warehouse: duckdb.DuckDBPyConnection) -> None:
    export = subject_export(warehouse, phone="0171 2345678", salt=SALT)
    assert [g["lead_id"] for g in export["golden_records"]] == ["L-ANNA"]
    assert export["scores"][0]["score_explanation"].startswith("fit:")
    assert list(export["lifecycle_history"]) == ["snapshots.lead_lifecycle"]


def test_export_names_every_source_that_delivered_data(warehouse: duckdb.DuckDBPyConnection) -> None:
    sources = subject_export(warehouse, lead_id="L-ANNA", salt=SALT)["sources"]
    assert [(s["source_kind"], s["source_system"]) for s in sources] == [
        ("crm_export", "hubspot"), ("purchased_list", "adressdirekt"), ("web_form", "web_forms"),
    ]


def test_export_includes_raw_rows_as_delivered(warehouse: duckdb.DuckDBPyConnection) -> None:
    raw = subject_export(warehouse, email="anna.schmidt@example.de", salt=SALT)["raw_rows"]
    assert sorted(r["email"] for r in raw) == [" ANNA.SCHMIDT@example.de ", "Anna.Schmidt+promo@Example.de",
                                                "anna.schmidt@example.de"]


def test_export_is_written_as_json_and_audited_without_personal_data(warehouse, tmp_path) -> None:
    export = subject_export(warehouse, email="anna.schmidt@example.de", salt=SALT)
    path = write_subject_export(export, tmp_path / "anna.json")
    assert json.loads(path.read_text(encoding="utf-8"))["lead_ids"] == ["L-ANNA"]
    kind, reason, counts = warehouse.execute("select event_kind, reason, counts from audit.privacy_log").fetchone()
    assert kind == "subject_export"
    assert json.loads(counts)["source_records"] == 3
    assert "anna" not in (reason + counts).lower()


def test_export_of_an_unknown_person_is_empty(warehouse: duckdb.DuckDBPyConnection) -> None:
    export = subject_export(warehouse, email="nobody@example.org", salt=SALT)
    assert export["source_records"] == [] and export["golden_records"] == []


def test_export_includes_quarantined_rows_and_the_files_they_came_from(warehouse: duckdb.DuckDBPyConnection) -> None:
    export = subject_export(warehouse, email="anna.schmidt@example.de", salt=SALT)
    assert [(r["source_file"], r["source_row"], r["reason"]) for r in export["quarantined_rows"]] == [
        ("purchased_lists/adressdirekt/old.csv", 7, "wrong_field_count"),
        ("purchased_lists/adressdirekt/old.csv", 8, "truncated_row"),
    ]
    assert "ANNA.SCHMIDT+x@example.de" in export["quarantined_rows"][0]["raw_text"]
    assert [f["source_file"] for f in export["quarantined_files"]] == ["purchased_lists/adressdirekt/old.csv"]
    # Someone else's quarantined line is not part of Anna's export.
    assert "Herr;;Bad;Row" not in json.dumps(export)
