"""The dbt unit tests (`unit_tests:` in the model YAML) run in every `dbt build` and pass.

They pin the scoring and contactability rules on a handful of hand-written rows each; this
test makes sure the build the orchestration runs really executes them, every one of them.
"""

from __future__ import annotations

import json

import pytest

REQUIRED = {
    "int_lead_fit_points": "test_fit_points_per_rule_and_freemail_counts_against_b2b_only",
    "int_lead_engagement_points": "test_engagement_points_halve_every_half_life_and_future_touchpoints_wait",
    "int_lead_scores": "test_lead_score_blends_capped_points_and_rates_by_thresholds",
    "mart_contactability": "test_contactability_email_needs_express_consent_with_proof",
}


@pytest.fixture(scope="module")
def unit_test_results(built_warehouse) -> dict[str, str]:
    run_results = json.loads((built_warehouse.work_dir / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in run_results["results"] if r["unique_id"].startswith("unit_test.")}


def test_the_build_runs_every_unit_test_and_all_pass(built_warehouse, unit_test_results):
    manifest = json.loads((built_warehouse.work_dir / "target" / "manifest.json").read_text())
    declared = set(manifest["unit_tests"])
    assert declared and set(unit_test_results) == declared
    assert {uid: status for uid, status in unit_test_results.items() if status != "pass"} == {}


@pytest.mark.parametrize(("model", "name"), sorted(REQUIRED.items()))
def test_scoring_and_contactability_rules_have_unit_tests(unit_test_results, model, name):
    assert unit_test_results.get(f"unit_test.leadwerk.{model}.{name}") == "pass"
