"""Shared fixtures: every test that touches the warehouse gets its own data directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh LEADWERK_DATA_DIR (landing/, warehouse.duckdb, serving/) under tmp_path."""
    root = tmp_path / "data"
    (root / "landing").mkdir(parents=True)
    monkeypatch.setenv("LEADWERK_DATA_DIR", str(root))
    monkeypatch.setenv("LEADWERK_WAREHOUSE", str(root / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    return root


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dagster-dbt reads the manifest at import time; outside `dagster dev` we prepare it."""
    from orchestration.defs.dbt_project import dbt_project
    from orchestration.pipeline import ensure_dbt_manifest

    ensure_dbt_manifest()
    return Path(dbt_project.manifest_path)


@pytest.fixture
def storage_version() -> Callable[[Path], str]:
    """Reads the storage format DuckDB reports for a database file (e.g. "v1.4.0+")."""

    def read(path: Path) -> str:
        with duckdb.connect(str(path), read_only=True) as conn:
            return conn.execute(
                "select tags['storage_version'] from duckdb_databases() where database_name = current_database()"
            ).fetchone()[0]

    return read
