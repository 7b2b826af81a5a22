"""Candidate pairs: records that share at least one blocking key.

Each key is a self-join on equal values, so the work grows with block sizes, never with all
pairs. Values shared by more than `max_block_size` records are skipped and counted.
"""

from __future__ import annotations

import polars as pl

from ingest.dedupe.config import DedupeConfig


def candidate_pairs(prepared: pl.DataFrame, config: DedupeConfig) -> tuple[pl.DataFrame, int]:
    """Distinct (a, b) index pairs with a < b, and the number of oversized blocks skipped."""
    lazy = prepared.lazy()
    pair_frames: list[pl.LazyFrame] = []
    oversized_frames: list[pl.LazyFrame] = []
    for key in config.blocking_keys:
        columns, limit = list(key.fields), key.max_block_size
        keyed = (
            lazy.select("idx", *columns)
            .drop_nulls(columns)
            .with_columns(block_size=pl.len().over(columns))
        )
        oversized_frames.append(
            keyed.filter(pl.col("block_size") > limit).select(columns).unique().select(n=pl.len())
        )
        usable = keyed.filter(pl.col("block_size").is_between(2, limit)).drop("block_size")
        pair_frames.append(
            usable.join(usable, on=columns, suffix="_b")
            .filter(pl.col("idx") < pl.col("idx_b"))
            .select(a=pl.col("idx"), b=pl.col("idx_b"))
        )
    pairs, *oversized = pl.collect_all(
        [pl.concat(pair_frames).unique().sort("a", "b"), *oversized_frames]
    )
    return pairs, int(sum(frame["n"][0] for frame in oversized))
