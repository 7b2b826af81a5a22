"""A run rebuilds only the golden rows whose leads changed, and ends where a full rebuild ends."""

from dataclasses import replace

import polars as pl

from ingest.dedupe import build_identity
from ingest.dedupe.golden_refresh import GOLDEN_INPUTS_TABLE
from ingest.dedupe.survivorship import SurvivorshipConfig
from ingest.warehouse import replace_table

from .frames import records


def person(record_id: str, first: str, last: str, **extra) -> dict:
    return {"record_id": record_id, "first_name": first, "last_name": last, "source_kind": "web_form",
            "email": None, "phone": None, "city": None, "company": None, **extra}


def load(conn, *rows: dict) -> None:
    """core.lead_records as normalization types it: text columns stay text when all empty."""
    replace_table(conn, "core.lead_records", records(*rows).with_columns(pl.col(pl.Null).cast(pl.String)))


def golden_rows(conn) -> list[tuple]:
    return conn.sql("select * from core.golden_leads order by lead_id").fetchall()


def second_run(conn, first: list[dict], second: list[dict]) -> dict:
    """Dedup over `first`, then over `second`; the second run's report."""
    load(conn, *first)
    build_identity(conn)
    load(conn, *second)
    return build_identity(conn).to_metadata()


def golden_after_full_rebuild(conn) -> list[tuple]:
    conn.execute(f"drop table {GOLDEN_INPUTS_TABLE}")
    build_identity(conn)
    return golden_rows(conn)


BASE = [
    person("max-1", "Max", "Müller", email="max@a.de"),
    person("max-2", "Max", "Müller", email="max@a.de", company="A GmbH"),
    person("eva", "Eva", "Schmidt", email="eva@b.de"),
    person("tom", "Tom", "Weber", email="tom@c.de"),
    person("ida", "Ida", "Fischer", email="ida@d.de"),
    person("udo", "Udo", "Wagner", email="udo@e.de"),
]


def test_only_leads_with_new_or_changed_records_are_rebuilt(conn):
    changed = [*BASE[:3], person("tom", "Tom", "Weber", email="tom@neu.de"), *BASE[4:],
               person("eva-2", "Eva", "Schmidt", email="eva@b.de", city="Köln")]
    report = second_run(conn, BASE, changed)
    assert (report["golden_rows"], report["golden_rebuilt_rows"]) == (5, 2)
    assert golden_rows(conn) == golden_after_full_rebuild(conn)


def test_a_run_without_changes_rebuilds_no_golden_row(conn):
    load(conn, *BASE)
    build_identity(conn)
    before = golden_rows(conn)
    report = build_identity(conn).to_metadata()
    assert report["golden_rebuilt_rows"] == 0 and golden_rows(conn) == before


def test_a_merge_removes_the_golden_row_of_the_retired_lead(conn):
    two_leads = [
        *BASE[2:], person("old", "Max", "Müller", email="max@a.de"),
        person("new", "Max", "Müller", phone="+4930123456"),
    ]
    linked = [*two_leads, person("link", "Max", "Müller", email="max@a.de", phone="+4930123456")]
    report = second_run(conn, two_leads, linked)
    assert (report["golden_rows"], report["golden_rebuilt_rows"]) == (5, 1)
    assert golden_rows(conn) == golden_after_full_rebuild(conn)


def test_removed_records_leave_their_lead_and_its_golden_row(conn):
    report = second_run(conn, BASE, [BASE[0], *BASE[2:]])
    assert (report["golden_rows"], report["golden_rebuilt_rows"]) == (5, 1)
    assert golden_rows(conn) == golden_after_full_rebuild(conn)


def test_changed_survivorship_rules_rebuild_every_golden_row(conn):
    load(conn, *BASE)
    build_identity(conn)
    rules = SurvivorshipConfig.load()
    reordered = replace(rules, source_priority={**rules.source_priority, "web_form": 0})
    report = build_identity(conn, survivorship=reordered).to_metadata()
    assert report["golden_rebuilt_rows"] == report["golden_rows"] == 5
