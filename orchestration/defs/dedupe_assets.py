"""Deduplication: stable lead ids, explainable matches and one golden record per person."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.dedupe import build_identity
from orchestration.defs.policies import TRANSIENT_RETRY
from orchestration.defs.table_results import table_results

DEDUPE_TABLES = {
    "lead_identity": "record_id → lead_id, with the rule and score that put it there.",
    "lead_match_pairs": "Every accepted and near-miss pair with its per-field similarities and bits of evidence.",
    "lead_match_model": "The match weights learned from this data: bits of evidence per field and comparison level.",
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
        report = build_identity(conn).to_metadata()
        yield from table_results(
            conn,
            [dg.AssetKey(["core", table]) for table in DEDUPE_TABLES],
            {
                "core.lead_identity": report,
                "core.golden_leads": report,
                "core.lead_match_model": {k: v for k, v in report.items() if k.startswith("model_")},
            },
        )
