"""Raw ingestion: one asset per source kind, reading every landing file not yet ingested.

The three kinds are one subsettable multi-asset because they share the bookkeeping tables
`audit.file_registry` (one row per file version, reconciled) and `quarantine.rows`.
"""

from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.privacy import suppression_filter
from ingest.raw import ingest_source_kind, report_stray_files
from ingest.tables import FILE_REGISTRY as FILE_REGISTRY_TABLE
from ingest.tables import QUARANTINE_ROWS, table
from ingest.tables import RAW_TABLES as RAW_TABLES_BY_KIND
from orchestration.defs.policies import TRANSIENT_RETRY
from orchestration.defs.table_results import table_results
from orchestration.paths import data_dir, landing_dir
from orchestration.publishing import load_or_create_salt

RAW_TABLES = {kind: table(name).name for kind, name in RAW_TABLES_BY_KIND.items()}
FILE_REGISTRY = dg.AssetKey(table(FILE_REGISTRY_TABLE).asset_key)
QUARANTINE = dg.AssetKey(table(QUARANTINE_ROWS).asset_key)


@dg.multi_asset(
    name="ingest_landing_files",
    group_name="ingest",
    can_subset=True,
    specs=[
        *(
            dg.AssetSpec(
                ["raw", table],
                description=(
                    f"Append-only `raw.{table}`: every {kind.replace('_', ' ')} landing file, parsed "
                    "with its contract (ingest/contracts/), with lineage columns."
                ),
                kinds={"polars", "duckdb"},
                skippable=True,
            )
            for kind, table in RAW_TABLES.items()
        ),
        dg.AssetSpec(
            FILE_REGISTRY,
            description="One row per landing file version: rows read = loaded + quarantined + suppressed.",
            kinds={"duckdb"},
            skippable=True,
        ),
        dg.AssetSpec(
            QUARANTINE,
            description="Every rejected row with file, row number, original text and reason.",
            kinds={"duckdb"},
            skippable=True,
        ),
    ],
    retry_policy=TRANSIENT_RETRY,
)
def ingest_landing_files(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    selected = context.selected_asset_keys
    kinds = [kind for kind, table in RAW_TABLES.items() if dg.AssetKey(["raw", table]) in selected]
    with warehouse.get_connection() as conn:
        # Erased and opted-out-everywhere people are dropped at the door (counted as suppressed).
        is_suppressed = suppression_filter(conn, load_or_create_salt(data_dir()))
        reports = {
            kind: ingest_source_kind(
                conn, landing_dir(), kind, batch_id=context.run.run_id, is_suppressed=is_suppressed,
                progress=lambda f: context.log.info(
                    f"ingested {f.source_file}: {f.status}{f' ({f.note})' if f.note else ''}, "
                    f"{f.rows_read} read, {f.rows_loaded} loaded, {f.rows_quarantined} quarantined, "
                    f"{f.rows_suppressed} suppressed"
                ),
            )
            for kind in kinds
        }
        strays = report_stray_files(
            conn, landing_dir(), batch_id=context.run.run_id, at=datetime.now(UTC).replace(tzinfo=None)
        )
        for report in reports.values():
            for stats in report.files:
                if stats.status == "rejected":
                    context.log.warning(f"{stats.source_file} rejected whole ({stats.note})")
        for source_file in strays:
            context.log.warning(f"{source_file} is outside the source folders: not read")
        yield from table_results(
            conn,
            sorted(selected, key=lambda key: key.path),
            {
                **{f"raw.{RAW_TABLES[kind]}": report.to_metadata() for kind, report in reports.items()},
                FILE_REGISTRY_TABLE: {"files_outside_source_folders": strays},
            },
        )
