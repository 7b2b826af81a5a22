"""Fixtures for the quality suites: copies of one clean generated warehouse in real DuckDB files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from quality_checks import open_copy
from warehouse_fixture import build_warehouse

N_LEADS = 120


@pytest.fixture(scope="session")
def template_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "warehouse.duckdb"
    conn = duckdb.connect(str(path))
    build_warehouse(conn, N_LEADS)
    conn.close()
    return path


@pytest.fixture
def warehouse(template_path, tmp_path):
    conn = open_copy(template_path, tmp_path)
    yield conn
    conn.close()
