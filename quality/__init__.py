"""Leadwerk quality gates: GX Core suites over the DuckDB warehouse, free of Dagster.

Orchestration attaches each suite to the asset named in SUITE_TARGETS and turns the
SuiteOutcome into an asset-check result (blocking when an error-severity expectation fails).
"""

from quality.outcome import ExpectationOutcome, SuiteOutcome
from quality.runner import SUITE_TARGETS, SUITES, run_suite

SUITE_NAMES = tuple(SUITES)

__all__ = ["SUITE_NAMES", "SUITE_TARGETS", "ExpectationOutcome", "SuiteOutcome", "run_suite"]
