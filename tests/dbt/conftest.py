"""One `dbt build` on the fixture warehouse, shared by the dbt tests (each dbt call costs seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_cli import run_dbt
from fixture_warehouse import FixtureTruth, build_fixture_warehouse


@dataclass(frozen=True)
class BuiltWarehouse:
    warehouse: Path
    work_dir: Path
    truth: FixtureTruth


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The fixture warehouse after a first full `dbt build` (scored as of the fixture's date)."""
    work_dir = tmp_path_factory.mktemp("dbt_build")
    warehouse = work_dir / "warehouse.duckdb"
    truth = build_fixture_warehouse(warehouse)
    run_dbt(["build"], warehouse, work_dir, as_of=truth.as_of.isoformat())
    return BuiltWarehouse(warehouse, work_dir, truth)
