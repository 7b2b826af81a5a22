"""Nightly increments add new files only, mostly returning people, and keep the truth complete."""

from __future__ import annotations

import polars as pl

from ingest.generate import generate_increment, generate_landing
from ingest.generate.__main__ import main


def test_increment_adds_new_files_without_touching_existing_ones(tmp_path):
    landing = tmp_path / "landing"
    base = generate_landing(landing, people=1000, seed=3)
    before = {p: p.read_bytes() for p in landing.rglob("*") if p.is_file()}
    inc = generate_increment(landing, people=1000, seed=3, batch=1, fraction=0.02)
    after = {p: p.read_bytes() for p in landing.rglob("*") if p.is_file()}
    assert all(after[p] == content for p, content in before.items())
    new = set(after) - set(before)
    assert new and all("_inc001" in p.name for p in new)
    assert 0.5 * 0.02 * base.records <= inc.records <= 1.5 * 0.02 * base.records


def test_increment_mixes_returning_and_new_people_and_extends_the_truth(tmp_path):
    landing = tmp_path / "landing"
    base = generate_landing(landing, people=1000, seed=3)
    inc = generate_increment(landing, people=1000, seed=3, batch=1, fraction=0.05)
    truth = pl.read_parquet(tmp_path / "ground_truth" / "records.parquet")
    people = pl.read_parquet(tmp_path / "ground_truth" / "people.parquet")
    assert truth.height == base.records + inc.records
    added = truth.filter(pl.col("source_file").str.contains("_inc001"))
    returning = added["person_id"].str.starts_with("P").mean()
    assert 0.5 < returning < 0.9
    assert added["person_id"].is_in(people["person_id"].implode()).all()


def test_increments_are_deterministic_and_distinct_per_batch(tmp_path):
    for name in ("a", "b"):
        generate_increment(tmp_path / name / "landing", people=500, seed=3, batch=2)
    a = {p.name: p.read_bytes() for p in (tmp_path / "a" / "landing").rglob("*") if p.is_file()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b" / "landing").rglob("*") if p.is_file()}
    assert a == b and all("_inc002" in name for name in a)


def test_command_line_writes_landing_and_increment(tmp_path, capsys):
    assert main(["--people", "200", "--seed", "1", "--out", str(tmp_path / "landing")]) == 0
    assert main(["--people", "200", "--seed", "1", "--out", str(tmp_path / "landing"), "--increment", "1"]) == 0
    assert "records" in capsys.readouterr().out
    assert any("_inc001" in p.name for p in (tmp_path / "landing").rglob("*"))
    assert (tmp_path / "ground_truth" / "summary.json").exists()
