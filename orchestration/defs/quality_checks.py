"""Great Expectations suites (quality/) as asset checks on the assets they validate.

Error-severity expectations make a check fail with ERROR, which blocks everything downstream
in the run, publication included. Warn-level failures show as WARN and let the run go on.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.paths import quality_docs_dir
from quality import SUITE_TARGETS, run_suite


def _suite_check(suite: str, table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(table.split(".")),
        name=f"gx_{suite}",
        blocking=True,
        description=f"Great Expectations suite `{suite}` (thresholds in quality/checks.yaml).",
    )
    def _check(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as conn:
            outcome = run_suite(conn, suite, docs_dir=quality_docs_dir())
        failed = [e for e in outcome.expectations if not e.success]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR if not outcome.passed else dg.AssetCheckSeverity.WARN,
            metadata=outcome.to_metadata(),
        )

    return _check


@dg.definitions
def quality_checks() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[_suite_check(suite, table) for suite, table in SUITE_TARGETS.items()]
    )
