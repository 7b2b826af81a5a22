"""The volume gate: refuse to replace the served copy with a much smaller one.

Rules are data (volume_gate.yaml). The gate compares the row counts about to be published with
the served version's `meta.published_version`; publishing itself stays unconditional, so the
privacy commands (an erasure must republish at once) are never held back by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_GATE_FILE = Path(__file__).with_name("volume_gate.yaml")
# Metadata key of the observation a blocked publish leaves on the serving asset.
BLOCKED_METADATA = "publish_blocked"
_KEYS = {"max_drop_share", "table_max_drop_share", "golden_lead_table"}


@dataclass(frozen=True)
class VolumeRules:
    max_drop_share: float
    golden_lead_table: str
    table_max_drop_share: dict[str, float] = field(default_factory=dict)

    def limit(self, table: str) -> float:
        return self.table_max_drop_share.get(table, self.max_drop_share)


@dataclass(frozen=True)
class GateVerdict:
    """Whether to publish; `reasons` name each table that shrank too far (empty when passed)."""

    reasons: tuple[str, ...]
    overridden: bool = False

    @property
    def blocked(self) -> bool:
        return bool(self.reasons) and not self.overridden

    def message(self) -> str:
        return "; ".join(self.reasons)


def _share(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{where} must be a share between 0 and 1, not {value!r}")
    return float(value)


def load_volume_rules(path: Path = DEFAULT_GATE_FILE) -> VolumeRules:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)} (expected {sorted(_KEYS)})")
    per_table = data.get("table_max_drop_share") or {}
    return VolumeRules(
        max_drop_share=_share(data.get("max_drop_share", 0.5), f"{path}: max_drop_share"),
        golden_lead_table=str(data.get("golden_lead_table") or "marts.mart_lead_scores"),
        table_max_drop_share={
            str(t): _share(v, f"{path}: table_max_drop_share.{t}") for t, v in per_table.items()
        },
    )


def check_volume(
    new_counts: dict[str, int],
    published_counts: dict[str, int] | None,
    rules: VolumeRules,
    *,
    allow_drop: bool = False,
) -> GateVerdict:
    """Compare the counts about to be published with the served ones (None: nothing served)."""
    reasons: list[str] = []
    if new_counts.get(rules.golden_lead_table, 0) == 0:
        reasons.append(f"{rules.golden_lead_table} would be empty (no golden leads to publish)")
    for table, before in sorted((published_counts or {}).items()):
        if not table.startswith("marts.") or before <= 0:
            continue
        after = new_counts.get(table, 0)
        drop = (before - after) / before
        if drop > rules.limit(table):
            reasons.append(
                f"{table} would drop from {before:,} to {after:,} rows "
                f"(-{drop:.0%}, limit -{rules.limit(table):.0%})"
            )
    return GateVerdict(reasons=tuple(reasons), overridden=allow_drop and bool(reasons))
