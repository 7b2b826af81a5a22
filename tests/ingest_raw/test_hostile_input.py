"""Hostile input becomes quarantine rows or a rejected file with a reason; the rest still loads."""

from __future__ import annotations

import json
import os
from datetime import datetime

import polars as pl
import pytest

from ingest.privacy.identifiers import lookup_keys
from ingest.privacy.suppression import add_to_suppression_list, identifier_frame, suppression_filter
from ingest.raw import ingest_source_kind

from .hostile_corpus import LS_FOLDER, LS_HEADER, form, hostile_files, lines, ls_row
from .landing_files import put, registry_of, rows_of

KINDS = ("purchased_list", "web_form", "crm_export")
SALT = "test-salt"


def _ingest_all(conn, landing, **kwargs):
    return {kind: ingest_source_kind(conn, landing, kind, batch_id="b1", **kwargs) for kind in KINDS}


def test_every_hostile_file_is_accounted_for_and_the_good_files_load_as_without_them(
    conn, landing, tmp_path
):
    import duckdb

    with duckdb.connect(str(tmp_path / "alone.duckdb")) as alone:
        _ingest_all(alone, landing)
        good = alone.sql("select source_file, rows_loaded from audit.file_registry order by all").fetchall()
    corpus = hostile_files()
    for item in corpus:
        put(landing, item.source_file, item.data)

    _ingest_all(conn, landing)

    for item in corpus:
        registry = registry_of(conn, item.source_file)
        assert registry.height == 1, item.source_file
        found = registry.select("status", "rows_read", "rows_loaded", "rows_quarantined").row(0)
        assert found == item.expected, item.source_file
        reasons = dict(
            rows_of(conn, "quarantine.rows", item.source_file).select("source_row", "reason").iter_rows()
        )
        assert {row: reasons[row] for row in item.reasons} == item.reasons, item.source_file
    assert conn.sql(
        "select source_file, rows_loaded from audit.file_registry "
        "where source_file in (select unnest(?)) order by all", params=[[f for f, _ in good]]
    ).fetchall() == good
    unbalanced = conn.sql(
        "select source_file from audit.file_registry "
        "where rows_read <> rows_loaded + rows_quarantined + rows_suppressed"
    ).fetchall()
    assert unbalanced == []


def test_a_stray_quote_quarantines_its_record_and_the_following_rows_load(conn, empty_landing):
    rows = [ls_row(f"LS-{i}") for i in range(1, 13)]
    rows[1] = 'LS-2,Mr,Max,"Meier,ACME,CEO'
    put(empty_landing, f"{LS_FOLDER}/quote.csv", lines(LS_HEADER, *rows))
    stats = ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1").files[0]
    raw = rows_of(conn, "raw.purchased_list_records", f"{LS_FOLDER}/quote.csv")
    assert raw["source_record_id"].to_list() == [f"LS-{i}" for i in range(1, 13) if i != 2]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_quarantined) == (12, 11, 1)


def test_a_quoted_field_spanning_lines_still_forms_one_record(conn, empty_landing):
    multi = ls_row("LS-2").replace("Weg 1", '"Weg 1\nHinterhaus"')
    put(empty_landing, f"{LS_FOLDER}/multi.csv", lines(LS_HEADER, ls_row("LS-1"), multi, ls_row("LS-3")))
    stats = ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1").files[0]
    raw = rows_of(conn, "raw.purchased_list_records", f"{LS_FOLDER}/multi.csv")
    assert raw["street"].to_list() == ["Weg 1", "Weg 1\nHinterhaus", "Weg 1"]
    assert (stats.rows_read, stats.rows_loaded) == (3, 3)


def test_columns_named_like_lineage_columns_keep_their_values_in_extra_fields(conn, empty_landing):
    put(empty_landing, f"{LS_FOLDER}/lineage.csv",
        lines(LS_HEADER + ",raw_text,source_file", ls_row("LS-1") + ",hello,/etc/passwd"))
    ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1")
    raw = rows_of(conn, "raw.purchased_list_records", f"{LS_FOLDER}/lineage.csv")
    assert raw["source_file"].to_list() == [f"{LS_FOLDER}/lineage.csv"]
    assert json.loads(raw["extra_fields"][0]) == {"raw_text#src": "hello", "source_file#src": "/etc/passwd"}


