"""The limits a landing file must respect (ingest/rules/limits.yaml), read once per process."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from ingest.normalize.rulebook import load_yaml


@dataclass(frozen=True)
class Limits:
    max_nesting_depth: int
    max_line_chars: int
    max_field_chars: int
    max_record_lines: int
    max_quarantined_chars: int


@cache
def limits() -> Limits:
    """The configured limits; a missing or non-positive value names the key and the file."""
    values = load_yaml("limits.yaml") or {}
    checked = {}
    for item in fields(Limits):
        value = values.get(item.name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(
                f"ingest/rules/limits.yaml: {item.name} must be a positive whole number, got {value!r}"
            )
        checked[item.name] = value
    return Limits(**checked)
