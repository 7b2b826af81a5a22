"""Data protection: the privacy tables dbt reads, and the scheduled retention purge."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.privacy import apply_retention, prepare_privacy_schema
from ingest.privacy.compaction import compact_warehouse
from ingest.tables import ART14_NOTICES, GOLDEN_LEADS, OBJECTIONS, POLICY_SETTINGS, PRIVACY_LOG
from ingest.tables import table as declared
from orchestration.defs.table_results import table_results
from orchestration.paths import data_dir, landing_dir, serving_dir, warehouse_path
from orchestration.publishing import load_or_create_salt, publish

PRIVACY_TABLES = {
    ART14_NOTICES: "When purchased-list leads were informed of the data source (Art. 14).",
    OBJECTIONS: "Objections to advertising (Art. 21) by salted hash; they never expire.",
    POLICY_SETTINGS: "Retention and notice periods from ingest/privacy/policy.yaml.",
}


@dg.multi_asset(
    name="privacy_tables",
    group_name="privacy",
    specs=[
        dg.AssetSpec(declared(table).asset_key, description=description, kinds={"duckdb"})
        for table, description in PRIVACY_TABLES.items()
    ],
)
def privacy_tables(warehouse: DuckDBResource):
    with warehouse.get_connection() as conn:
        prepare_privacy_schema(conn)
        yield from table_results(conn, [dg.AssetKey(declared(table).asset_key) for table in PRIVACY_TABLES])


@dg.asset(
    key=["privacy", "retention_purge"],
    group_name="privacy",
    deps=[declared(GOLDEN_LEADS).asset_key, declared(POLICY_SETTINGS).asset_key],
    kinds={"duckdb"},
    description=(
        "Purges leads and landing files past the limits in ingest/privacy/policy.yaml (never "
        "phone-consent proof still required by UWG §7a, never Art. 21 objections), then rewrites "
        f"the warehouse file and republishes the serving copy. Counts go to {PRIVACY_LOG}."
    ),
)
def retention_purge(context: dg.AssetExecutionContext, warehouse: DuckDBResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as conn:
        report = apply_retention(conn, landing_dir=landing_dir())
    if any(report.rows_deleted.values()):
        # Deleted rows leave their bytes in a DuckDB file until it is rewritten.
        compact_warehouse(warehouse_path())
        with warehouse.get_connection() as conn:
            publish(
                conn, serving_dir(), run_id=context.run.run_id, salt=load_or_create_salt(data_dir()),
                keep_previous=False, on_progress=context.log.info,
            )
    return dg.MaterializeResult(metadata=report.to_metadata())


retention_job = dg.define_asset_job(
    "retention",
    selection=dg.AssetSelection.assets(retention_purge),
    description="Enforce the retention limits of ingest/privacy/policy.yaml.",
)

weekly_retention = dg.ScheduleDefinition(
    name="weekly_retention",
    job=retention_job,
    cron_schedule="0 4 * * 0",
    execution_timezone="Europe/Berlin",
    tags={"leadwerk/trigger": "retention_schedule"},
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
