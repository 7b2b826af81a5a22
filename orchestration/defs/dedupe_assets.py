"""Deduplication: stable lead ids, explainable matches and one golden record per person."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.dedupe import build_identity
from ingest.tables import (
    GOLDEN_LEADS,
    LEAD_ID_MERGES,
    LEAD_IDENTITY,
    LEAD_MATCH_MODEL,
    LEAD_MATCH_PAIRS,
    LEAD_MATCH_REVIEW,
    LEAD_RECORDS,
)
from ingest.tables import table as declared
from orchestration.defs.policies import TRANSIENT_RETRY
from orchestration.defs.table_results import table_results

DEDUPE_TABLES = {
    LEAD_IDENTITY: "record_id → lead_id, with the rule and score that put it there.",
    LEAD_MATCH_PAIRS: "Every accepted and near-miss pair with its per-field similarities and bits of evidence.",
    LEAD_MATCH_MODEL: "The match weights learned from this data: bits of evidence per field and comparison level.",
    LEAD_MATCH_REVIEW: "Pairs in the review band, waiting for a person's decision.",
    LEAD_ID_MERGES: "Lead ids retired by a merge, and the id that survived.",
    GOLDEN_LEADS: "One row per person; each field names the record it came from.",
}


@dg.multi_asset(
    name="dedupe",
    group_name="dedupe",
    specs=[
        dg.AssetSpec(
            declared(table).asset_key,
            description=description,
            deps=[declared(LEAD_RECORDS).asset_key],
            kinds={"polars", "duckdb"},
        )
        for table, description in DEDUPE_TABLES.items()
    ],
    retry_policy=TRANSIENT_RETRY,
)
def dedupe(warehouse: DuckDBResource):
    with warehouse.get_connection() as conn:
        report = build_identity(conn).to_metadata()
        yield from table_results(
            conn,
            [dg.AssetKey(declared(table).asset_key) for table in DEDUPE_TABLES],
            {
                LEAD_IDENTITY: report,
                GOLDEN_LEADS: report,
                LEAD_MATCH_MODEL: {k: v for k, v in report.items() if k.startswith("model_")},
            },
        )
