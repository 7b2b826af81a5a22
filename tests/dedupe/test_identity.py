"""Stable lead ids across runs, against a real DuckDB file."""

import hashlib
from datetime import datetime

import polars as pl

from ingest.dedupe import build_identity
from ingest.warehouse import read_table, replace_table

from .frames import records

FIRST_RUN = datetime(2025, 1, 1)
SECOND_RUN = datetime(2025, 2, 1)
THIRD_RUN = datetime(2025, 3, 1)


def lead_of(conn, record_id: str) -> str:
    identity = read_table(conn, "core.lead_identity")
    return identity.filter(pl.col("record_id") == record_id)["lead_id"].item()


def max_mueller(record_id: str, **extra) -> dict:
    return {"record_id": record_id, "first_name": "Max", "last_name": "Müller", **extra}


def test_identical_runs_give_identical_identity(conn):
    replace_table(conn, "core.lead_records", records(
        max_mueller("a", email="max@a.de"), max_mueller("b", email="max@a.de"),
    ))
    build_identity(conn, now=FIRST_RUN)
    first = read_table(conn, "core.lead_identity")
    build_identity(conn, now=SECOND_RUN)
    assert read_table(conn, "core.lead_identity").equals(first)
    assert read_table(conn, "core.lead_id_merges").height == 0


def test_lead_id_is_short_and_deterministic(conn):
    replace_table(conn, "core.lead_records", records(max_mueller("a", email="max@a.de")))
    build_identity(conn, now=FIRST_RUN)
    lead_id = lead_of(conn, "a")
    assert lead_id.startswith("L") and len(lead_id) == 13


def test_new_record_joins_existing_lead_and_keeps_its_id(conn):
    replace_table(conn, "core.lead_records", records(
        max_mueller("b", email="max@a.de"), {"record_id": "z", "first_name": "Eva", "email": "eva@b.de"},
    ))
    build_identity(conn, now=FIRST_RUN)
    before = lead_of(conn, "b")
    # "a" sorts before "b": a naive smallest-record id would change the lead id.
    replace_table(conn, "core.lead_records", records(
        max_mueller("a", email="max@a.de"), max_mueller("b", email="max@a.de"),
        {"record_id": "z", "first_name": "Eva", "email": "eva@b.de"},
    ))
    build_identity(conn, now=SECOND_RUN)
    assert lead_of(conn, "a") == lead_of(conn, "b") == before
    identity = read_table(conn, "core.lead_identity")
    assert identity.filter(pl.col("record_id") == "b")["assigned_at"].item() == FIRST_RUN
    assert identity.filter(pl.col("record_id") == "a")["assigned_at"].item() == SECOND_RUN


def test_merging_two_existing_leads_keeps_the_older_id_and_records_the_retired_one(conn):
    replace_table(conn, "core.lead_records", records(max_mueller("old", email="max@a.de")))
    build_identity(conn, now=FIRST_RUN)
    older = lead_of(conn, "old")
    replace_table(conn, "core.lead_records", records(
        max_mueller("old", email="max@a.de"), max_mueller("new", phone="+4930123456"),
    ))
    build_identity(conn, now=SECOND_RUN)
    younger = lead_of(conn, "new")
    assert younger != older
    # A third record links both: same e-mail as one, same phone as the other.
    replace_table(conn, "core.lead_records", records(
        max_mueller("old", email="max@a.de"), max_mueller("new", phone="+4930123456"),
        max_mueller("link", email="max@a.de", phone="+4930123456"),
    ))
    build_identity(conn, now=THIRD_RUN)
    assert lead_of(conn, "old") == lead_of(conn, "new") == lead_of(conn, "link") == older
    merges = read_table(conn, "core.lead_id_merges")
    assert merges.select("retired_lead_id", "surviving_lead_id", "reason").rows() == [(younger, older, "merge")]


def test_never_merge_decision_splits_a_lead_with_a_new_id_recorded(conn):
    replace_table(conn, "core.lead_records", records(
        max_mueller("a", email="max@a.de"), max_mueller("b", email="max@a.de"),
    ))
    build_identity(conn, now=FIRST_RUN)
    merged = lead_of(conn, "a")
    assert lead_of(conn, "b") == merged
    replace_table(conn, "core.lead_match_decisions", pl.DataFrame({
        "record_id_a": ["a"], "record_id_b": ["b"], "decision": ["never_merge"],
        "decided_by": ["ops@leadwerk.example"], "decided_at": [SECOND_RUN], "note": ["two people"],
    }))
    build_identity(conn, now=SECOND_RUN)
    assert lead_of(conn, "a") == merged
    split_off = lead_of(conn, "b")
    assert split_off != merged
    merges = read_table(conn, "core.lead_id_merges")
    assert merges.select("retired_lead_id", "surviving_lead_id", "reason").rows() == [(merged, split_off, "split")]
    # The decision is respected on every later run too.
    build_identity(conn, now=THIRD_RUN)
    assert lead_of(conn, "b") == split_off


