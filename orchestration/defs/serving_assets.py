"""Publishing for BI tools: the marts are copied to data/serving/ and swapped in atomically.

The asset sits downstream of every mart and every blocking check, so a failed check means
it never runs and the last good version keeps being served. The volume gate
(orchestration/publishing/volume_gate.yaml) also keeps the last good version when the new one
is much smaller; the asset then records why as an observation and materializes nothing.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.dbt_assets import leadwerk_dbt_models
from orchestration.paths import data_dir, serving_dir
from orchestration.publishing import load_or_create_salt, publish, published_version
from orchestration.publishing.volume_gate import BLOCKED_METADATA, check_volume, load_volume_rules

MART_KEYS = sorted(key for key in leadwerk_dbt_models.keys if key.path[0] == "marts")
SERVING_KEY = dg.AssetKey(["serving", "leadwerk_duckdb"])


class PublishConfig(dg.Config):
    allow_volume_drop: bool = False
    """Publish even when the volume gate would block (an operator's explicit decision)."""


def mart_counts(conn) -> dict[str, int]:
    """Row count of every table and view in `marts`, keyed like meta.published_version."""
    names = conn.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'marts' order by 1"
    ).fetchall()
    return {
        f"marts.{name}": int(conn.execute(f'select count(*) from marts."{name}"').fetchone()[0])
        for (name,) in names
    }


@dg.asset(
    key=SERVING_KEY,
    group_name="serving",
    deps=MART_KEYS,
    kinds={"duckdb", "parquet"},
    output_required=False,
    description=(
        "The published read-only copy: data/serving/leadwerk.duckdb (marts, bi, meta) and "
        "data/serving/parquet/<mart>.parquet, swapped in only after all blocking checks and "
        "the volume gate passed."
    ),
)
def published_marts(
    context: dg.AssetExecutionContext, config: PublishConfig, warehouse: DuckDBResource
):
    served = published_version(serving_dir())
    with warehouse.get_connection() as conn:
        verdict = check_volume(
            mart_counts(conn),
            served["row_counts"] if served else None,
            load_volume_rules(),
            allow_drop=config.allow_volume_drop,
        )
        if verdict.blocked:
            context.log.warning(f"Publishing blocked by the volume gate: {verdict.message()}")
            context.log_event(
                dg.AssetObservation(
                    asset_key=SERVING_KEY,
                    metadata={
                        BLOCKED_METADATA: verdict.message(),
                        "served_run_id": served["run_id"] if served else "",
                    },
                )
            )
            return
        if verdict.overridden:
            context.log.warning(f"Volume gate overridden by the operator: {verdict.message()}")
        result = publish(
            conn,
            serving_dir(),
            run_id=context.run.run_id,
            salt=load_or_create_salt(data_dir()),
            on_progress=context.log.info,
        )
    yield dg.MaterializeResult(
        metadata={**result.to_metadata(), "volume_gate_overridden": verdict.message() if verdict.overridden else ""}
    )
