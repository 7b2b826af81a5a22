"""`leadwerk` misuse ends in one line and exit code 2 before anything is written; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

LEADWERK = Path(sys.executable).with_name("leadwerk")
REPO = Path(__file__).resolve().parents[2]


def leadwerk(data: Path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ, "PYTHONPATH": str(REPO), "LEADWERK_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"), **env,
    }
    environment.pop("LEADWERK_AS_OF", None) if "LEADWERK_AS_OF" not in env else None
    return subprocess.run([str(LEADWERK), *argv], env=environment, capture_output=True, text=True, timeout=300)


def assert_one_line_usage_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(("people", "message"), [("0", "at least 1"), ("-5", "at least 1"), ("many", "whole number")])
def test_run_refuses_a_people_count_below_one(tmp_path, people, message):
    result = leadwerk(tmp_path / "data", "run", "--people", people)
    assert_one_line_usage_error(result, "--people", message)
    assert not (tmp_path / "data").exists()


def test_run_refuses_a_bad_as_of_date_before_ingesting_anything(tmp_path):
    result = leadwerk(tmp_path / "data", "run", LEADWERK_AS_OF="garbage")
    assert_one_line_usage_error(result, "LEADWERK_AS_OF", "YYYY-MM-DD")
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()
    assert not (tmp_path / "data" / "landing").exists()


def test_run_refuses_a_data_directory_it_cannot_write(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = leadwerk(blocker / "data", "run")
    assert_one_line_usage_error(result, "not writable")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only directories")
def test_run_refuses_a_read_only_data_directory(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    try:
        assert_one_line_usage_error(leadwerk(data, "run"), "not writable")
    finally:
        data.chmod(0o755)


def test_unknown_command_and_missing_arguments_are_one_line(tmp_path):
    assert_one_line_usage_error(leadwerk(tmp_path, "frobnicate"), "invalid choice")
    assert_one_line_usage_error(leadwerk(tmp_path, "notice", "--lead-id", "L1"), "--channel")


@pytest.fixture
def warehouse_with_one_lead(tmp_path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    with duckdb.connect(str(data / "warehouse.duckdb")) as conn:
        conn.execute("create schema core")
        conn.execute("create table core.golden_leads as select 'L0123456789ab' as lead_id")
    return data


def test_erase_of_an_unknown_lead_id_erases_nothing_and_fails(warehouse_with_one_lead):
    result = leadwerk(warehouse_with_one_lead, "erase", "--lead-id", "L-does-not-exist", "--reason-code", "art17_request")
    assert_one_line_usage_error(result, "L-does-not-exist", "nothing erased (0 leads)")
    with duckdb.connect(str(warehouse_with_one_lead / "warehouse.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(*) from core.golden_leads").fetchone() == (1,)


def test_erase_refuses_free_text_reasons(warehouse_with_one_lead):
    result = leadwerk(warehouse_with_one_lead, "erase", "--email", "a@b.de", "--reason", "Anna Schmidt, Hauptstr. 5")
    assert_one_line_usage_error(result, "--reason-code", "--ticket")
    result = leadwerk(warehouse_with_one_lead, "erase", "--email", "a@b.de", "--reason-code", "art17_request",
                      "--ticket", "Anna Schmidt")
    assert_one_line_usage_error(result, "ticket reference")


def test_notice_refuses_unknown_leads_and_bad_dates(warehouse_with_one_lead):
    result = leadwerk(warehouse_with_one_lead, "notice", "--lead-id", "L0123456789ab", "--lead-id", "L-nope",
                      "--channel", "email")
    assert_one_line_usage_error(result, "1 of 2 lead ids", "L-nope")
    result = leadwerk(warehouse_with_one_lead, "notice", "--lead-id", "L0123456789ab", "--channel", "email",
                      "--notified-at", "yesterday")
    assert_one_line_usage_error(result, "--notified-at", "ISO")
    with duckdb.connect(str(warehouse_with_one_lead / "warehouse.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(*) from information_schema.tables where table_schema = 'privacy'").fetchone() == (0,)


def test_notice_of_a_known_lead_is_recorded(warehouse_with_one_lead):
    result = leadwerk(warehouse_with_one_lead, "notice", "--lead-id", "L0123456789ab", "--channel", "email",
                      "--notified-at", "2026-02-01T09:00")
    assert result.returncode == 0, result.stderr
    assert '"notices_recorded": 1' in result.stdout
