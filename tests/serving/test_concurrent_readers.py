"""Readers are never broken: BI queries keep running, and stay consistent, while we publish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.publishing import publish, published_version

from .settings import SALT
from .synthetic_warehouse import build_marts

TESTS_DIR = Path(__file__).resolve().parents[1]
DUCKDB_READERS = 2
PARQUET_READERS = 1


def _start_reader(kind: str, target: Path, stop_file: Path, progress_file: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), str(TESTS_DIR.parent)])}
    return subprocess.Popen(
        [sys.executable, "-m", "serving.readers", kind, str(target), str(stop_file), str(progress_file)],
        env=env, stdout=subprocess.PIPE, text=True,
    )


def _iterations(progress_file: Path) -> int:
    try:
        return int(progress_file.read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _wait_for_iterations(progress_files: list[Path], minimum: list[int], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while any(_iterations(p) < m for p, m in zip(progress_files, minimum)):
        assert time.monotonic() < deadline, "readers stopped making progress"
        time.sleep(0.01)


def test_readers_see_one_complete_version_per_query_set_while_two_refreshes_publish(data_dir, serving_dir, tmp_path):
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as warehouse:
        build_marts(warehouse, "r0", leads=200, events=5_000)
        publish(warehouse, serving_dir, run_id="r0", salt=SALT)

        stop_file = tmp_path / "stop"
        kinds = [("duckdb", serving_dir / "leadwerk.duckdb")] * DUCKDB_READERS
        kinds += [("parquet", serving_dir)] * PARQUET_READERS
        progress = [tmp_path / f"reader{n}.progress" for n in range(len(kinds))]
        readers = [_start_reader(kind, target, stop_file, p) for (kind, target), p in zip(kinds, progress)]
        try:
            _wait_for_iterations(progress, [1] * len(readers))
            for n, run_id in enumerate(("r1", "r2"), start=1):
                build_marts(warehouse, run_id, leads=200 + 50 * n, events=5_000 + 1_000 * n)
                publish(warehouse, serving_dir, run_id=run_id, salt=SALT)
            # two more iterations each: the second one started after the last swap
            _wait_for_iterations(progress, [_iterations(p) + 2 for p in progress])
        finally:
            stop_file.touch()
            reports = [json.loads(reader.communicate(timeout=60)[0]) for reader in readers]

    assert published_version(serving_dir)["run_id"] == "r2"
    assert [r["errors"] for r in reports] == [[] for _ in reports]
    assert sum(r["failures"] for r in reports) == 0
    assert sum(r["inconsistent"] for r in reports) == 0
    assert all(r["versions_seen"][0] == "r0" and r["versions_seen"][-1] == "r2" for r in reports)
    assert all(r["versions_seen"] == sorted(r["versions_seen"]) for r in reports)
