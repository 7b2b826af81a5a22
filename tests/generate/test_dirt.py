"""Dirty rows exist, are labelled in the truth, and stay rare."""

from __future__ import annotations

import json
import re

import polars as pl

from .helpers import read_rows

ANCHOR = (2026, 11, 1)  # the generator's default anchor date
EXPECTED_DEFECTS = {"wrong_field_count", "undecodable_bytes", "invalid_email", "impossible_date", "future_date",
                    "no_contact_data", "truncated_row", "invalid_json"}


def test_each_kind_of_dirt_occurs(truth_records):
    assert set(truth_records["defect"].drop_nulls().unique()) == EXPECTED_DEFECTS


def test_dirt_stays_at_one_to_two_percent_of_rows(truth_records):
    share = truth_records["defect"].is_not_null().mean()
    assert 0.005 <= share <= 0.025


def test_undecodable_bytes_sit_in_utf8_files_only(landing, truth_records):
    bad = truth_records.filter(pl.col("defect") == "undecodable_bytes")
    assert not bad["source_file"].str.contains("adressdirekt|lead_report").any()
    relative = bad["source_file"][0]
    assert b"\xff\xfe" in (landing / relative).read_bytes()


def test_truncated_rows_are_the_last_line_without_newline(landing, truth_records):
    cut = truth_records.filter(pl.col("defect") == "truncated_row")
    sizes = dict(truth_records.group_by("source_file").len().iter_rows())
    for relative, row in cut.select("source_file", "source_row").iter_rows():
        assert row == sizes[relative]
        assert not (landing / relative).read_bytes().endswith(b"\n")


def test_wrong_field_count_rows_really_have_another_field_count(landing, truth_records):
    broken = truth_records.filter(pl.col("defect") == "wrong_field_count")
    for relative, row in broken.select("source_file", "source_row").head(10).iter_rows():
        header, rows = read_rows(landing, relative)
        assert len(rows[row - 1]) != len(header)


def test_invalid_emails_are_broken_in_the_file(landing, truth_records):
    bad = truth_records.filter((pl.col("defect") == "invalid_email") & pl.col("source_file").str.contains("hubspot"))
    for relative, row in bad.select("source_file", "source_row").iter_rows():
        header, rows = read_rows(landing, relative)
        email = rows[row - 1][header.index("Email")]
        assert "@" not in email or ".." in email or " " in email


def test_no_contact_rows_have_neither_email_nor_phone(landing, truth_records):
    empty = truth_records.filter((pl.col("defect") == "no_contact_data") & pl.col("source_file").str.contains("salesforce_leads"))
    for relative, row in empty.select("source_file", "source_row").iter_rows():
        header, rows = read_rows(landing, relative)
        values = dict(zip(header, rows[row - 1]))
        assert values["Email"] == values["Phone"] == values["MobilePhone"] == ""


def test_impossible_dates_name_a_day_february_does_not_have(landing, truth_records):
    bad = truth_records.filter(pl.col("defect") == "impossible_date")
    assert bad.height > 0
    for relative, row in bad.select("source_file", "source_row").iter_rows():
        _, rows = read_rows(landing, relative)
        record = json.dumps(rows[row - 1], ensure_ascii=False)
        assert re.search(r"02-3[01]|3[01]\.02\.|\b2/3[01]/", record), (relative, row)


def dates_in(text: str) -> list[tuple[int, int, int]]:
    """(year, month, day) of every ISO, German or US date in a record's text."""
    iso = [(int(y), int(m), int(d)) for y, m, d in re.findall(r"(20\d\d)-(\d\d)-(\d\d)", text)]
    german = [(int(y), int(m), int(d)) for d, m, y in re.findall(r"(\d\d)\.(\d\d)\.(20\d\d)", text)]
    us = [(int(y), int(m), int(d)) for m, d, y in re.findall(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)", text)]
    return iso + german + us


def test_future_dates_lie_after_the_anchor_date(landing, truth_records):
    future = truth_records.filter(pl.col("defect") == "future_date")
    assert future.height > 0
    for relative, row in future.select("source_file", "source_row").iter_rows():
        _, rows = read_rows(landing, relative)
        assert max(dates_in(json.dumps(rows[row - 1], ensure_ascii=False))) > ANCHOR, (relative, row)


def test_clean_records_carry_no_future_dates(landing, truth_records):
    clean = truth_records.filter(pl.col("defect").is_null() & pl.col("source_file").str.contains("salesforce_leads"))
    for relative, row in clean.select("source_file", "source_row").head(200).iter_rows():
        _, rows = read_rows(landing, relative)
        assert max(dates_in(json.dumps(rows[row - 1]))) <= ANCHOR, (relative, row)


def test_text_for_windows_1252_files_always_encodes():
    from ingest.generate.text import cp1252_safe

    names = pl.Series(["İSTANBUL".lower(), "Łukasz Wójcik", "Müller", "Zhōu 周"])
    safe = pl.select(cp1252_safe(pl.lit(names))).to_series().to_list()
    assert safe == ["istanbul", "Lukasz Wójcik", "Müller", "Zh?u ?"]
    for value in safe:
        value.encode("cp1252")