def test_part_split_off_under_an_issued_id_gets_the_next_id_of_its_seed(conn):
    """The lead keeps living with b and c, so a (whose id it was) needs one never issued before."""
    replace_table(conn, "core.lead_records", records(
        max_mueller("a", email="max@a.de"), max_mueller("b", email="max@a.de"), max_mueller("c", email="max@a.de"),
    ))
    build_identity(conn, now=FIRST_RUN)
    merged = lead_of(conn, "a")
    assert merged == "L" + hashlib.sha256(b"a").hexdigest()[:12]
    replace_table(conn, "core.lead_match_decisions", pl.DataFrame({
        "record_id_a": ["a", "a"], "record_id_b": ["b", "c"], "decision": ["never_merge", "never_merge"],
        "decided_by": ["ops@leadwerk.example"] * 2, "decided_at": [SECOND_RUN] * 2, "note": ["two people"] * 2,
    }))
    build_identity(conn, now=SECOND_RUN)
    assert lead_of(conn, "b") == lead_of(conn, "c") == merged
    assert lead_of(conn, "a") == "L" + hashlib.sha256(b"a#1").hexdigest()[:12]


def test_review_pairs_carry_both_lead_ids(conn):
    replace_table(conn, "core.lead_records", records(
        {"record_id": "a", "first_name": "Thomas", "last_name": "Wagner"},
        {"record_id": "b", "first_name": "Thomas", "last_name": "Wagner"},
    ))
    report = build_identity(conn, now=FIRST_RUN)
    review = read_table(conn, "core.lead_match_review")
    assert review.select("record_id_a", "record_id_b", "lead_id_a", "lead_id_b").rows() == [
        ("a", "b", lead_of(conn, "a"), lead_of(conn, "b"))
    ]
    assert report.to_metadata()["review_pairs"] == 1


def test_people_decisions_table_is_created_empty_and_then_left_alone(conn):
    replace_table(conn, "core.lead_records", records(max_mueller("a", email="max@a.de")))
    build_identity(conn, now=FIRST_RUN)
    decisions = read_table(conn, "core.lead_match_decisions")
    assert decisions.height == 0
    assert decisions.columns == ["record_id_a", "record_id_b", "decision", "decided_by", "decided_at", "note"]
    conn.execute("insert into core.lead_match_decisions values ('a', 'x', 'never_merge', 'me', null, null)")
    build_identity(conn, now=SECOND_RUN)
    assert read_table(conn, "core.lead_match_decisions").height == 1


def test_unknown_decision_value_is_a_clear_error(conn):
    replace_table(conn, "core.lead_records", records(max_mueller("a"), max_mueller("b")))
    replace_table(conn, "core.lead_match_decisions", pl.DataFrame({
        "record_id_a": ["a"], "record_id_b": ["b"], "decision": ["maybe"],
    }))
    try:
        build_identity(conn, now=FIRST_RUN)
    except ValueError as error:
        assert "maybe" in str(error)
    else:
        raise AssertionError("an unknown decision must not be ignored")


def test_report_metadata_has_merge_rate_per_source_and_largest_cluster(conn):
    replace_table(conn, "core.lead_records", records(
        max_mueller("a", email="max@a.de", source_kind="crm_export"),
        max_mueller("b", email="max@a.de", source_kind="web_form"),
        {"record_id": "c", "first_name": "Eva", "email": "eva@b.de", "source_kind": "web_form"},
    ))
    metadata = build_identity(conn, now=FIRST_RUN).to_metadata()
    assert metadata["largest_cluster"] == 2
    assert metadata["leads"] == 2
    assert metadata["merge_rate_crm_export"] == 1.0
    assert metadata["merge_rate_web_form"] == 0.5
    assert metadata["golden_rows"] == 2


def test_empty_lead_records_give_empty_output_tables(conn):
    replace_table(conn, "core.lead_records", records(max_mueller("a", email="max@a.de")).clear())
    metadata = build_identity(conn, now=FIRST_RUN).to_metadata()
    assert metadata["leads"] == 0
    for table in ("core.lead_identity", "core.lead_match_pairs", "core.lead_match_review", "core.golden_leads"):
        assert read_table(conn, table).height == 0
