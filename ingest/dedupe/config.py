"""Dedup settings, read from ingest/rules/dedupe.yaml so thresholds and weights are data."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "dedupe.yaml"


@dataclass(frozen=True)
class FieldWeight:
    """Evidence one compared field contributes: similarity cut-offs and bits per level."""

    agree: float
    partial: float
    bits_agree: float
    bits_partial: float
    bits_disagree: float


@dataclass(frozen=True)
class BlockingKey:
    fields: tuple[str, ...]
    max_block_size: int


@dataclass(frozen=True)
class DedupeConfig:
    auto_merge: float
    review: float
    near_miss: float
    prior_bits: float
    address_bits_when_company_agrees: float
    rare_name_reference_count: int
    rare_name_max_bits: float
    fields: dict[str, FieldWeight]
    shared_value_max_names: int
    role_local_parts: tuple[str, ...]
    max_block_size: int
    blocking_keys: tuple[BlockingKey, ...]
    max_cluster_size: int
    compare_chunk_size: int
    guard_thresholds: tuple[float, ...] = field(default=(0.97, 0.995, 0.9999))

    @classmethod
    def load(cls, path: Path | str = RULES_PATH) -> DedupeConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        fields = {
            name: FieldWeight(
                agree=float(spec["agree"]),
                partial=float(spec["partial"]),
                bits_agree=float(spec["bits"][0]),
                bits_partial=float(spec["bits"][1]),
                bits_disagree=float(spec["bits"][2]),
            )
            for name, spec in raw["fields"].items()
        }
        config = cls(
            auto_merge=float(raw["thresholds"]["auto_merge"]),
            review=float(raw["thresholds"]["review"]),
            near_miss=float(raw["thresholds"]["near_miss"]),
            prior_bits=float(raw["prior_bits"]),
            address_bits_when_company_agrees=float(raw["address_bits_when_company_agrees"]),
            rare_name_reference_count=int(raw["rare_name"]["reference_count"]),
            rare_name_max_bits=float(raw["rare_name"]["max_bits"]),
            fields=fields,
            shared_value_max_names=int(raw["shared_value_max_names"]),
            role_local_parts=tuple(raw["role_local_parts"]),
            max_block_size=int(raw["max_block_size"]),
            blocking_keys=tuple(
                BlockingKey(tuple(k), int(raw["max_block_size"])) if isinstance(k, list)
                else BlockingKey(tuple(k["fields"]), int(k.get("max_block_size", raw["max_block_size"])))
                for k in raw["blocking_keys"]
            ),
            max_cluster_size=int(raw["max_cluster_size"]),
            compare_chunk_size=int(raw.get("compare_chunk_size", 1_000_000)),
            guard_thresholds=tuple(float(t) for t in raw["guard_thresholds"]),
        )
        config.validate()
        return config

    def validate(self) -> None:
        if not 0.0 <= self.near_miss <= self.review <= self.auto_merge <= 1.0:
            raise ValueError(
                "dedupe thresholds need 0 <= near_miss <= review <= auto_merge <= 1, got "
                f"near_miss={self.near_miss} review={self.review} auto_merge={self.auto_merge}"
            )

    def with_threshold(self, auto_merge: float | None) -> DedupeConfig:
        """The same settings with another auto-merge threshold (the review band shrinks to fit)."""
        if auto_merge is None:
            return self
        review = min(self.review, auto_merge)
        updated = replace(
            self, auto_merge=auto_merge, review=review, near_miss=min(self.near_miss, review)
        )
        updated.validate()
        return updated
