"""What a data engineer sees in the Dagster UI: the pipeline, its checks, and a run from a click."""

import re

import pytest

from .dagster_web import graphql

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PIPELINE_GROUPS = ("ingest", "normalize", "dedupe", "marts", "serving")
RUN_TIMEOUT_MS = 180_000


def test_asset_graph_shows_every_pipeline_group(dagster_ui, page):
    page.goto(f"{dagster_ui}/asset-groups")
    for group in PIPELINE_GROUPS:
        page.get_by_text(group, exact=True).first.wait_for(timeout=60_000)


def test_quality_suite_is_listed_as_an_asset_check(dagster_ui, page):
    page.goto(f"{dagster_ui}/assets/core/lead_records?view=checks")
    page.get_by_text("gx_lead_records").first.wait_for(timeout=60_000)


def test_materializing_an_asset_from_the_ui_succeeds(dagster_ui, page):
    page.goto(f"{dagster_ui}/assets/raw/crm_records")
    page.get_by_role("button", name=re.compile(r"^Materialize")).first.click(timeout=60_000)
    page.get_by_role("link", name=re.compile("View")).first.click(timeout=60_000)
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]+"), timeout=60_000)
    run_id = page.url.rstrip("/").split("/runs/")[1].split("?")[0]
    page.get_by_text("Success", exact=True).first.wait_for(timeout=RUN_TIMEOUT_MS)
    status = graphql(
        dagster_ui,
        "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
        {"id": run_id},
    )["data"]["runOrError"]["status"]
    assert status == "SUCCESS"
