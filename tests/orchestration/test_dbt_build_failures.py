"""A failed dbt model or data test is a finding: the step fails without retries."""

import dagster as dg
import pytest


class _FinishedInvocation:
    """What the dbt asset reads from a finished `dbt build`: run results and the exit error."""

    def __init__(self, results):
        self._results = results

    def get_artifact(self, name):
        assert name == "run_results.json"
        return {"results": self._results}

    def get_error(self):
        return RuntimeError("dbt exited with code 2")


@pytest.fixture(scope="module")
def build_failure(dbt_manifest):
    from orchestration.defs.dbt_assets import _build_failure

    return _build_failure


def test_failed_data_test_fails_the_step_without_retries(build_failure):
    failure = build_failure(_FinishedInvocation([
        {"unique_id": "test.leadwerk.not_null_x", "status": "fail"},
        {"unique_id": "model.leadwerk.mart_funnel", "status": "success"},
    ]))
    assert isinstance(failure, dg.Failure)
    assert failure.allow_retries is False
    assert "test.leadwerk.not_null_x" in failure.description
    assert "mart_funnel" not in failure.description


def test_dbt_failing_before_any_node_keeps_the_retry_policy(build_failure):
    error = build_failure(_FinishedInvocation([]))
    assert not isinstance(error, dg.Failure)
    assert "exited" in str(error)
