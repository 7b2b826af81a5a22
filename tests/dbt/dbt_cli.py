"""Runs the project's dbt CLI against a given warehouse file, the way the orchestration does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"


def run_dbt(args: list[str], warehouse: Path, work_dir: Path, as_of: str) -> subprocess.CompletedProcess:
    """Run `dbt <args>` on `warehouse`; target and logs go to `work_dir`, never into the project."""
    command = [
        str(DBT_EXECUTABLE), *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
        "--vars", json.dumps({"as_of": as_of}),
    ]
    env = {**os.environ, "LEADWERK_WAREHOUSE": str(warehouse), "DBT_USE_COLORS": "false"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result


def read(warehouse: Path, sql: str, params: list | None = None) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, params or []).pl()
