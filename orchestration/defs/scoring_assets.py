"""The learned conversion model: trained after dedupe and before dbt, checked after the marts."""

from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.tables import CONVERSION_MODEL, LEAD_CONVERSION_SCORES, LEAD_IDENTITY, LEAD_RECORDS
from ingest.tables import table as declared
from orchestration.defs.policies import TRANSIENT_RETRY
from orchestration.defs.table_results import table_results
from orchestration.score_report import learned_vs_rule_auc
from scoring import load_settings, train_and_score

SCORING_TABLES = {
    LEAD_CONVERSION_SCORES: "Per lead: learned conversion probability (out-of-fold when the model "
    "learned from the lead), its top features in plain words.",
    CONVERSION_MODEL: "The conversion model as data: coefficient and lead counts per feature level.",
}


@dg.multi_asset(
    name="conversion_model",
    group_name="scoring",
    specs=[
        dg.AssetSpec(
            declared(table).asset_key,
            description=description,
            deps=[declared(LEAD_RECORDS).asset_key, declared(LEAD_IDENTITY).asset_key],
            kinds={"numpy", "duckdb"},
        )
        for table, description in SCORING_TABLES.items()
    ],
    retry_policy=TRANSIENT_RETRY,
)
def conversion_model(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    try:
        settings = load_settings()
    except (OSError, ValueError) as error:  # a settings file to fix: retrying cannot help
        raise dg.Failure(description=str(error), allow_retries=False) from None
    with warehouse.get_connection() as conn:
        try:
            report = train_and_score(conn, settings, datetime.now(UTC).replace(tzinfo=None))
        except ValueError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
        context.log.info(report.message)
        model = conn.execute(
            f"""
            select feature, level, round(coefficient, 3) as coefficient, leads, decided_leads, converted_leads
            from {CONVERSION_MODEL} order by feature = '(intercept)' desc, feature, level_order
            """
        ).fetchall()
        table = "\n".join(
            ["| feature | level | coefficient | leads | decided | converted |", "|---|---|---|---|---|---|"]
            + [f"| {' | '.join('' if v is None else str(v) for v in row)} |" for row in model]
        )
        metadata = {**report.to_metadata(), "model": dg.MetadataValue.md(table)}
        yield from table_results(
            conn,
            [dg.AssetKey(declared(name).asset_key) for name in SCORING_TABLES],
            {CONVERSION_MODEL: metadata, LEAD_CONVERSION_SCORES: report.to_metadata()},
        )


@dg.asset_check(
    asset=dg.AssetKey(["marts", "mart_score_calibration"]),
    name="learned_model_beats_rule_score",
    blocking=False,
    description="Warns when the learned probability ranks decided leads worse (lower AUC) than the rule lead score.",
)
def learned_model_beats_rule_score(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as conn:
        learned, rule = learned_vs_rule_auc(conn)
    metadata = {"learned_auc": learned, "rule_auc": rule}
    if learned is None or rule is None:
        return dg.AssetCheckResult(
            passed=True, severity=dg.AssetCheckSeverity.WARN,
            metadata={**metadata, "note": "nothing to compare: the model is not trained or no outcome is decided"},
        )
    return dg.AssetCheckResult(passed=learned >= rule, severity=dg.AssetCheckSeverity.WARN, metadata=metadata)
