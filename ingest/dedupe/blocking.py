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


def _windowed(records: pl.LazyFrame, key: BlockingKey, block: list[str]) -> pl.LazyFrame:
    """Pairs of records at most `window` apart in the order of the key's `split_by`, within a block."""
    order = [*block, *key.split_by]
    ordered = records.sort(order, nulls_last=True).with_row_index("position")
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


def _key_pairs(lazy: pl.LazyFrame, key: BlockingKey) -> tuple[pl.LazyFrame, pl.LazyFrame | None, pl.LazyFrame]:
    """This key's block pairs, its window pairs (None without a window), and the number of
    its oversized blocks that were skipped."""
    none = pl.LazyFrame({"n": [0]}, schema={"n": pl.UInt32})
    columns, limit = list(key.fields), key.max_block_size
    empty = pl.LazyFrame(schema={"a": pl.UInt32, "b": pl.UInt32})
    if not columns:
        records = lazy.select("idx", *key.split_by).drop_nulls(key.split_by[:1])
        return empty, _windowed(records, key, []), none
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
        return pairs, _windowed(oversized.drop("block_size"), key, columns), none
    return pairs, None, oversized.select(columns).unique().select(n=pl.len())


def _as_index(pairs: pl.LazyFrame) -> pl.LazyFrame:
    return pairs.select(pl.col("a").cast(pl.UInt32), pl.col("b").cast(pl.UInt32))


@dataclass
class Candidates:
    """Distinct (a, b) index pairs with a < b; oversized blocks skipped; per windowed key a hash
    of each record's window neighbours (NULL outside any window).

    A record whose neighbours changed may meet records it never met before, so the next run
    compares its pairs again instead of trusting the memory of the previous one.
    """

    pairs: pl.DataFrame
    oversized_blocks_skipped: int
    window_signatures: pl.DataFrame


def find_candidates(prepared: pl.DataFrame, config: DedupeConfig) -> Candidates:
    lazy = prepared.lazy()
    block_frames, window_frames, oversized_frames = [], {}, []
    for number, key in enumerate(config.blocking_keys):
        pairs, windowed, skipped = _key_pairs(lazy, key)
        block_frames.append(_as_index(pairs))
        if windowed is not None:
            window_frames[number] = _as_index(windowed)
        oversized_frames.append(skipped)
    windows = list(window_frames.values())
    block_pairs, *rest = pl.collect_all(
        [pl.concat(block_frames).unique(), *windows, *oversized_frames]
    )
    collected_windows, oversized = rest[: len(windows)], rest[len(windows):]
    pairs = pl.concat([block_pairs, *collected_windows]).unique().sort("a", "b")
    ids = prepared["record_id"]
    signatures = {}
    for number, windowed in zip(window_frames, collected_windows, strict=True):
        ends = pl.concat([windowed.select(idx="a", other="b"), windowed.select(idx="b", other="a")]).unique()
        ends = ends.with_columns(other=ids.gather(ends["other"]))
        hashed = ends.group_by("idx").agg(signature=pl.col("other").hash().sum())
        column = prepared.select("idx").join(hashed, on="idx", how="left", maintain_order="left")
        signatures[f"window_{number}"] = column["signature"]
    return Candidates(pairs, int(sum(frame["n"][0] for frame in oversized)), pl.DataFrame(signatures))


def candidate_pairs(prepared: pl.DataFrame, config: DedupeConfig) -> tuple[pl.DataFrame, int]:
    """Distinct (a, b) index pairs with a < b, and the number of oversized blocks skipped."""
    found = find_candidates(prepared, config)
    return found.pairs, found.oversized_blocks_skipped