def test_json_keys_are_kept_verbatim_even_with_a_dot(conn, empty_landing):
    put(empty_landing, "web_forms/dots.jsonl",
        lines(form("F-1", **{"a.b": "top"}, a={"b": "nested"}, fields={"email": "a@b.de", "x.y": "inner"})))
    ingest_source_kind(conn, empty_landing, "web_form", batch_id="b1")
    extra = json.loads(rows_of(conn, "raw.web_form_submissions", "web_forms/dots.jsonl")["extra_fields"][0])
    assert extra == {"a.b": "top", "a.b#2": "nested", "fields.x.y": "inner"}


def test_a_repeated_json_key_is_quarantined_with_the_key_named(conn, empty_landing):
    line = '{"submission_id":"F-1","form_type":"x","submitted_at":"2025-03-01","fields":{"email":"a@b.de","email":"c@d.de"}}'
    put(empty_landing, "web_forms/dup.jsonl", lines(line))
    ingest_source_kind(conn, empty_landing, "web_form", batch_id="b1")
    quarantine = rows_of(conn, "quarantine.rows", "web_forms/dup.jsonl")
    assert quarantine.select("reason", "raw_text").row(0) == ("duplicate_key", line)
    assert '"email"' in quarantine["reason_detail"][0]


def test_a_web_form_line_nested_100000_levels_is_quarantined_not_fatal(conn, empty_landing):
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    put(empty_landing, "web_forms/deep.jsonl", lines(form("F-1"), deep))
    stats = ingest_source_kind(conn, empty_landing, "web_form", batch_id="b1").files[0]
    quarantine = rows_of(conn, "quarantine.rows", "web_forms/deep.jsonl")
    assert quarantine.select("source_row", "reason").rows() == [(2, "too_deeply_nested")]
    assert (stats.rows_read, stats.rows_loaded) == (2, 1)


@pytest.mark.parametrize("link_kind", ["file", "folder"])
def test_symlinks_in_landing_are_refused_and_never_read(conn, empty_landing, tmp_path, link_kind):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.csv"
    secret.write_text(LS_HEADER + "\n" + ls_row("LS-SECRET") + "\n")
    put(empty_landing, f"{LS_FOLDER}/good.csv", lines(LS_HEADER, ls_row("LS-1")))
    link = empty_landing / LS_FOLDER / ("linked.csv" if link_kind == "file" else "linked")
    os.symlink(secret if link_kind == "file" else outside, link)

    report = ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1")

    relative = link.relative_to(empty_landing).as_posix()
    registry = registry_of(conn, relative)
    assert registry.select("status", "rows_read").row(0) == ("rejected", 0)
    note = rows_of(conn, "quarantine.rows", relative)
    assert note.select("source_row", "reason").row(0) == (0, "symlink")
    assert relative in note["reason_detail"][0]
    assert conn.sql("select count(*) from raw.purchased_list_records where source_record_id = 'LS-SECRET'").fetchone() == (0,)
    assert "LS-SECRET" not in str(conn.sql("select * from quarantine.rows").fetchall())
    assert [f.status for f in report.files if f.source_file.endswith("good.csv")] == ["loaded"]


def test_a_source_folder_that_is_a_link_is_refused_as_a_whole(conn, empty_landing, tmp_path):
    outside = tmp_path / "forms_elsewhere"
    outside.mkdir()
    (outside / "forms.jsonl").write_text(form("F-SECRET") + "\n")
    os.symlink(outside, empty_landing / "web_forms")
    report = ingest_source_kind(conn, empty_landing, "web_form", batch_id="b1")
    assert [(f.source_file, f.status, f.note) for f in report.files] == [("web_forms", "rejected", "symlink")]
    assert conn.sql("select count(*) from raw.web_form_submissions").fetchone() == (0,)


