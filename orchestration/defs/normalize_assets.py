"""Normalization: raw rows of every source into the canonical lead schema."""

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ingest.normalize import build_core
from ingest.tables import CONSENT_RECORDS, LEAD_RECORDS, TOUCHPOINTS
from ingest.tables import table as declared
from orchestration.defs.ingest_assets import FILE_REGISTRY, RAW_TABLES
from orchestration.defs.policies import TRANSIENT_RETRY
from orchestration.defs.table_results import table_results

CORE_FROM_RAW = {
    LEAD_RECORDS: "One row per source record in the canonical lead schema, with quality flags.",
    CONSENT_RECORDS: "One row per source record, channel and purpose: status, time, method, proof.",
    TOUCHPOINTS: "Every known interaction (form fill, CRM stage, list purchase) per record.",
}


class NormalizeConfig(dg.Config):
    full_rebuild: bool = Field(
        default=False,
        description="Re-normalize every raw row instead of only new landing-file versions "
        "(rules and code changes are detected and rebuild on their own).",
    )


@dg.multi_asset(
    name="normalize",
    group_name="normalize",
    specs=[
        dg.AssetSpec(
            declared(table).asset_key,
            description=description,
            # The registry carries the raw reconciliation check: a failed one stops normalization.
            deps=[*(["raw", raw] for raw in RAW_TABLES.values()), FILE_REGISTRY],
            kinds={"polars", "duckdb"},
        )
        for table, description in CORE_FROM_RAW.items()
    ],
    retry_policy=TRANSIENT_RETRY,
)
def normalize(config: NormalizeConfig, warehouse: DuckDBResource):
    with warehouse.get_connection() as conn:
        report = build_core(conn, full_rebuild=config.full_rebuild)
        yield from table_results(
            conn,
            [dg.AssetKey(declared(table).asset_key) for table in CORE_FROM_RAW],
            {LEAD_RECORDS: report.to_metadata()},
        )
