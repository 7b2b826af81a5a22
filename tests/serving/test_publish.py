"""Publishing the audited marts: what lands in data/serving/ and what stays untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pytest

from orchestration.publishing import PublishError, publish, published_version, serving_fingerprint

from .settings import PUBLISHED_AT, SALT
from .synthetic_warehouse import build_marts

MARTS = ("contactable_leads", "funnel", "lead_scores", "touch_events")


def test_publish_creates_serving_file_with_every_mart(served):
    with duckdb.connect(str(served / "leadwerk.duckdb"), read_only=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
        ).fetchall()
        leads = conn.execute("SELECT count(*) FROM marts.lead_scores").fetchone()[0]
    assert tuple(name for (name,) in tables) == MARTS
    assert leads == 50


def test_views_are_published_as_tables_so_the_copy_needs_no_warehouse(served):
    with duckdb.connect(str(served / "leadwerk.duckdb"), read_only=True) as conn:
        kind = conn.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'contactable_leads'"
        ).fetchall()
    assert kind == [("BASE TABLE",)]


def test_published_version_records_run_time_and_row_count_per_table(served):
    version = published_version(served)

    assert version["run_id"] == "r1"
    assert version["published_at"] == PUBLISHED_AT
    assert version["row_counts"]["marts.lead_scores"] == 50
    assert version["row_counts"]["bi.lead_scores"] == 50
    assert version["row_counts"]["marts.touch_events"] == 0
    assert set(version["row_counts"]) == {f"marts.{t}" for t in MARTS} | {f"bi.{t}" for t in MARTS}


def test_publish_writes_one_parquet_file_per_mart_behind_the_parquet_link(served):
    link = served / "parquet"
    assert link.is_symlink()
    assert os.readlink(link) == "versions/r1/parquet"
    assert sorted(p.stem for p in link.glob("*.parquet")) == sorted(MARTS)
    assert pl.read_parquet(link / "lead_scores.parquet").height == 50
    assert pl.read_parquet(link / "meta" / "published_version.parquet")["run_id"].unique().to_list() == ["r1"]


def test_result_metadata_is_plain_json(warehouse, serving_dir):
    result = publish(warehouse, serving_dir, run_id="r1", published_at=PUBLISHED_AT, salt=SALT)
    metadata = json.loads(json.dumps(result.to_metadata()))

    assert metadata["run_id"] == "r1"
    assert metadata["published_at"] == "2026-11-23T04:00:00"
    assert metadata["row_counts"]["marts.lead_scores"] == 50
    assert metadata["bytes"] == (serving_dir / "leadwerk.duckdb").stat().st_size


def test_publication_time_is_stored_as_utc_without_zone(warehouse, serving_dir):
    berlin_morning = datetime(2026, 11, 23, 5, 30, tzinfo=ZoneInfo("Europe/Berlin"))

    publish(warehouse, serving_dir, run_id="r1", published_at=berlin_morning, salt=SALT)

    assert published_version(serving_dir)["published_at"] == datetime(2026, 11, 23, 4, 30)


def test_next_publish_replaces_the_served_version(warehouse, serving_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    build_marts(warehouse, "r2", leads=60)
    publish(warehouse, serving_dir, run_id="r2", salt=SALT)

    version = published_version(serving_dir)
    assert version["run_id"] == "r2"
    assert version["row_counts"]["marts.lead_scores"] == 60
    assert pl.read_parquet(serving_dir / "parquet" / "lead_scores.parquet")["run_tag"].unique().to_list() == ["r2"]


def test_previous_parquet_version_is_kept_and_older_ones_removed(warehouse, serving_dir):
    for run_id in ("r1", "r2", "r3"):
        publish(warehouse, serving_dir, run_id=run_id, salt=SALT)

    assert sorted(p.name for p in (serving_dir / "versions").iterdir() if p.is_dir()) == ["r2", "r3"]


def test_republishing_the_served_run_leaves_its_files_alone(warehouse, serving_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    served = serving_dir / "versions" / "r1" / "parquet" / "lead_scores.parquet"
    before = served.read_bytes()

    result = publish(warehouse, serving_dir, run_id="r1", salt=SALT)

    assert result.parquet_dir != served.parent
    assert served.read_bytes() == before
    assert published_version(serving_dir)["run_id"] == "r1"


def test_empty_marts_are_refused_and_the_served_copy_stays_byte_identical(warehouse, serving_dir, data_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    before = serving_fingerprint(serving_dir)

    with duckdb.connect(str(data_dir / "empty.duckdb")) as empty:
        with pytest.raises(PublishError, match="nothing to publish"):
            publish(empty, serving_dir, run_id="r2", salt=SALT)

    assert serving_fingerprint(serving_dir) == before


def test_publish_failing_midway_leaves_the_served_copy_byte_identical(warehouse, serving_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    before = serving_fingerprint(serving_dir)
    warehouse.execute("CREATE OR REPLACE VIEW marts.broken AS SELECT 1 / 0 AS x, CAST('no' AS INTEGER) AS y")

    with pytest.raises(duckdb.Error):
        publish(warehouse, serving_dir, run_id="r2", salt=SALT)

    assert serving_fingerprint(serving_dir) == before
    assert [p.name for p in serving_dir.iterdir() if p.name.endswith((".tmp", ".wal"))] == []
    assert sorted(p.name for p in (serving_dir / "versions").iterdir()) == ["r1"]


def test_fingerprint_changes_when_a_new_version_is_published(warehouse, serving_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    before = serving_fingerprint(serving_dir)
    build_marts(warehouse, "r2")

    publish(warehouse, serving_dir, run_id="r2", salt=SALT)

    assert serving_fingerprint(serving_dir) != before


def test_run_ids_that_are_not_plain_file_names_are_rejected(warehouse, serving_dir):
    with pytest.raises(ValueError, match="run_id"):
        publish(warehouse, serving_dir, run_id="../escape", salt=SALT)
    assert not serving_dir.exists() or not any(serving_dir.iterdir())


def test_serving_files_open_in_duckdb_1_0_while_the_warehouse_uses_a_newer_format(
    warehouse, serving_dir, data_dir, storage_version
):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    warehouse.close()

    assert storage_version(data_dir / "warehouse.duckdb") == "v1.4.0+"
    assert storage_version(serving_dir / "leadwerk.duckdb") == "v1.0.0+"
    assert storage_version(serving_dir / "leadwerk_bi.duckdb") == "v1.0.0+"


def test_nothing_is_published_before_the_first_publish(serving_dir):
    assert published_version(serving_dir) is None


def test_publishing_package_loads_without_dagster():
    """The Dagster asset and the CLI both call it; importing it must stay cheap and standalone."""
    probe = "import sys, orchestration.publishing; print(sorted(m for m in sys.modules if m.startswith('dagster')))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
