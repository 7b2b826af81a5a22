"""The read-only ways BI tools connect to data/serving/, as documented in docs/bi.md."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
import sqlalchemy as sa

from orchestration.publishing import publish

from .settings import SALT
from .synthetic_warehouse import build_marts

RUN_ID = sa.text("SELECT DISTINCT run_id FROM meta.published_version")


def _duckdb_cli() -> str:
    """The `duckdb` binary of the duckdb-cli package next to this interpreter, else on PATH."""
    found = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")
    if found is None:
        pytest.skip("DuckDB CLI not installed (pip install duckdb-cli)")
    return found


def test_sqlalchemy_url_with_read_only_connect_arg_reads_the_marts(served):
    engine = sa.create_engine(
        f"duckdb:///{served / 'leadwerk.duckdb'}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool
    )
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM marts.lead_scores")).scalar_one() == 50


def test_sqlalchemy_url_with_access_mode_query_parameter_is_read_only(served):
    engine = sa.create_engine(
        f"duckdb:///{served / 'leadwerk.duckdb'}?access_mode=read_only", poolclass=sa.pool.NullPool
    )
    with engine.connect() as conn:
        assert conn.execute(RUN_ID).scalar_one() == "r1"
        with pytest.raises(sa.exc.DBAPIError, match="read-only"):
            conn.execute(sa.text("CREATE TABLE marts.scratch AS SELECT 1 AS x"))


def test_sqlalchemy_read_only_connection_refuses_writes(served):
    engine = sa.create_engine(
        f"duckdb:///{served / 'leadwerk.duckdb'}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool
    )
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        conn.execute(sa.text("DELETE FROM marts.lead_scores"))


def test_connection_held_across_a_publish_keeps_reading_its_version(warehouse, serving_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    engine = sa.create_engine(f"duckdb:///{serving_dir / 'leadwerk.duckdb'}", connect_args={"read_only": True})
    with engine.connect() as held:
        build_marts(warehouse, "r2")
        publish(warehouse, serving_dir, run_id="r2", salt=SALT)

        assert held.execute(RUN_ID).scalar_one() == "r1"
        assert held.execute(sa.text("SELECT DISTINCT run_tag FROM marts.lead_scores")).scalar_one() == "r1"
    engine.dispose()


def test_new_connection_after_a_publish_reads_the_new_version(warehouse, serving_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    engine = sa.create_engine(
        f"duckdb:///{serving_dir / 'leadwerk.duckdb'}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool
    )
    with engine.connect() as conn:
        assert conn.execute(RUN_ID).scalar_one() == "r1"
    build_marts(warehouse, "r2")
    publish(warehouse, serving_dir, run_id="r2", salt=SALT)

    with engine.connect() as conn:
        assert conn.execute(RUN_ID).scalar_one() == "r2"


def test_bi_only_file_serves_analysts_without_pii_rights(served):
    engine = sa.create_engine(
        f"duckdb:///{served / 'leadwerk_bi.duckdb'}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool
    )
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(DISTINCT email_hash) FROM bi.lead_scores")).scalar_one() == 50
        with pytest.raises(sa.exc.DBAPIError, match="marts"):
            conn.execute(sa.text("SELECT * FROM marts.lead_scores"))


def test_duckdb_cli_opens_the_serving_file_read_only(served):
    result = subprocess.run(
        [_duckdb_cli(), "-readonly", "-csv", "-noheader", str(served / "leadwerk.duckdb"),
         "-c", "SELECT count(*) FROM marts.lead_scores"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert result.stdout.strip() == "50"


def test_duckdb_cli_in_read_only_mode_refuses_writes(served):
    result = subprocess.run(
        [_duckdb_cli(), "-readonly", str(served / "leadwerk.duckdb"), "-c", "DROP TABLE marts.funnel"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "read-only" in result.stderr + result.stdout


def test_duckdb_reads_the_parquet_files(served):
    with duckdb.connect() as conn:
        count = conn.execute(
            f"SELECT count(*) FROM read_parquet('{served / 'parquet' / 'lead_scores.parquet'}')"
        ).fetchone()[0]
    assert count == 50


def test_polars_reads_the_parquet_files(served):
    frame = pl.scan_parquet(served / "parquet" / "bi" / "lead_scores.parquet").select("lead_id", "email_hash").collect()

    assert frame.height == 50
    assert frame["email_hash"].null_count() == 0


def test_parquet_files_carry_the_published_version(served):
    meta = pl.read_parquet(served / "parquet" / "meta" / "published_version.parquet")

    counts = dict(zip(meta["table_name"], meta["row_count"]))
    assert meta["run_id"].unique().to_list() == ["r1"]
    assert counts["marts.lead_scores"] == pl.read_parquet(served / "parquet" / "lead_scores.parquet").height
