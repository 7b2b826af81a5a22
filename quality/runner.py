"""Runs one named quality suite against the warehouse and returns a Dagster-agnostic verdict."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import duckdb

from ingest.tables import FILE_REGISTRY, GOLDEN_LEADS, LEAD_RECORDS
from quality.config import load_checks_config, suite_config
from quality.gx_runner import validate_batches
from quality.outcome import ExpectationOutcome, SuiteOutcome
from quality.suites import consent, identity, lead_records, marts, raw
from quality.suites._sql import existing_tables

SUITES: dict[str, ModuleType] = {
    "raw": raw,
    "lead_records": lead_records,
    "identity": identity,
    "marts": marts,
    "consent": consent,
}

# The table (asset) each suite is attached to as an asset check.
SUITE_TARGETS: dict[str, str] = {
    "raw": FILE_REGISTRY,
    "lead_records": LEAD_RECORDS,
    "identity": GOLDEN_LEADS,
    "marts": "marts.mart_lead_scores",
    "consent": "marts.mart_contactability",
}


def run_suite(
    conn: duckdb.DuckDBPyConnection,
    suite: str,
    *,
    docs_dir: Path | None = None,
    now: datetime | None = None,
    config: dict | None = None,
) -> SuiteOutcome:
    """Validates `suite` ("raw", "lead_records", "identity", "marts", "consent").

    Only reads through `conn`. With `docs_dir`, GX validation results are written as JSON under
    docs_dir/results/ and Data Docs are built into docs_dir. `now` is the reference for "in the
    future" checks (naive UTC; defaults to the current time).
    """
    if suite not in SUITES:
        raise ValueError(f"unknown quality suite {suite!r}; known: {sorted(SUITES)}")
    started = time.perf_counter()
    now = now or datetime.now(UTC).replace(tzinfo=None)
    cfg = suite_config(suite, config if config is not None else load_checks_config())
    module = SUITES[suite]
    outcome = SuiteOutcome(suite=suite, target=SUITE_TARGETS[suite])

    missing = _missing_tables(conn, module.TABLES)
    if missing:
        outcome.expectations.append(_tables_missing(suite, missing))
    else:
        batches = module.batches(conn, cfg, now)
        runnable = []
        for batch in batches:
            missing = _missing_tables(conn, batch.tables)
            if missing:
                outcome.expectations.append(_tables_missing(batch.name, missing))
            else:
                runnable.append(batch)
        outcomes, docs_path, result_paths = validate_batches(
            conn, suite, runnable, docs_dir=docs_dir, run_time=datetime.now(UTC)
        )
        outcome.expectations.extend(outcomes)
        outcome.docs_path = docs_path
        outcome.results_paths = result_paths
    outcome.run_seconds = time.perf_counter() - started
    return outcome


def _missing_tables(conn: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> list[str]:
    present = set(existing_tables(conn, list(tables)))
    return [t for t in tables if t not in present]


def _tables_missing(batch: str, missing: list[str]) -> ExpectationOutcome:
    return ExpectationOutcome(
        name="tables_present", rule="tables_present", batch=batch, severity="error", success=False,
        exception=f"missing tables: {', '.join(missing)}",
    )
