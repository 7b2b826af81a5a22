"""Dedup settings, read from ingest/rules/dedupe.yaml so thresholds and weights are data."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "dedupe.yaml"
ROLE_MAILBOXES_PATH = RULES_PATH.with_name("role_mailboxes.csv")


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
    """Records sharing all `fields` become candidates. A block above max_block_size is not
    dropped: within it, each record meets its `window` nearest neighbours in the order of
    `split_by` (a sorted neighbourhood inside the block). `window` without fields: a sorted
    neighbourhood over all records in the order of `split_by`."""

    fields: tuple[str, ...]
    max_block_size: int
    split_by: tuple[str, ...] = ()
    window: int = 0


@dataclass(frozen=True)
class Cutoffs:
    """Similarity cut-offs (0..1) where one comparison level ends and the next begins, and those
    of the deterministic rules (dedupe.yaml `cutoffs`; see ingest/dedupe/compare.py)."""

    name_close: float = 0.92
    name_similar: float = 0.80
    email_similar: float = 0.93
    company_close: float = 0.92
    company_similar: float = 0.80
    street_close: float = 0.90
    city_close: float = 0.90
    swapped_names: float = 0.90
    swapped_margin: float = 0.20
    phone_rule_last_name: float = 0.90


@dataclass(frozen=True)
class PartialSimilarities:
    """The similarity (0..1) a comparison gives to agreements that a string distance misses, and
    each part's share of the combined address similarity (dedupe.yaml `partial_similarities`;
    see ingest/dedupe/compare.py). Where it lands among the comparison levels is `cutoffs`."""

    first_name_phonetic: float = 0.85
    first_name_part_of_double: float = 0.88
    first_initial: float = 0.85
    last_name_phonetic: float = 0.88
    phone_last_digits: float = 0.85
    birth_day_month_swapped: float = 0.80
    birth_same_year: float = 0.30
    house_number_same_digits: float = 0.80
    postcode_same_first_three: float = 0.50
    address_parts: dict[str, float] = field(
        default_factory=lambda: {"postcode": 0.35, "street": 0.35, "house_number": 0.2, "city": 0.1}
    )

    def __post_init__(self) -> None:
        parts = {name: float(share) for name, share in self.address_parts.items()}
        if set(parts) != {"postcode", "street", "house_number", "city"}:
            raise ValueError(
                "dedupe.yaml partial_similarities.address_parts needs postcode, street, house_number and city, "
                f"got {sorted(parts)}"
            )
        object.__setattr__(self, "address_parts", parts)
        for name in (f.name for f in dataclass_fields(self) if f.name != "address_parts"):
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"dedupe.yaml partial_similarities.{name} must be between 0 and 1, got {value}")
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class NameConflictGuard:
    """Two records whose first names clearly differ are two people: such a pair never merges by
    itself (dedupe.yaml `name_conflict_guard`)."""

    first_name_below: float = 0.70
    when_sharing: tuple[str, ...] = ()
    unless: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_name_below", float(self.first_name_below))
        object.__setattr__(self, "when_sharing", tuple(self.when_sharing))
        object.__setattr__(self, "unless", {name: int(level) for name, level in self.unless.items()})


@dataclass(frozen=True)
class ModelSettings:
    """How match weights are learned from each run's data (see ingest/dedupe/model.py)."""

    min_records: int = 500
    min_candidate_pairs: int = 200
    random_pairs: int = 300_000
    fit_pairs: int = 500_000
    max_iterations: int = 40
    tolerance: float = 1e-4
    smoothing: float = 10.0
    max_bits: float = 20.0
    max_duplicate_pairs_per_record: float = 20.0
    term_frequency_max_bits: float = 6.0
    refit_change: float = 0.1
    dependent_fields: tuple[tuple[str, str], ...] = ()
    training: tuple[dict, ...] = ()
    min_session_pairs: int = 50
    min_session_duplicates: float = 5.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependent_fields", tuple(tuple(pair) for pair in self.dependent_fields))
        object.__setattr__(self, "training", tuple(self.training))


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
    model: ModelSettings = field(default_factory=ModelSettings)
    cutoffs: Cutoffs = field(default_factory=Cutoffs)
    partial_similarities: PartialSimilarities = field(default_factory=PartialSimilarities)
    name_conflict_guard: NameConflictGuard = field(default_factory=NameConflictGuard)

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
            role_local_parts=_role_local_parts(),
            max_block_size=int(raw["max_block_size"]),
            blocking_keys=tuple(_blocking_key(k, raw) for k in raw["blocking_keys"]),
            max_cluster_size=int(raw["max_cluster_size"]),
            compare_chunk_size=int(raw.get("compare_chunk_size", 1_000_000)),
            guard_thresholds=tuple(float(t) for t in raw["guard_thresholds"]),
            model=ModelSettings(**raw.get("model", {})),
            cutoffs=Cutoffs(**{k: float(v) for k, v in raw["cutoffs"].items()}),
            partial_similarities=PartialSimilarities(**raw.get("partial_similarities", {})),
            name_conflict_guard=NameConflictGuard(**raw["name_conflict_guard"]),
        )
        config.validate()
        return config

    def validate(self) -> None:
        for key in self.blocking_keys:
            if not key.fields and not (key.split_by and key.window):
                raise ValueError(f"dedupe.yaml blocking key {key} needs fields, or split_by with a window")
        for session in self.model.training:
            unknown = set(session) - {"name", "all", "any", "no_person"}
            if unknown:
                raise ValueError(f"dedupe.yaml training session {session.get('name')!r} has unknown keys {sorted(unknown)}")
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


def _blocking_key(spec: list | dict, raw: dict) -> BlockingKey:
    if isinstance(spec, list):
        spec = {"fields": spec}
    return BlockingKey(
        fields=tuple(spec.get("fields", ())),
        max_block_size=int(spec.get("max_block_size", raw["max_block_size"])),
        split_by=tuple(spec.get("split_by", raw.get("split_oversized_blocks_by", ()))),
        window=int(spec.get("window", raw.get("oversized_block_window", 0))),
    )


def _role_local_parts() -> tuple[str, ...]:
    """Role inbox local parts: the one list normalization flags email_is_role with."""
    with ROLE_MAILBOXES_PATH.open(encoding="utf-8", newline="") as handle:
        return tuple(row["local_part"] for row in csv.DictReader(handle))
