"""One small generated landing folder shared by the generator tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ingest.generate import generate_landing

PEOPLE = 3000
SEED = 11


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate_landing(root / "landing", people=PEOPLE, seed=SEED)
    return root


@pytest.fixture(scope="session")
def landing(generated: Path) -> Path:
    return generated / "landing"


@pytest.fixture(scope="session")
def truth_records(generated: Path) -> pl.DataFrame:
    return pl.read_parquet(generated / "ground_truth" / "records.parquet")


@pytest.fixture(scope="session")
def truth_people(generated: Path) -> pl.DataFrame:
    return pl.read_parquet(generated / "ground_truth" / "people.parquet")
