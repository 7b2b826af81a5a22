"""Which mart columns are personal data, read from `pii_columns.yaml` (rules are data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

import yaml

DEFAULT_RULES_FILE = Path(__file__).with_name("pii_columns.yaml")

Action = Literal["keep", "hash", "drop"]


@dataclass(frozen=True)
class PiiRules:
    """Column-name patterns whose values are hashed or dropped in the `bi` schema."""

    hash: tuple[str, ...]
    drop: tuple[str, ...]

    def action(self, column: str) -> Action:
        """Drop wins over hash, so a column listed in both never leaks even as a hash."""
        name = column.lower()
        if any(fnmatchcase(name, pattern) for pattern in self.drop):
            return "drop"
        if any(fnmatchcase(name, pattern) for pattern in self.hash):
            return "hash"
        return "keep"


def load_pii_rules(path: Path = DEFAULT_RULES_FILE) -> PiiRules:
    """Read the rules file; unknown keys are an error so a typo cannot silently publish PII."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - {"hash", "drop"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)} (expected 'hash' and 'drop')")
    return PiiRules(
        hash=tuple(str(p).lower() for p in data.get("hash") or ()),
        drop=tuple(str(p).lower() for p in data.get("drop") or ()),
    )
