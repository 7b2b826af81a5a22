"""Which text values may appear in the `bi` schema, read from `bi_vocabularies.yaml`.

Analysts open `bi` in spreadsheets. A text cell there is either a hash (pii_columns.yaml) or a
value from a known vocabulary; anything else becomes `other`, so neither personal data nor a
formula typed into a web form can reach a spreadsheet through a category column.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_VOCABULARY_FILE = Path(__file__).with_name("bi_vocabularies.yaml")
VOCABULARY_FILE_ENV = "LEADWERK_BI_VOCABULARIES"
_REPO = Path(__file__).resolve().parents[2]
SEEDS_DIR = _REPO / "dbt_project" / "seeds"
CONTRACTS_DIR = _REPO / "ingest" / "contracts"
_SPEC_KEYS = {"values", "seed", "contracts", "pattern", "separator"}


@dataclass(frozen=True)
class Vocabulary:
    values: frozenset[str]
    pattern: str | None = None
    separator: str | None = None


@dataclass(frozen=True)
class BiVocabularies:
    columns: dict[str, Vocabulary]
    other_value: str = "other"

    def get(self, column: str) -> Vocabulary | None:
        return self.columns.get(column.lower())


def _seed_values(spec: dict, where: str) -> set[str]:
    path = SEEDS_DIR / str(spec.get("file", ""))
    column = str(spec.get("column", ""))
    if not path.is_file():
        raise ValueError(f"{where}: seed file {path} does not exist")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and column not in rows[0]:
        raise ValueError(f"{where}: {path.name} has no column {column!r}")
    return {row[column] for row in rows if row[column]}


def _contract_values(field: str) -> set[str]:
    values = set()
    for path in sorted(CONTRACTS_DIR.glob("*.yaml")):
        value = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(field)
        if value:
            values.add(str(value))
    return values


def _vocabulary(spec: dict, where: str) -> Vocabulary:
    unknown = set(spec) - _SPEC_KEYS
    if unknown or not (set(spec) & {"values", "seed", "contracts", "pattern"}):
        raise ValueError(f"{where}: give values, seed, contracts or pattern (unknown keys {sorted(unknown)})")
    values = {str(v) for v in spec.get("values") or ()}
    if "seed" in spec:
        values |= _seed_values(spec["seed"], where)
    if "contracts" in spec:
        values |= _contract_values(str(spec["contracts"]))
    pattern = spec.get("pattern")
    if pattern is not None:
        re.compile(pattern)
    return Vocabulary(values=frozenset(values), pattern=pattern, separator=spec.get("separator"))


def load_bi_vocabularies(path: Path | None = None) -> BiVocabularies:
    path = Path(path or os.environ.get(VOCABULARY_FILE_ENV) or DEFAULT_VOCABULARY_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - {"columns", "other_value"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)} (expected 'columns', 'other_value')")
    columns = {
        str(name).lower(): _vocabulary(spec or {}, f"{path}: columns.{name}")
        for name, spec in (data.get("columns") or {}).items()
    }
    return BiVocabularies(columns=columns, other_value=str(data.get("other_value", "other")))
