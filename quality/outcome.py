"""What a suite run reports: per-expectation outcomes and a verdict, free of personal data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MAX_SAMPLE_IDS = 20


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str
    rule: str
    batch: str
    severity: str  # error | warn
    success: bool
    unexpected_count: int | None = None
    element_count: int | None = None
    sample_ids: tuple[str, ...] = ()
    exception: str | None = None
    gx_type: str | None = None

    @property
    def failed(self) -> bool:
        return not self.success


@dataclass
class SuiteOutcome:
    """The verdict of one suite: `passed` is False when any blocking expectation failed or raised."""

    suite: str
    target: str
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    run_seconds: float = 0.0
    docs_path: Path | None = None
    results_paths: list[Path] = field(default_factory=list)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.failed]

    @property
    def passed(self) -> bool:
        return not any(e.severity == "error" for e in self.failures)

    @property
    def severity(self) -> str | None:
        """The worst severity among failures: error, warn, or None when nothing failed."""
        severities = {e.severity for e in self.failures}
        if "error" in severities:
            return "error"
        return "warn" if severities else None

    @property
    def statistics(self) -> dict[str, Any]:
        evaluated = len(self.expectations)
        failed = len(self.failures)
        return {
            "evaluated_expectations": evaluated,
            "successful_expectations": evaluated - failed,
            "unsuccessful_expectations": failed,
            "blocking_failures": sum(1 for e in self.failures if e.severity == "error"),
            "warnings": sum(1 for e in self.failures if e.severity == "warn"),
            "success_percent": round(100.0 * (evaluated - failed) / evaluated, 2) if evaluated else 0.0,
            "run_seconds": round(self.run_seconds, 3),
        }

    def outcome(self, name: str) -> ExpectationOutcome:
        """The outcome of the expectation called `name` (see checks.yaml for the rule names)."""
        for e in self.expectations:
            if e.name == name:
                return e
        raise KeyError(f"suite {self.suite!r} has no expectation {name!r}")

    def to_metadata(self) -> dict[str, Any]:
        """A JSON-able summary for Dagster asset-check metadata (ids and counts only)."""
        return {
            "suite": self.suite,
            "target": self.target,
            "passed": self.passed,
            "severity": self.severity,
            "statistics": self.statistics,
            "failed_expectations": [_outcome_dict(e) for e in self.failures],
            "expectations": [
                {"name": e.name, "severity": e.severity, "success": e.success,
                 "unexpected_count": e.unexpected_count}
                for e in self.expectations
            ],
            "docs_path": str(self.docs_path) if self.docs_path else None,
            "docs_url": self.docs_path.resolve().as_uri() if self.docs_path else None,
            "results_paths": [str(p) for p in self.results_paths],
        }


def _outcome_dict(outcome: ExpectationOutcome) -> dict[str, Any]:
    data = asdict(outcome)
    data["sample_ids"] = list(outcome.sample_ids)
    return data
