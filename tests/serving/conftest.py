from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingest.warehouse import WAREHOUSE_CONFIG
from orchestration.publishing import publish

from .settings import PUBLISHED_AT, SALT
from .synthetic_warehouse import build_marts

SYNTHETIC_VOCABULARIES = Path(__file__).with_name("bi_vocabularies.yaml")


@pytest.fixture(scope="package", autouse=True)
def synthetic_bi_vocabularies() -> Iterator[None]:
    """The synthetic marts' text columns have their own vocabularies (also for child processes).

    Package scope: the variable is gone before any test outside tests/serving runs, whatever
    order the tests run in (a session-wide setting leaked into later end-to-end runs)."""
    from orchestration.publishing.bi_values import VOCABULARY_FILE_ENV

    before = os.environ.get(VOCABULARY_FILE_ENV)
    os.environ[VOCABULARY_FILE_ENV] = str(SYNTHETIC_VOCABULARIES)
    yield
    if before is None:
        os.environ.pop(VOCABULARY_FILE_ENV, None)
    else:
        os.environ[VOCABULARY_FILE_ENV] = before


@pytest.fixture
def serving_dir(data_dir: Path) -> Path:
    return data_dir / "serving"


@pytest.fixture
def warehouse(data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The pipeline's writer connection to a warehouse whose marts were built by run r1."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), config=WAREHOUSE_CONFIG) as conn:
        build_marts(conn, "r1")
        yield conn


@pytest.fixture(scope="package")
def served(tmp_path_factory, synthetic_bi_vocabularies) -> Path:
    """Run r1 published once (default PUBLISHED_AT), for the tests that only read data/serving/."""
    data = tmp_path_factory.mktemp("served") / "data"
    data.mkdir()
    with duckdb.connect(str(data / "warehouse.duckdb")) as conn:
        build_marts(conn, "r1")
        publish(conn, data / "serving", run_id="r1", published_at=PUBLISHED_AT, salt=SALT)
    return data / "serving"
