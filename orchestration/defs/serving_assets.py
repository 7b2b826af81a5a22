"""Publishing for BI tools: the marts are copied to data/serving/ and swapped in atomically.

The asset sits downstream of every mart and every blocking check, so a failed check means
it never runs and the last good version keeps being served.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.dbt_assets import leadwerk_dbt_models
from orchestration.paths import data_dir, serving_dir
from orchestration.publishing import load_or_create_salt, publish

MART_KEYS = sorted(key for key in leadwerk_dbt_models.keys if key.path[0] == "marts")


@dg.asset(
    key=["serving", "leadwerk_duckdb"],
    group_name="serving",
    deps=MART_KEYS,
    kinds={"duckdb", "parquet"},
    description=(
        "The published read-only copy: data/serving/leadwerk.duckdb (marts, bi, meta) and "
        "data/serving/parquet/<mart>.parquet, swapped in only after all blocking checks passed."
    ),
)
def published_marts(context: dg.AssetExecutionContext, warehouse: DuckDBResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as conn:
        result = publish(
            conn,
            serving_dir(),
            run_id=context.run.run_id,
            salt=load_or_create_salt(data_dir()),
            on_progress=context.log.info,
        )
    return dg.MaterializeResult(metadata=result.to_metadata())
