"""Model settings and the outcome vocabulary, read from the dbt seeds marketing ops edit."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"

# setting_key in scoring_settings.csv -> (attribute, type)
_KEYS = {
    "model_min_converted_leads": ("min_converted", int),
    "model_min_lost_leads": ("min_lost", int),
    "model_folds": ("folds", int),
    "model_seed": ("seed", int),
    "model_l2_penalty": ("l2_penalty", float),
    "model_numeric_bins": ("numeric_bins", int),
    "model_min_level_leads": ("min_level_leads", int),
    "model_top_features": ("top_features", int),
    "model_open_crm_leads_lost_after_days": ("open_as_lost_after_days", int),
    "model_open_crm_leads_lost_weight": ("open_as_lost_weight", float),
}


@dataclass(frozen=True)
class ModelSettings:
    min_converted: int = 200
    min_lost: int = 200
    folds: int = 5
    seed: int = 42
    l2_penalty: float = 3.0
    numeric_bins: int = 8
    min_level_leads: int = 15
    top_features: int = 3
    # A lead open in the CRM for longer than this many days counts as not converted, with this
    # weight against a decided lead's 1; 0 days or weight 0: never.
    open_as_lost_after_days: int = 180
    open_as_lost_weight: float = 0.2
    # outcome value of core.lead_records -> True (converted) / False (lost); others are open.
    outcome_classes: tuple[tuple[str, bool], ...] = (
        ("converted", True), ("won", True), ("lost", False), ("disqualified", False),
    )


def load_settings(seeds_dir: Path = SEEDS_DIR) -> ModelSettings:
    """The model_* keys of scoring_settings.csv and the decided outcomes of outcome_classes.csv.

    A missing key keeps its default; a value that is not a number names file, key and value.
    """
    settings_file = seeds_dir / "scoring_settings.csv"
    values: dict[str, object] = {}
    with settings_file.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row.get("setting_key") or "").strip()
            if key not in _KEYS:
                continue
            attribute, kind = _KEYS[key]
            raw = (row.get("setting_value") or "").strip()
            try:
                number = float(raw)
            except ValueError:
                raise ValueError(
                    f"{settings_file}: setting {key!r} must be a number, found {raw!r}; fix the value in that file"
                ) from None
            values[attribute] = int(number) if kind is int else number
    classes_file = seeds_dir / "outcome_classes.csv"
    classes: list[tuple[str, bool]] = []
    with classes_file.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row.get("is_decided") or "").strip().lower() != "true":
                continue
            classes.append(((row["outcome"] or "").strip(), (row.get("is_converted") or "").strip().lower() == "true"))
    values["outcome_classes"] = tuple(classes)
    settings = ModelSettings(**values)
    if not 0 <= settings.open_as_lost_weight <= 1:
        raise ValueError(f"{settings_file}: model_open_crm_leads_lost_weight must be between 0 and 1, "
                         f"found {settings.open_as_lost_weight}")
    if settings.folds < 2:
        raise ValueError(f"{settings_file}: model_folds must be at least 2, found {settings.folds}")
    return settings
