"""Shared fixtures: a copy of the hand-made landing files and a DuckDB file per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

FIXTURE_LANDING = Path(__file__).parent / "fixtures" / "landing"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING, target)
    return target


@pytest.fixture
def empty_landing(tmp_path: Path) -> Path:
    target = tmp_path / "landing"
    target.mkdir()
    return target


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()
