"""Fixtures for the conversion model's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from behaviour_warehouse import build_behaviour_warehouse


@pytest.fixture
def behaviour_warehouse(tmp_path: Path) -> Path:
    return build_behaviour_warehouse(tmp_path / "warehouse.duckdb", 3000)
