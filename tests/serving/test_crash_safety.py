"""A refresh killed with SIGKILL mid-publish never shows BI a half-written version, and the rerun
gives exactly what a clean run gives."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.publishing import publish, published_version, serving_fingerprint

from .serving_contents import serving_contents
from .settings import SALT
from .synthetic_warehouse import make_warehouse

TESTS_DIR = Path(__file__).resolve().parents[1]
FIRST_AT = datetime(2026, 11, 22, 4, 0)
SECOND_AT = datetime(2026, 11, 23, 4, 0)
BEFORE_THE_SWAP = [
    "bi bi.lead_scores", "bi file", "full file", "copy marts.touch_events", "parquet bi.funnel", "swap in duckdb files",
]
BETWEEN_THE_SWAPS = "swap in parquet link"


def _start_publisher(warehouse: Path, serving_dir: Path, steps: Path, kill_at: str = "-") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), str(TESTS_DIR.parent)])}
    command = [sys.executable, "-m", "serving.crashing_publisher", str(warehouse), str(serving_dir),
               "r2", SECOND_AT.isoformat(), kill_at, str(steps)]
    return subprocess.Popen(command, env=env)


def _steps(steps: Path) -> list[str]:
    return steps.read_text(encoding="utf-8").splitlines() if steps.exists() else []


def _copy(serving_dir: Path, to: Path) -> Path:
    shutil.copytree(serving_dir, to, symlinks=True)
    return to


def _leftovers(serving_dir: Path) -> list[str]:
    return sorted(p.name for p in serving_dir.iterdir() if p.name.endswith((".tmp", ".wal")))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict:
    """r1 published to `served_r1`; the warehouse then rebuilt by run r2, also published cleanly."""
    base = tmp_path_factory.mktemp("crash")
    warehouse = base / "warehouse.duckdb"
    make_warehouse(warehouse, "r1", leads=200, events=5_000)
    with duckdb.connect(str(warehouse)) as conn:
        publish(conn, base / "served_r1", run_id="r1", published_at=FIRST_AT, salt=SALT)
    make_warehouse(warehouse, "r2", leads=250, events=6_000)
    with duckdb.connect(str(warehouse)) as conn:
        publish(conn, base / "clean_r2", run_id="r2", published_at=SECOND_AT, salt=SALT)
    return {
        "base": base, "warehouse": warehouse, "served_r1": base / "served_r1",
        "r1_contents": serving_contents(base / "served_r1"),
        "clean_contents": serving_contents(base / "clean_r2"),
    }


@pytest.fixture(scope="module")
def killed(prepared) -> dict[str, dict]:
    """One refresh per kill point, run side by side, each with its own copy of the warehouse and
    of the r1 serving dir (DuckDB allows one writer per warehouse file)."""
    runs = {}
    for kill_at in [*BEFORE_THE_SWAP, BETWEEN_THE_SWAPS]:
        case = prepared["base"] / f"killed_{kill_at.replace(' ', '_')}"
        case.mkdir()
        warehouse = Path(shutil.copy(prepared["warehouse"], case / "warehouse.duckdb"))
        serving_dir = _copy(prepared["served_r1"], case / "serving")
        before = serving_fingerprint(serving_dir)
        runs[kill_at] = (case, serving_dir, before, _start_publisher(warehouse, serving_dir, case / "steps", kill_at))
    return {
        kill_at: {
            "serving_dir": serving_dir, "before": before, "returncode": publisher.wait(timeout=60),
            "after": serving_fingerprint(serving_dir), "steps": _steps(case / "steps"),
        }
        for kill_at, (case, serving_dir, before, publisher) in runs.items()
    }


@pytest.mark.parametrize("kill_at", BEFORE_THE_SWAP)
def test_refresh_killed_before_the_swap_leaves_the_served_copy_byte_identical(killed, kill_at):
    outcome = killed[kill_at]

    assert outcome["returncode"] == -signal.SIGKILL
    assert outcome["steps"][-1].startswith(kill_at)
    assert outcome["after"] == outcome["before"]


@pytest.mark.parametrize("kill_at", ["bi bi.lead_scores", "swap in duckdb files", BETWEEN_THE_SWAPS])
def test_rerun_after_a_killed_refresh_gives_what_a_clean_run_gives(prepared, killed, kill_at, tmp_path):
    serving_dir = _copy(killed[kill_at]["serving_dir"], tmp_path / "serving")

    with duckdb.connect(str(prepared["warehouse"])) as conn:
        publish(conn, serving_dir, run_id="r2", published_at=SECOND_AT, salt=SALT)

    assert serving_contents(serving_dir) == prepared["clean_contents"]
    assert _leftovers(serving_dir) == []
    assert sorted(p.name for p in (serving_dir / "versions").iterdir() if p.is_dir()) == ["r1", "r2"]


def test_refresh_killed_between_the_swaps_still_serves_whole_versions(prepared, killed):
    """The DuckDB files are already r2, the Parquet link still r1: each is whole and says which."""
    outcome = killed[BETWEEN_THE_SWAPS]
    contents = serving_contents(outcome["serving_dir"])

    assert outcome["returncode"] == -signal.SIGKILL
    assert contents["leadwerk.duckdb"] == prepared["clean_contents"]["leadwerk.duckdb"]
    assert contents["parquet"] == prepared["r1_contents"]["parquet"]


def test_refresh_killed_inside_a_table_copy_leaves_the_served_copy_byte_identical(prepared, tmp_path):
    warehouse = tmp_path / "large.duckdb"
    make_warehouse(warehouse, "r2", leads=250, events=300_000)
    serving_dir = _copy(prepared["served_r1"], tmp_path / "serving")
    before = serving_fingerprint(serving_dir)
    steps = tmp_path / "steps"
    publisher = _start_publisher(warehouse, serving_dir, steps)

    deadline = time.monotonic() + 60
    while _steps(steps)[-1:] != ["copy marts.touch_events"]:
        assert publisher.poll() is None and time.monotonic() < deadline, "publish ended before the copy"
        time.sleep(0.001)
    _wait_until_half_written(serving_dir, publisher)
    publisher.send_signal(signal.SIGKILL)

    assert publisher.wait(timeout=60) == -signal.SIGKILL
    assert _steps(steps)[-1] == "copy marts.touch_events"
    assert serving_fingerprint(serving_dir) == before
    with duckdb.connect(str(warehouse)) as conn:
        publish(conn, serving_dir, run_id="r2", published_at=SECOND_AT, salt=SALT)
    assert published_version(serving_dir)["row_counts"]["marts.touch_events"] == 300_000
    assert _leftovers(serving_dir) == []


def _wait_until_half_written(serving_dir: Path, publisher: subprocess.Popen, at_most: float = 0.2) -> None:
    """Until the temporary file grows (rows of the copy reach the disk), or `at_most` seconds
    into the copy statement, whichever comes first."""
    def size() -> int:
        return sum(p.stat().st_size for p in serving_dir.glob(".leadwerk.duckdb.*.tmp*") if p.exists())

    baseline, started = size(), time.monotonic()
    while size() <= baseline and time.monotonic() - started < at_most:
        assert publisher.poll() is None, "publish ended before the kill"
        time.sleep(0.001)
