"""Erasure (Art. 17): the person leaves every table; only salted hashes and counts remain."""

from __future__ import annotations

import json

import duckdb
import pytest

from ingest.privacy import erase_person
from ingest.privacy.audit import InvalidReason
from ingest.privacy.erasure import UnknownLead
from ingest.privacy.identifiers import hash_value
from privacy.conftest import SALT
from privacy.privacy_warehouse import text_hits

ANNA_TRACES = ["anna.schmidt", "2345678", "Schmidt"]
BERND_TRACES = ["b.keller@firma.de", "301234567", "Keller"]


def test_erased_person_leaves_no_trace_in_any_table(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert text_hits(warehouse, ANNA_TRACES)  # the scan finds her before
    erase_person(warehouse, email="ANNA.SCHMIDT@example.de", reason_code="art17_request", salt=SALT)
    assert text_hits(warehouse, ANNA_TRACES) == {}


def test_erasure_keeps_everybody_else(warehouse: duckdb.DuckDBPyConnection) -> None:
    before = text_hits(warehouse, BERND_TRACES)
    erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    assert text_hits(warehouse, BERND_TRACES) == before


def test_erasure_reports_rows_deleted_per_table(warehouse: duckdb.DuckDBPyConnection) -> None:
    report = erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    assert (report.leads, report.records) == (1, 3)
    assert report.rows_deleted == {
        "raw.purchased_list_records": 1, "raw.web_form_submissions": 1, "raw.crm_records": 1,
        "quarantine.rows": 2,
        "core.lead_records": 3, "core.consent_records": 3, "core.touchpoints": 3,
        "core.lead_identity": 3, "core.golden_leads": 1, "core.lead_match_pairs": 3,
        "marts.mart_lead_scores": 1, "marts.mart_contactability": 2, "snapshots.lead_lifecycle": 1,
    }


def test_erasure_by_phone_in_any_spelling_finds_the_whole_person(warehouse: duckdb.DuckDBPyConnection) -> None:
    report = erase_person(warehouse, phone="+49 (0)171 / 234 56 78", reason_code="art17_request", salt=SALT)
    assert report.records == 3
    assert text_hits(warehouse, ANNA_TRACES) == {}


def test_erasure_by_lead_id_finds_the_whole_person(warehouse: duckdb.DuckDBPyConnection) -> None:
    report = erase_person(warehouse, lead_id="L-ANNA", reason_code="art17_request", salt=SALT)
    assert report.records == 3
    assert text_hits(warehouse, ANNA_TRACES) == {}


def test_erasure_suppresses_every_identifier_as_salted_hash(warehouse: duckdb.DuckDBPyConnection) -> None:
    erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    rows = set(warehouse.execute(
        "select identifier_kind, identifier_hash, reason_kind from privacy.suppression_list").fetchall())
    assert rows == {
        ("email", hash_value("anna.schmidt@example.de", SALT), "erasure"),
        ("phone", hash_value("+491712345678", SALT), "erasure"),
    }


def test_erasure_is_logged_with_reason_code_ticket_and_counts(warehouse: duckdb.DuckDBPyConnection) -> None:
    report = erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request",
                          ticket="SR-4711", salt=SALT)
    kind, reason, ticket, counts, subject_hash = warehouse.execute(
        "select event_kind, reason, ticket, counts, subject_hash from audit.privacy_log").fetchone()
    assert (kind, reason, ticket) == ("erasure", "art17_request", "SR-4711")
    assert json.loads(counts)["core.lead_records"] == 3
    assert subject_hash == hash_value("anna.schmidt@example.de", SALT)
    assert report.event_id


@pytest.mark.parametrize(
    ("reason_code", "ticket"),
    [
        ("Anna Schmidt, Hauptstr. 5, asked by phone", None),  # free text instead of a code
        ("art17_request", "Anna Schmidt, Hauptstr. 5"),  # free text as the ticket
        ("art17_request", "anna.schmidt@example.de"),
        ("art17_request", "01712345678"),  # a phone number is no ticket reference
    ],
)
def test_free_text_about_the_person_is_refused_before_anything_changes(
    warehouse: duckdb.DuckDBPyConnection, reason_code: str, ticket: str | None
) -> None:
    with pytest.raises(InvalidReason):
        erase_person(warehouse, email="anna.schmidt@example.de", reason_code=reason_code, ticket=ticket, salt=SALT)
    assert text_hits(warehouse, ANNA_TRACES)
    assert warehouse.execute("select count(*) from information_schema.tables "
                             "where table_name = 'privacy_log'").fetchone()[0] == 0 or \
        warehouse.execute("select count(*) from audit.privacy_log").fetchone()[0] == 0


def test_erasing_an_unknown_lead_id_is_refused(warehouse: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UnknownLead):
        erase_person(warehouse, lead_id="L-does-not-exist", reason_code="art17_request", salt=SALT)


def test_erasing_an_unknown_person_still_keeps_them_out(warehouse: duckdb.DuckDBPyConnection) -> None:
    report = erase_person(warehouse, email="never.seen@example.org", reason_code="art17_request", salt=SALT)
    assert report.rows_deleted == {}
    assert report.suppression_added == 1


def test_erasing_twice_adds_no_duplicate_suppression_entries(warehouse: duckdb.DuckDBPyConnection) -> None:
    erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    second = erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    assert second.suppression_added == 0
    assert warehouse.execute("select count(*) from privacy.suppression_list").fetchone()[0] == 2
