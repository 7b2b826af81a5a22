"""A nightly run on 1% new landing files works only on what changed, and ends exactly where
rebuilding the core layer from every raw row ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pytest

from ingest.dedupe import build_identity
from ingest.dedupe.build import MATCH_INPUTS_TABLE
from ingest.dedupe.golden_refresh import GOLDEN_INPUTS_TABLE
from ingest.generate import generate_increment, generate_landing
from ingest.normalize import build_core
from ingest.raw.ingest_run import ingest_source_kind
from ingest.raw.tables import RAW_TABLES

PEOPLE = 2000
SEED = 7
NOW = datetime(2026, 11, 23, 2, 0)
NORMALIZE_TABLES = ("core.lead_records", "core.consent_records", "core.touchpoints")
DEDUPE_TABLES = (
    "core.lead_identity", "core.lead_match_pairs", "core.lead_match_review", "core.lead_id_merges",
    "core.golden_leads",
)


@dataclass
class Refresh:
    normalize: object
    dedupe: dict
    incremental: dict[str, list[tuple]]
    rebuilt: dict[str, list[tuple]]


def _contents(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = {t: f"select * from {t}" for t in (*NORMALIZE_TABLES, *DEDUPE_TABLES)}
    tables["quarantine"] = "select * from quarantine.rows where stage = 'normalize'"
    return {name: sorted(conn.sql(sql).fetchall(), key=repr) for name, sql in tables.items()}


@pytest.fixture(scope="module")
def refresh(tmp_path_factory) -> Refresh:
    root = tmp_path_factory.mktemp("nightly")
    landing = root / "landing"
    generate_landing(landing, people=PEOPLE, seed=SEED)
    with duckdb.connect(str(root / "warehouse.duckdb")) as conn:

        def nightly(batch: str):
            for kind in RAW_TABLES:
                ingest_source_kind(conn, landing, kind, batch_id=batch, ingested_at=NOW)
            return build_core(conn, now=NOW), build_identity(conn, now=NOW).to_metadata()

        nightly("b1")
        generate_increment(landing, people=PEOPLE, seed=SEED, batch=1)
        normalize, dedupe = nightly("b2")
        incremental = _contents(conn)
        # Forget what the runs remembered: the next run starts from all raw rows.
        conn.execute(f"drop table {MATCH_INPUTS_TABLE}; drop table {GOLDEN_INPUTS_TABLE}")
        build_core(conn, now=NOW, full_rebuild=True)
        build_identity(conn, now=NOW)
        return Refresh(normalize, dedupe, incremental, _contents(conn))


def test_nightly_run_normalizes_only_the_new_files(refresh):
    assert refresh.normalize.mode == "incremental"
    assert 0 < refresh.normalize.normalized_raw_rows < refresh.normalize.raw_rows * 0.05


def test_nightly_run_compares_only_pairs_that_touch_changed_records(refresh):
    assert 0 < refresh.dedupe["compared_pairs"] < refresh.dedupe["candidate_pairs"] * 0.2


def test_nightly_run_rebuilds_only_golden_rows_of_changed_leads(refresh):
    assert 0 < refresh.dedupe["golden_rebuilt_rows"] < refresh.dedupe["golden_rows"] * 0.1


@pytest.mark.parametrize("table", [*NORMALIZE_TABLES, "quarantine"])
def test_normalized_tables_equal_a_full_rebuild(refresh, table):
    assert refresh.incremental[table] == refresh.rebuilt[table]


@pytest.mark.parametrize("table", DEDUPE_TABLES)
def test_identity_pairs_and_golden_leads_equal_a_full_rebuild(refresh, table):
    assert refresh.incremental[table] == refresh.rebuilt[table]
