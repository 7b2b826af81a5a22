"""Candidate pairs: records that share at least one blocking key.

Each key is a self-join on equal values, so the work grows with block sizes, never with all
pairs. A block above its `max_block_size` (a common surname in a big city) is not dropped but
split: sorted by a second key, each of its records meets its `window` nearest neighbours. A key
with a window and no fields is a sorted neighbourhood over all records (typos late in a name
still sort close together). Both keep the work linear in the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingest.dedupe.config import BlockingKey, DedupeConfig


def _ordered(records: pl.LazyFrame, key: BlockingKey, block: list[str]) -> pl.LazyFrame:
    """Records in the order of the key's windows, with their `rank` in it. Ties keep record
    order (idx follows record_id), so a new record never moves two others closer together."""
    return records.sort([*block, *key.split_by, "idx"], nulls_last=True).with_row_index("rank")


def _windowed(ordered: pl.LazyFrame, key: BlockingKey, block: list[str]) -> pl.LazyFrame:
    """Pairs of records at most `window` apart in the order of the key's `split_by`, within a block."""
    frames = []
    for distance in range(1, key.window + 1):
        shifted = [pl.col(c).shift(-distance).alias(f"{c}_next") for c in ("idx", *block)]
        same_block = pl.all_horizontal(pl.col(c) == pl.col(f"{c}_next") for c in block) if block else pl.lit(True)
        frames.append(
            ordered.with_columns(shifted)
            .filter(pl.col("idx_next").is_not_null() & same_block)
            .select(a=pl.min_horizontal("idx", "idx_next"), b=pl.max_horizontal("idx", "idx_next"))
        )
    return pl.concat(frames)


def _key_pairs(
    lazy: pl.LazyFrame, key: BlockingKey
) -> tuple[pl.LazyFrame, tuple[pl.LazyFrame, pl.LazyFrame] | None, pl.LazyFrame]:
    """This key's block pairs, its window pairs and ranks (None without a window), and the
    number of its oversized blocks that were skipped."""
    none = pl.LazyFrame({"n": [0]}, schema={"n": pl.UInt32})
    columns, limit = list(key.fields), key.max_block_size
    empty = pl.LazyFrame(schema={"a": pl.UInt32, "b": pl.UInt32})
    if not columns:
        ordered = _ordered(lazy.select("idx", *key.split_by).drop_nulls(key.split_by[:1]), key, [])
        return empty, (_windowed(ordered, key, []), ordered.select("idx", "rank")), none
    keyed = (
        lazy.select("idx", *columns, *[c for c in key.split_by if c not in columns])
        .drop_nulls(columns)
        .with_columns(block_size=pl.len().over(columns))
    )
    oversized = keyed.filter(pl.col("block_size") > limit)
    usable = keyed.filter(pl.col("block_size").is_between(2, limit)).select("idx", *columns)
    pairs = (
        usable.join(usable, on=columns, suffix="_b")
        .filter(pl.col("idx") < pl.col("idx_b"))
        .select(a=pl.col("idx"), b=pl.col("idx_b"))
    )
    if key.window and key.split_by:
        ordered = _ordered(oversized.drop("block_size"), key, columns)
        return pairs, (_windowed(ordered, key, columns), ordered.select("idx", "rank")), none
    return pairs, None, oversized.select(columns).unique().select(n=pl.len())


def _as_index(pairs: pl.LazyFrame) -> pl.LazyFrame:
    return pairs.select(pl.col("a").cast(pl.UInt32), pl.col("b").cast(pl.UInt32))


@dataclass
class Candidates:
    """Distinct (a, b) index pairs with a < b; oversized blocks skipped; per windowed key each
    record's rank in the key's order (`window_<n>`, NULL outside any window).

    With the ranks, the next run knows which records were near a record that changed or left:
    those may now meet records they never met before, so their pairs are compared again.
    """

    pairs: pl.DataFrame
    oversized_blocks_skipped: int
    window_ranks: pl.DataFrame


def find_candidates(prepared: pl.DataFrame, config: DedupeConfig) -> Candidates:
    lazy = prepared.lazy()
    block_frames, window_frames, rank_frames, oversized_frames = [], [], {}, []
    for number, key in enumerate(config.blocking_keys):
        pairs, windowed, skipped = _key_pairs(lazy, key)
        block_frames.append(_as_index(pairs))
        if windowed is not None:
            window_frames.append(_as_index(windowed[0]))
            rank_frames[f"window_{number}"] = windowed[1]
        oversized_frames.append(skipped)
    pairs, *rest = pl.collect_all(
        [pl.concat([*block_frames, *window_frames]).unique().sort("a", "b"), *rank_frames.values(), *oversized_frames]
    )
    ranks, oversized = rest[: len(rank_frames)], rest[len(rank_frames):]
    index = prepared.select("idx")
    window_ranks = pl.DataFrame({
        name: index.join(frame, on="idx", how="left", maintain_order="left")["rank"].cast(pl.UInt32)
        for name, frame in zip(rank_frames, ranks, strict=True)
    })
    return Candidates(pairs, int(sum(frame["n"][0] for frame in oversized)), window_ranks)


def candidate_pairs(prepared: pl.DataFrame, config: DedupeConfig) -> tuple[pl.DataFrame, int]:
    """Distinct (a, b) index pairs with a < b, and the number of oversized blocks skipped."""
    found = find_candidates(prepared, config)
    return found.pairs, found.oversized_blocks_skipped
