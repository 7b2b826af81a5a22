"""Loads the business rules (YAML/CSV files in ingest/rules/) that normalization applies.

Marketing ops edit those files, not the code; each loader is cached because the files do not
change while a run is in progress.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


@cache
def load_yaml(name: str) -> dict[str, Any]:
    with (RULES_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def load_csv(name: str) -> pl.DataFrame:
    return pl.read_csv(RULES_DIR / name, infer_schema=False, comment_prefix="#")


def csv_column(name: str, column: str) -> list[str]:
    return load_csv(name)[column].to_list()
