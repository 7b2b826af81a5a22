"""marts.*: scores in range, ratings and stages in their sets, funnels that only narrow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from quality.specs import Batch, expectation
from quality.suites._sql import quote_ident

SCORES_TABLE = "marts.mart_lead_scores"
FUNNEL_TABLE = "marts.mart_funnel"
TABLES = (SCORES_TABLE, FUNNEL_TABLE)
FUNNEL_KEY = ("first_touch_month", "source_kind", "source_system", "channel", "segment")


def batches(conn: duckdb.DuckDBPyConnection, cfg: dict[str, Any], now: datetime) -> list[Batch]:
    return [_scores_batch(cfg), _funnel_batch(cfg)]


def _scores_batch(cfg: dict[str, Any]) -> Batch:
    rules = cfg["expectations"]
    ranges = rules["scores_in_range"]["ranges"]
    sets = {"rating": "rating_allowed", "lifecycle_stage": "lifecycle_stage_allowed",
            "funnel_stage": "funnel_stage_allowed"}
    columns = ["lead_id", *ranges, *sets]
    sql = f"select {', '.join(quote_ident(c) for c in columns)} from {SCORES_TABLE}"
    specs = [
        expectation(cfg, "scores_in_range", "ExpectColumnValuesToBeBetween", name=f"scores_in_range.{column}",
                    column=column, min_value=low, max_value=high)
        for column, (low, high) in ranges.items()
    ]
    specs += [
        expectation(cfg, rule, "ExpectColumnValuesToBeInSet", column=column, value_set=list(rules[rule]["values"]))
        for column, rule in sets.items()
    ]
    return Batch(name="lead_scores", sql=sql, id_column="lead_id", expectations=specs, tables=(SCORES_TABLE,))


def _funnel_batch(cfg: dict[str, Any]) -> Batch:
    stages = cfg["expectations"]["funnel_non_increasing"]["stages"]
    key = " || '|' || ".join(f"coalesce({quote_ident(c)}::varchar, '')" for c in FUNNEL_KEY)
    sql = f"select {key} as funnel_row, {', '.join(quote_ident(s) for s in stages)} from {FUNNEL_TABLE}"
    specs = [
        expectation(cfg, "funnel_non_increasing", "ExpectColumnPairValuesAToBeGreaterThanB",
                    name=f"funnel_non_increasing.{earlier}>={later}", column_A=earlier, column_B=later,
                    or_equal=True)
        for earlier, later in zip(stages, stages[1:], strict=False)
    ]
    return Batch(name="funnel", sql=sql, id_column="funnel_row", expectations=specs, tables=(FUNNEL_TABLE,))
