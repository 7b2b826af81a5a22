"""One generated warehouse, refreshed twice through the real Dagster job, shared by e2e tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import dagster as dg
import pytest

E2E_PEOPLE = 600
E2E_SEED = 11


@dataclass
class DemoWarehouse:
    root: Path
    first_run: dg.ExecuteInProcessResult
    second_run: dg.ExecuteInProcessResult
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)


def table_counts(path: Path) -> dict[str, int]:
    from orchestration.summary import warehouse_counts

    with duckdb.connect(str(path), read_only=True) as conn:
        return dict(warehouse_counts(conn))


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, dbt_manifest) -> DemoWarehouse:
    from ingest.generate import ANCHOR_DATE, generate_landing
    from orchestration.pipeline import run_full_refresh

    root = tmp_path_factory.mktemp("e2e") / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEADWERK_DATA_DIR", str(root))
        env.setenv("LEADWERK_WAREHOUSE", str(root / "warehouse.duckdb"))
        env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        # Score as of the day the demo data was generated for, so recency rules stay testable.
        env.setenv("LEADWERK_AS_OF", ANCHOR_DATE.isoformat())
        generate_landing(root / "landing", people=E2E_PEOPLE, seed=E2E_SEED)
        first = run_full_refresh(trigger="test")
        counts_first = table_counts(root / "warehouse.duckdb")
        second = run_full_refresh(trigger="test")
        counts_second = table_counts(root / "warehouse.duckdb")
        yield DemoWarehouse(root, first, second, counts_first, counts_second)
