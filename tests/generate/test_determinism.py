"""A seed fully determines the output, byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingest.generate import generate_landing


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path):
    generate_landing(tmp_path / "a" / "landing", people=300, seed=5)
    generate_landing(tmp_path / "b" / "landing", people=300, seed=5)
    assert snapshot(tmp_path / "a" / "landing") == snapshot(tmp_path / "b" / "landing")
    assert snapshot(tmp_path / "a" / "ground_truth") == snapshot(tmp_path / "b" / "ground_truth")


def test_different_seed_gives_different_files(tmp_path):
    generate_landing(tmp_path / "a" / "landing", people=300, seed=5)
    generate_landing(tmp_path / "b" / "landing", people=300, seed=6)
    a, b = snapshot(tmp_path / "a" / "landing"), snapshot(tmp_path / "b" / "landing")
    common = set(a) & set(b)
    assert common and all(a[f] != b[f] for f in common)


def test_dates_follow_the_anchor_date_not_the_clock(tmp_path):
    generate_landing(tmp_path / "landing", people=200, seed=5, anchor=dt.date(2024, 3, 1))
    months = {p.stem.split("_")[-1] for p in (tmp_path / "landing" / "web_forms").iterdir()}
    assert max(months) == "2024-02"


def test_summary_reports_files_records_and_people(tmp_path):
    summary = generate_landing(tmp_path / "landing", people=200, seed=5, truth_dir=tmp_path / "truth")
    assert summary.people == 200
    assert len(summary.files) == len(snapshot(tmp_path / "landing"))
    assert set(summary.records_per_source) == {"adressdirekt", "leadsource_eu", "web_forms", "hubspot", "salesforce"}
    assert (tmp_path / "truth" / "records.parquet").exists()
