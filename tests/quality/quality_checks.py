"""Helpers the quality-suite tests share: warehouse copies, validation, injected failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from warehouse_fixture import AS_OF

from quality import SuiteOutcome, run_suite


def open_copy(template: Path, directory: Path) -> duckdb.DuckDBPyConnection:
    target = directory / "warehouse.duckdb"
    shutil.copy(template, target)
    return duckdb.connect(str(target))


def validate(conn: duckdb.DuckDBPyConnection, suite: str, **kwargs) -> SuiteOutcome:
    """Runs a suite "as of" the generated warehouse's reference moment."""
    return run_suite(conn, suite, now=AS_OF, **kwargs)


def run_with_injections(template, directory, suite, injections) -> tuple[SuiteOutcome, dict]:
    """Applies every injection (each corrupting its own rows) to one copy, then validates once.

    Each injection returns the ids it corrupted; injections touch disjoint rows and distinct
    rules, so every expectation's count belongs to exactly one injection.
    """
    conn = open_copy(template, directory)
    try:
        injected = {name: inject(conn) for name, inject in injections.items()}
        return validate(conn, suite), injected
    finally:
        conn.close()


def ids(conn: duckdb.DuckDBPyConnection, sql: str, *params) -> list[str]:
    """The first column of a query, for picking rows to corrupt."""
    return [row[0] for row in conn.execute(sql, list(params)).fetchall()]


def assert_fails_exactly(outcome: SuiteOutcome, name: str, count: int, expected_ids) -> None:
    """The suite is blocked by `name`, which counted exactly `count` rows, sampled by id."""
    failed = outcome.outcome(name)
    assert not outcome.passed
    assert outcome.severity == "error"
    assert failed.severity == "error"
    assert not failed.success
    assert failed.exception is None
    assert failed.unexpected_count == count
    assert set(failed.sample_ids) == set(expected_ids)
