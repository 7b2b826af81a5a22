"""Stable lead ids: a person keeps their lead_id across runs, whatever the clustering does.

- a cluster that holds records of one earlier lead keeps that lead's id (new records join it);
- a cluster that holds several earlier leads keeps the oldest id; the others are retired;
- an earlier lead whose records now sit in several clusters (an unmerge) stays with the
  cluster holding most of its records; the other parts get new ids;
- a cluster with no earlier lead gets "L" + 12 hex characters derived from its smallest
  record_id, so identical runs mint identical ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from ingest.hashing import sha256_hex
from ingest.tables import LEAD_ID_MERGES, LEAD_IDENTITY, table

IDENTITY_SCHEMA = table(LEAD_IDENTITY).polars_schema()
MERGES_SCHEMA = table(LEAD_ID_MERGES).polars_schema()


@dataclass
class IdentityAssignment:
    identity: pl.DataFrame
    merges: pl.DataFrame  # the full history: earlier rows plus this run's
    new_merges: int
    new_splits: int
    new_leads: int


def _lead_ids(seeds: pl.Series) -> pl.Series:
    return ("L" + sha256_hex(seeds).str.slice(0, 12)).alias("lead_id")


def _found_in(values: pl.Series, universe: pl.Series) -> pl.Series:
    """values.is_in(universe), hashing whichever side is smaller (new ids vs. every id ever)."""
    if universe.len() > values.len():
        universe = universe.filter(universe.is_in(values.implode()))
    return values.is_in(universe.implode())


def _mint(cluster_ids: pl.Series, used: pl.Series) -> pl.Series:
    """Deterministic ids for new clusters (in the given order), stepping past any id used before.

    A cluster whose id was issued before (a part split off a lead keeps the smallest record id
    it had), or clashes with an earlier cluster's, tries "<seed>#1", then "<seed>#2", ...
    """
    minted = _lead_ids(cluster_ids)
    pending = _found_in(minted, used) | ~minted.is_first_distinct()
    attempt = 0
    while pending.any():
        attempt += 1
        retry = _lead_ids(cluster_ids.filter(pending) + f"#{attempt}")
        settled = pl.concat([used, minted.filter(~pending)])
        free = ~_found_in(retry, settled) & retry.is_first_distinct()
        positions = pending.arg_true().filter(free)
        minted = minted.scatter(positions, retry.filter(free))
        pending = pending.scatter(positions, False)
    return minted


def assign_lead_ids(
    clusters: pl.DataFrame,
    previous: pl.DataFrame | None,
    previous_merges: pl.DataFrame | None,
    now: datetime,
) -> IdentityAssignment:
    """Turn this run's clusters (record_id, cluster_id, match_rule, match_score) into lead ids."""
    previous = previous if previous is not None else pl.DataFrame(schema=IDENTITY_SCHEMA)
    previous_merges = previous_merges if previous_merges is not None else pl.DataFrame(schema=MERGES_SCHEMA)
    now_value = pl.lit(now, dtype=pl.Datetime("us"))
    before = previous.select(
        "record_id", old_lead=pl.col("lead_id"), old_assigned_at=pl.col("assigned_at").cast(pl.Datetime("us"))
    )
    current = clusters.join(before, on="record_id", how="left")

    lead_age = before.group_by("old_lead").agg(born=pl.col("old_assigned_at").min())
    claims = (
        current.filter(pl.col("old_lead").is_not_null())
        .group_by("cluster_id", "old_lead")
        .agg(records=pl.len())
        .join(lead_age, on="old_lead", how="left")
    )
    # Where each earlier lead lives now: the cluster with most of its records.
    homes = claims.sort(["old_lead", "records", "cluster_id"], descending=[False, True, False]).unique(
        subset="old_lead", keep="first"
    )
    # Per cluster, the oldest earlier lead at home there survives.
    survivors = homes.sort(["cluster_id", "born", "old_lead"], nulls_last=True).unique(
        subset="cluster_id", keep="first"
    ).select("cluster_id", survivor=pl.col("old_lead"))
    retired = homes.join(survivors, on="cluster_id").filter(pl.col("old_lead") != pl.col("survivor"))
    split_parts = claims.join(homes.select("old_lead", home=pl.col("cluster_id")), on="old_lead").filter(
        pl.col("cluster_id") != pl.col("home")
    )

    cluster_ids = clusters.select("cluster_id").unique().join(survivors, on="cluster_id", how="left")
    fresh = cluster_ids.filter(pl.col("survivor").is_null()).sort("cluster_id")
    used = pl.concat([previous["lead_id"], previous_merges["retired_lead_id"]])
    fresh = fresh.with_columns(survivor=_mint(fresh["cluster_id"], used))
    lead_of_cluster = pl.concat([cluster_ids.filter(pl.col("survivor").is_not_null()), fresh])

    identity = (
        current.join(lead_of_cluster, on="cluster_id", how="left")
        .select(
            "record_id",
            lead_id=pl.col("survivor"),
            match_rule=pl.col("match_rule"),
            match_score=pl.col("match_score").cast(pl.Float64),
            assigned_at=pl.when(pl.col("old_lead") == pl.col("survivor"))
            .then(pl.col("old_assigned_at"))
            .otherwise(now_value),
        )
        .sort("record_id")
    )
    merge_rows = retired.select(
        retired_lead_id=pl.col("old_lead"), surviving_lead_id=pl.col("survivor"),
        merged_at=now_value, reason=pl.lit("merge"),
    )
    split_rows = split_parts.join(lead_of_cluster, on="cluster_id").select(
        retired_lead_id=pl.col("old_lead"), surviving_lead_id=pl.col("survivor"),
        merged_at=now_value, reason=pl.lit("split"),
    )
    history = pl.concat(
        [previous_merges.select(list(MERGES_SCHEMA)).cast(MERGES_SCHEMA), merge_rows, split_rows]
    ).sort("merged_at", "retired_lead_id", "surviving_lead_id")
    return IdentityAssignment(
        identity=identity,
        merges=history,
        new_merges=merge_rows.height,
        new_splits=split_rows.height,
        new_leads=fresh.height,
    )
