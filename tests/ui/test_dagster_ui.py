"""What a data engineer sees in the Dagster UI: the pipeline, its checks, and a run from a click."""

import re

import pytest

from .dagster_web import graphql

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PIPELINE_GROUPS = ("ingest", "normalize", "dedupe", "marts", "serving")
RUN_TIMEOUT_MS = 300_000


def _dismiss_first_visit_prompt(page) -> None:
    """A fresh Dagster instance greets the first visitor with a community prompt."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=5_000)
    except Exception:
        return
    skip.click()


def test_asset_graph_shows_every_pipeline_group(dagster_ui, page):
    page.goto(f"{dagster_ui}/asset-groups")
    _dismiss_first_visit_prompt(page)
    for group in PIPELINE_GROUPS:
        page.get_by_text(group, exact=True).first.wait_for(timeout=60_000)


def test_quality_suite_is_listed_as_an_asset_check(dagster_ui, page):
    page.goto(f"{dagster_ui}/assets/core/lead_records?view=checks")
    _dismiss_first_visit_prompt(page)
    page.get_by_text("gx_lead_records").first.wait_for(timeout=60_000)


RUN_IDS = "{ runsOrError { ... on Runs { results { runId } } } }"


def _run_ids(url: str) -> set[str]:
    return {run["runId"] for run in graphql(url, RUN_IDS)["data"]["runsOrError"]["results"]}


def _wait_for_new_run(url: str, known: set[str], page) -> str:
    for _ in range(60):
        new = _run_ids(url) - known
        if new:
            return new.pop()
        page.wait_for_timeout(1_000)
    raise AssertionError("clicking Materialize launched no run")


def test_materializing_an_asset_from_the_ui_succeeds(dagster_ui, page):
    page.goto(f"{dagster_ui}/assets/raw/crm_records")
    _dismiss_first_visit_prompt(page)
    known = _run_ids(dagster_ui)
    page.get_by_role("button").filter(has_text=re.compile(r"^\s*Materialize\s*$")).first.click(timeout=60_000)
    run_id = _wait_for_new_run(dagster_ui, known, page)
    page.goto(f"{dagster_ui}/runs/{run_id}")
    page.get_by_text("Success", exact=True).first.wait_for(timeout=RUN_TIMEOUT_MS)
    status = graphql(
        dagster_ui,
        "query($id: ID!) { runOrError(runId: $id) { ... on Run { status assetSelection { path } } } }",
        {"id": run_id},
    )["data"]["runOrError"]
    assert status["status"] == "SUCCESS"
    assert {"path": ["raw", "crm_records"]} in status["assetSelection"]