def test_a_named_pipe_is_refused_without_blocking(conn, empty_landing):
    (empty_landing / "web_forms").mkdir()
    os.mkfifo(empty_landing / "web_forms" / "pipe.jsonl")
    report = ingest_source_kind(conn, empty_landing, "web_form", batch_id="b1")
    assert [(f.source_file, f.status, f.note) for f in report.files] == [
        ("web_forms/pipe.jsonl", "rejected", "not_a_regular_file")
    ]


def _suppress(conn, email=None, phone=None):
    email_key, phone_key = lookup_keys(email, phone)
    add_to_suppression_list(
        conn, identifier_frame([email_key] if email_key else [], [phone_key] if phone_key else []),
        reason_kind="erasure", salt=SALT, added_at=datetime(2026, 11, 1),
    )
    return suppression_filter(conn, SALT)


def test_an_erased_persons_malformed_rows_are_not_kept_in_clear(conn, empty_landing):
    is_suppressed = _suppress(conn, email="erika.muster@example.org", phone="+49 30 1234567")
    put(empty_landing, f"{LS_FOLDER}/mixed.csv", lines(
        LS_HEADER,
        ls_row("LS-1"),
        ls_row("LS-2", email="Erika.Muster+news@Example.org") + ",surplus",  # wrong field count
        'LS-3,Ms,Erika,"Muster,ACME,030 1234567',  # stray quote, national phone format
        ls_row("LS-4", email="someone@else.de") + ",surplus",  # quarantined, not erased
    ))
    put(empty_landing, "web_forms/broken.jsonl", lines(
        form("F-1"), '{"submission_id":"F-2","fields":{"email":"erika.muster@example.org"', form("F-3"),
    ))
    reports = _ingest_all(conn, empty_landing, is_suppressed=is_suppressed)

    stored = str(conn.sql("select * from quarantine.rows").fetchall())
    assert "rika" not in stored and "1234567" not in stored
    reasons = conn.sql(
        "select source_file, source_row, reason, raw_text is null from quarantine.rows order by all"
    ).fetchall()
    assert reasons == [
        (f"{LS_FOLDER}/mixed.csv", 2, "suppressed", True),
        (f"{LS_FOLDER}/mixed.csv", 3, "suppressed", True),
        (f"{LS_FOLDER}/mixed.csv", 4, "wrong_field_count", False),
        ("web_forms/broken.jsonl", 2, "suppressed", True),
    ]
    csv_stats = reports["purchased_list"].files[0]
    assert (csv_stats.rows_read, csv_stats.rows_loaded, csv_stats.rows_quarantined, csv_stats.rows_suppressed) == (
        4, 1, 1, 2
    )


def test_a_national_phone_number_in_a_broken_line_is_read_in_the_files_countries(conn, empty_landing):
    is_suppressed = _suppress(conn, phone="+43 664 1234567")
    austrian = ls_row("LS-1").replace(",DE,", ",AT,")
    put(empty_landing, f"{LS_FOLDER}/at.csv", lines(LS_HEADER, austrian, 'LS-2,Mr,"Max,0664 1234567'))
    stats = ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1", is_suppressed=is_suppressed).files[0]
    assert (stats.rows_loaded, stats.rows_quarantined, stats.rows_suppressed) == (1, 0, 1)
    assert "1234567" not in str(conn.sql("select * from quarantine.rows").fetchall())


def test_ingestion_times_follow_the_order_files_were_ingested_in(conn, landing):
    reports = _ingest_all(conn, landing)
    order = [f.source_file for kind in KINDS for f in reports[kind].files]
    times = conn.sql("select source_file, ingested_at from audit.file_registry").pl()
    by_time = times.sort("ingested_at")["source_file"].to_list()
    assert by_time == order
    assert times["ingested_at"].n_unique() == len(order)


def test_limits_are_read_from_the_rules_file():
    from ingest.normalize.rulebook import load_yaml
    from ingest.raw.limits import limits

    configured = load_yaml("limits.yaml")
    assert limits().max_nesting_depth == configured["max_nesting_depth"]
    assert pl.Series(list(configured.values())).min() > 0
