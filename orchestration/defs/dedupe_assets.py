"""Deduplication: stable lead ids, explainable matches and one golden record per person."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.dedupe import build_identity
from orchestration.defs.policies import TRANSIENT_RETRY

DEDUPE_TABLES = {
    "lead_identity": "record_id → lead_id, with the rule and score that put it there.",
    "lead_match_pairs": "Every accepted and near-miss pair with its per-field similarities.",
    "lead_match_review": "Pairs in the review band, waiting for a person's decision.",
    "lead_id_merges": "Lead ids retired by a merge, and the id that survived.",
    "golden_leads": "One row per person; each field names the record it came from.",
}


@dg.multi_asset(
    name="dedupe",
    group_name="dedupe",
    specs=[
        dg.AssetSpec(
            ["core", table],
            description=description,
            deps=[["core", "lead_records"]],
            kinds={"polars", "duckdb"},
        )
        for table, description in DEDUPE_TABLES.items()
    ],
    retry_policy=TRANSIENT_RETRY,
)
def dedupe(warehouse: DuckDBResource):
    with warehouse.get_connection() as conn:
        report = build_identity(conn)
        counts = {
            table: int(conn.execute(f"select count(*) from core.{table}").fetchone()[0])
            for table in DEDUPE_TABLES
        }
    metadata = report.to_metadata()
    for table in DEDUPE_TABLES:
        extra = metadata if table in ("lead_identity", "golden_leads") else {}
        yield dg.MaterializeResult(
            asset_key=["core", table], metadata={**extra, "dagster/row_count": counts[table]}
        )
