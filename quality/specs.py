"""Plain descriptions of what to validate, so suites can be declared without importing GX.

A suite is a list of batches. Each batch is one DuckDB query (joins and aggregates happen in
DuckDB) whose result, holding only the columns it needs, is judged by GX expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExpectationSpec:
    """One GX expectation: `rule` is its key in checks.yaml, `name` is what people see."""

    name: str
    rule: str
    severity: str
    gx_type: str  # class name in great_expectations.expectations
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """A DuckDB query and the expectations GX applies to its rows.

    `id_column` holds the record/lead id reported for offending rows; it must never be
    personal data.
    """

    name: str
    sql: str
    id_column: str
    expectations: list[ExpectationSpec]
    tables: tuple[str, ...] = ()
    params: tuple[Any, ...] = ()


def expectation(
    suite_cfg: dict[str, Any], rule: str, gx_type: str, *, name: str | None = None, **kwargs: Any
) -> ExpectationSpec:
    """Builds a spec whose severity and `mostly` come from checks.yaml."""
    settings = suite_cfg["expectations"][rule]
    if "mostly" in settings and gx_type not in _AGGREGATE_TYPES:
        kwargs.setdefault("mostly", float(settings["mostly"]))
    return ExpectationSpec(
        name=name or rule, rule=rule, severity=settings["severity"], gx_type=gx_type, kwargs=kwargs
    )


_AGGREGATE_TYPES = frozenset({"ExpectTableRowCountToBeBetween", "ExpectColumnMaxToBeBetween"})
