"""The ground truth describes every data record written, and nothing else."""

from __future__ import annotations

import json

import polars as pl

from .conftest import PEOPLE
from .helpers import data_files, read_rows


def test_truth_has_one_row_per_data_record_of_every_file(landing, truth_records):
    per_file = dict(truth_records.group_by("source_file").len().iter_rows())
    assert set(per_file) == set(data_files(landing))
    for relative in data_files(landing):
        _, rows = read_rows(landing, relative)
        assert per_file[relative] == len(rows), relative


def test_source_rows_number_records_from_one_without_gaps(truth_records):
    check = truth_records.group_by("source_file").agg(
        pl.col("source_row").min().alias("lo"), pl.col("source_row").max().alias("hi"), pl.len().alias("n"))
    assert (check["lo"] == 1).all() and (check["hi"] == check["n"]).all()
    assert truth_records.select("source_file", "source_row").is_unique().all()


def test_source_kind_and_system_follow_the_folders(truth_records):
    pairs = set(truth_records.select("source_kind", "source_system").unique().iter_rows())
    assert pairs == {("purchased_list", "adressdirekt"), ("purchased_list", "leadsource_eu"),
                     ("web_form", "web_forms"), ("crm_export", "hubspot"), ("crm_export", "salesforce")}


def test_every_record_belongs_to_a_known_person(truth_records, truth_people):
    assert truth_records["person_id"].null_count() == 0
    assert truth_records["person_id"].is_in(truth_people["person_id"].implode()).all()
    assert truth_people.height <= PEOPLE


def test_true_emails_are_canonical(truth_records):
    emails = truth_records["true_email"].drop_nulls()
    assert (emails == emails.str.to_lowercase()).all()
    assert not emails.str.contains(r"\+").any()
    assert emails.str.contains(r"^[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]+$").all()


def test_true_phones_are_e164(truth_records):
    assert truth_records["true_phone_e164"].drop_nulls().str.contains(r"^\+(49|43|41)\d{6,13}$").all()


def test_people_table_holds_propensity_and_outcome(truth_people):
    assert {"person_id", "propensity", "converted", "funnel_stage", "segment"} <= set(truth_people.columns)
    assert truth_people["propensity"].is_between(0, 1).all()


def test_summary_counts_match_the_records(generated, truth_records):
    summary = json.loads((generated / "ground_truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["records"] == truth_records.height
    assert sum(summary["records_per_source"].values()) == truth_records.height
    assert summary["defects"] == dict(truth_records.filter(pl.col("defect").is_not_null()).group_by("defect").len().iter_rows())


def test_ground_truth_lives_outside_the_landing_folder(landing, generated):
    assert not any("ground_truth" in f or f.endswith(".parquet") for f in data_files(landing))
    assert (generated / "ground_truth" / "records.parquet").exists()
