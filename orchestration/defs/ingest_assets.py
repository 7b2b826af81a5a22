"""Raw ingestion: one asset per source kind, reading every landing file not yet ingested.

The three kinds are one subsettable multi-asset because they share the bookkeeping tables
`audit.file_registry` (one row per file version, reconciled) and `quarantine.rows`.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.privacy import suppression_filter
from ingest.raw import ingest_source_kind
from ingest.warehouse import table_exists
from orchestration.defs.policies import TRANSIENT_RETRY
from orchestration.paths import data_dir, landing_dir
from orchestration.publishing import load_or_create_salt

RAW_TABLES = {
    "purchased_list": "purchased_list_records",
    "web_form": "web_form_submissions",
    "crm_export": "crm_records",
}
FILE_REGISTRY = dg.AssetKey(["audit", "file_registry"])
QUARANTINE = dg.AssetKey(["quarantine", "rows"])


def _row_count(conn, table: str) -> int:
    return int(conn.execute(f"select count(*) from {table}").fetchone()[0]) if table_exists(conn, table) else 0


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
                conn, landing_dir(), kind, batch_id=context.run_id, is_suppressed=is_suppressed
            )
            for kind in kinds
        }
        counts = {
            key: _row_count(conn, ".".join(key.path))
            for key in [*(dg.AssetKey(["raw", t]) for t in RAW_TABLES.values()), FILE_REGISTRY, QUARANTINE]
        }
    for kind, report in reports.items():
        key = dg.AssetKey(["raw", RAW_TABLES[kind]])
        yield dg.MaterializeResult(
            asset_key=key, metadata={**report.to_metadata(), "dagster/row_count": counts[key]}
        )
    for key in (FILE_REGISTRY, QUARANTINE):
        if key in selected:
            yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": counts[key]})
