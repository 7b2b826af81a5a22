"""marts suite: scores in range, ratings and stages in their sets, funnels that only narrow."""

from __future__ import annotations

import pytest
from quality_checks import assert_fails_exactly, ids, run_with_injections, validate


def _corrupt_scores(assignment, k, offset):
    def inject(conn):
        chosen = ids(conn, f"select lead_id from marts.mart_lead_scores order by lead_id limit {k} offset {offset}")
        conn.execute(f"update marts.mart_lead_scores set {assignment} where lead_id in (select unnest(?))", [chosen])
        return chosen
    return inject


def _widening_funnel(conn):
    key = "first_touch_month::varchar || '|' || source_kind || '|' || source_system || '|' || channel || '|' || segment"
    chosen = ids(conn, f"select {key} from marts.mart_funnel order by all limit 2")
    conn.execute(f"update marts.mart_funnel set customers = opportunities + 1 where {key} in (select unnest(?))",
                 [chosen])
    return chosen


BLOCKING = {
    "scores_in_range.lead_score": _corrupt_scores("lead_score = 101", 2, 0),
    "scores_in_range.fit_score": _corrupt_scores("fit_score = -1", 1, 5),
    "rating_allowed": _corrupt_scores("rating = 'lauwarm'", 2, 10),
    "lifecycle_stage_allowed": _corrupt_scores("lifecycle_stage = 'other'", 1, 15),
    "funnel_stage_allowed": _corrupt_scores("funnel_stage = 'middle'", 3, 20),
    "funnel_non_increasing.opportunities>=customers": _widening_funnel,
}


@pytest.fixture(scope="module")
def corrupted(template_path, tmp_path_factory):
    return run_with_injections(template_path, tmp_path_factory.mktemp("marts_bad"), "marts", BLOCKING)


def test_clean_marts_pass(warehouse):
    outcome = validate(warehouse, "marts")
    assert outcome.passed, outcome.failures


@pytest.mark.parametrize(("name", "count"), [
    ("scores_in_range.lead_score", 2),
    ("scores_in_range.fit_score", 1),
    ("rating_allowed", 2),
    ("lifecycle_stage_allowed", 1),
    ("funnel_stage_allowed", 3),
    ("funnel_non_increasing.opportunities>=customers", 2),
])
def test_injected_mart_violation_fails_with_exact_count(corrupted, name, count):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, name, count, injected[name])


def test_missing_mart_fails_clearly(warehouse):
    warehouse.execute("drop table marts.mart_funnel")
    outcome = validate(warehouse, "marts")
    assert not outcome.passed
    assert "marts.mart_funnel" in outcome.outcome("tables_present").exception
