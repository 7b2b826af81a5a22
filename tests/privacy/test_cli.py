"""The CLI hooks: parse like `leadwerk <command>`, act on $LEADWERK_DATA_DIR's warehouse."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import pytest

from ingest.privacy import cli
from privacy.conftest import ANNA, BERND
from privacy.privacy_warehouse import build_warehouse, text_hits


@pytest.fixture
def warehouse_file(data_dir: Path) -> Path:
    path = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        build_warehouse(conn, ANNA + BERND)
    return path


def parse(command: str, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    getattr(cli, f"add_arguments_{command.replace('-', '_')}")(parser)
    return parser.parse_args(argv)


def test_erase_command_erases_and_republishes_through_the_hook(warehouse_file: Path, capsys) -> None:
    calls = []
    args = parse("erase", ["--email", "anna.schmidt@example.de", "--reason-code", "art17_request", "--ticket", "SR-4711"])
    args.republish = lambda conn: calls.append(conn.execute("select count(*) from core.golden_leads").fetchone()[0])
    assert cli.run_erase(args) == 0
    assert calls == [1]
    printed = capsys.readouterr().out
    assert json.loads(printed)["records"] == 3 and "anna" not in printed.lower()
    with duckdb.connect(str(warehouse_file)) as conn:
        assert text_hits(conn, ["anna.schmidt"]) == {}


def test_erase_command_needs_exactly_one_identifier() -> None:
    with pytest.raises(SystemExit):
        parse("erase", ["--email", "a@b.de", "--phone", "0171", "--reason-code", "art17_request"])


def test_subject_export_command_writes_the_file(warehouse_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    assert cli.run_subject_export(parse("subject-export", ["--phone", "0171 2345678", "--output", str(out)])) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["source_records"]) == 3


def test_notice_command_records_each_lead(warehouse_file: Path) -> None:
    args = parse("notice", ["--lead-id", "L-ANNA", "--lead-id", "L-BERND", "--channel", "email",
                            "--notified-at", "2025-02-01T09:00:00"])
    assert cli.run_notice(args) == 0
    with duckdb.connect(str(warehouse_file)) as conn:
        assert conn.execute("select count(*) from privacy.art14_notices").fetchone()[0] == 2


def test_commands_without_a_warehouse_fail_cleanly(data_dir: Path) -> None:
    assert cli.run_erase(parse("erase", ["--lead-id", "L-1", "--reason-code", "art17_request"])) == 2


@pytest.mark.parametrize(
    ("command", "argv", "message"),
    [
        ("erase", ["--lead-id", "L-does-not-exist", "--reason-code", "art17_request"],
         "no lead 'L-does-not-exist' in the warehouse; nothing erased (0 leads)"),
        ("notice", ["--lead-id", "L-does-not-exist", "--channel", "email"],
         "1 of 1 lead ids are not in the warehouse (first: L-does-not-exist); nothing recorded"),
        ("erase", ["--email", "anna.schmidt@example.de", "--reason-code", "art17_request",
                   "--ticket", "Anna Schmidt Hauptstr 5"], "--ticket takes a ticket reference"),
    ],
    ids=["unknown_lead_erase", "unknown_lead_notice", "ticket_with_a_name"],
)
def test_a_refused_request_prints_its_message_as_one_plain_line(
    warehouse_file: Path, capsys, command: str, argv: list[str], message: str
) -> None:
    assert getattr(cli, f"run_{command}")(parse(command, argv)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    # The message itself, not its Python repr in quotes.
    assert err.startswith(f"leadwerk {command}: error: {message}")
    with duckdb.connect(str(warehouse_file)) as conn:
        assert conn.execute("select count(*) from core.golden_leads").fetchone()[0] == 2
