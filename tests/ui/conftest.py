"""A real `dagster dev` (webserver + daemon) on localhost, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .dagster_web import graphql, location_load_error

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "ui"
SAMPLE_FILE = (
    REPO_ROOT / "tests" / "ingest_raw" / "fixtures" / "landing" / "crm_exports" / "salesforce"
    / "salesforce_leads_api_2025-03-06.csv"
)
STARTUP_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _asset_count(url: str) -> int:
    try:
        return len(graphql(url, "{ assetNodes { id } }")["data"]["assetNodes"])
    except Exception:
        return 0


def _load_error(url: str) -> str | None:
    try:
        return location_load_error(url)
    except Exception:
        return None


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("no browser: Debian's chromium is not installed (.ci/run installs it with apt-get)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def dagster_ui(tmp_path_factory, dbt_manifest, browser) -> str:
    """Starts `dagster dev` for the project on a free localhost port with a one-file landing folder."""
    root = tmp_path_factory.mktemp("ui") / "data"
    landing = root / "landing" / "crm_exports" / "salesforce"
    landing.mkdir(parents=True)
    shutil.copy(SAMPLE_FILE, landing / SAMPLE_FILE.name)
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "LEADWERK_DATA_DIR": str(root),
        "LEADWERK_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(home),
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "dagster_dev.log", "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster")), "dev", "-m", "orchestration.definitions",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while _asset_count(url) == 0:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dagster dev did not serve the project; see {ARTIFACTS / 'dagster_dev.log'}")
            error = _load_error(url)
            if error:
                pytest.fail(f"the code location failed to load in dagster dev: {error}")
            time.sleep(2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    opened = context.new_page()
    yield opened
    opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
