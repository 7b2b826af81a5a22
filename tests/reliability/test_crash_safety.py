"""A refresh killed with SIGKILL (during ingestion, dbt or publish) and run again gives what a clean run gives."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .warehouse_digest import table_digests

pytestmark = pytest.mark.slow

PEOPLE = 300
SEED = 5
WAREHOUSE_SCHEMAS = ("raw", "quarantine", "audit", "core", "marts")
SERVING_SCHEMAS = ("marts", "meta")
LEADWERK = Path(sys.executable).with_name("leadwerk")
RUN_TIMEOUT_SECONDS = 600


def _environment(root: Path) -> dict[str, str]:
    from ingest.generate import ANCHOR_DATE

    return {
        **os.environ,
        "LEADWERK_DATA_DIR": str(root),
        "LEADWERK_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "LEADWERK_AS_OF": ANCHOR_DATE.isoformat(),
    }


def _run(root: Path, kill_when: re.Pattern | None = None) -> tuple[int, bool]:
    """`leadwerk run` in its own process group; SIGKILL the group when a log line matches."""
    process = subprocess.Popen(
        [str(LEADWERK), "run", "--verbose"], env=_environment(root), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    watchdog = threading.Timer(RUN_TIMEOUT_SECONDS, lambda: os.killpg(process.pid, signal.SIGKILL))
    watchdog.start()
    killed = False
    log = (root.parent / f"run-{'kill' if kill_when else 'clean'}.log").open("a")
    try:
        for line in process.stdout:
            log.write(line)
            if kill_when and not killed and kill_when.search(line):
                os.killpg(process.pid, signal.SIGKILL)
                killed = True
        return process.wait(), killed
    finally:
        watchdog.cancel()
        log.close()


def _run_statuses(root: Path) -> list[str]:
    """Statuses of the data directory's Dagster runs, oldest first."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        return [run.status.value for run in reversed(instance.get_runs())]


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    from ingest.generate import generate_landing

    folder = tmp_path_factory.mktemp("crash_landing") / "landing"
    generate_landing(folder, people=PEOPLE, seed=SEED)
    return folder


def _fresh_data_dir(tmp_path_factory, landing: Path, name: str) -> Path:
    root = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(landing, root / "landing")
    return root


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, landing, dbt_manifest) -> Path:
    root = _fresh_data_dir(tmp_path_factory, landing, "clean")
    code, _ = _run(root)
    assert code == 0, (root.parent / "run-clean.log").read_text()[-3000:]
    return root


@pytest.mark.parametrize(
    ("moment", "kill_when"),
    [
        # Ingestion writes one file per transaction and logs each file once it is committed.
        ("during_ingest_first_kind", re.compile(r"ingested purchased_lists/adressdirekt/adressdirekt_2025-08")),
        ("during_ingest_last_kind", re.compile(r"ingested crm_exports/salesforce/lead_report_2025Q3")),
        ("during_dbt", re.compile(r"\b40 of \d+ (START|OK|PASS)")),
        ("during_publish", re.compile(r"copy marts\.mart_")),
    ],
)
def test_killed_refresh_rerun_matches_a_clean_run(tmp_path_factory, landing, clean_run, moment, kill_when):
    from orchestration.publishing import published_version

    root = _fresh_data_dir(tmp_path_factory, landing, moment)
    code, killed = _run(root, kill_when)
    assert killed and code == -signal.SIGKILL, "the refresh should have been killed mid-way"
    if moment == "during_publish":
        assert published_version(root / "serving") is None, "a half-published copy must never be served"

    code, _ = _run(root)
    assert code == 0, (root.parent / "run-clean.log").read_text()[-3000:]
    assert _run_statuses(root) == ["FAILURE", "SUCCESS"], "the killed run must be marked failed, not left STARTED"

    assert table_digests(root / "warehouse.duckdb", WAREHOUSE_SCHEMAS) == table_digests(
        clean_run / "warehouse.duckdb", WAREHOUSE_SCHEMAS
    )
    assert table_digests(root / "serving" / "leadwerk.duckdb", SERVING_SCHEMAS) == table_digests(
        clean_run / "serving" / "leadwerk.duckdb", SERVING_SCHEMAS
    )
    assert not list((root / "serving").glob(".*.tmp*"))
