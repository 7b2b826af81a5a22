"""The matching engine: records in, scored pairs and clusters out. Pure; no warehouse access."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ingest.dedupe.blocking import candidate_pairs
from ingest.dedupe.clustering import MERGING, cluster
from ingest.dedupe.compare import compare_pairs
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.prepare import comparison_frame
from ingest.dedupe.scoring import score_pairs

@dataclass
class MatchResult:
    """Scored pairs (accepted, review, near misses, people's decisions) and one cluster per record."""

    pairs: pl.DataFrame
    clusters: pl.DataFrame
    stats: dict[str, float | int] = field(default_factory=dict)


def _decision_pairs(decisions: pl.DataFrame | None, ids: pl.DataFrame) -> pl.DataFrame:
    """People's decisions as index pairs (a < b); decisions on unknown records are ignored."""
    empty = pl.DataFrame(schema={"a": pl.UInt32, "b": pl.UInt32, "human": pl.String})
    if decisions is None or decisions.height == 0:
        return empty
    lookup = ids.select("idx", pl.col("record_id"))
    latest = decisions.select(
        pl.min_horizontal("record_id_a", "record_id_b").alias("ra"),
        pl.max_horizontal("record_id_a", "record_id_b").alias("rb"),
        pl.col("decision"),
        *([pl.col("decided_at")] if "decided_at" in decisions.columns else [pl.lit(None).alias("decided_at")]),
    ).with_row_index("order").sort("decided_at", "order", nulls_last=False)
    latest = latest.unique(subset=["ra", "rb"], keep="last")
    return (
        latest.join(lookup.rename({"idx": "a", "record_id": "ra"}), on="ra")
        .join(lookup.rename({"idx": "b", "record_id": "rb"}), on="rb")
        .filter(pl.col("a") != pl.col("b"))
        .select("a", "b", human=pl.col("decision"))
    )


def match_records(
    records: pl.DataFrame,
    config: DedupeConfig | None = None,
    *,
    decisions: pl.DataFrame | None = None,
) -> MatchResult:
    """Match any frame with `record_id` plus any subset of canonical columns.

    `decisions` (record_id_a, record_id_b, decision always_merge|never_merge[, decided_at])
    override the engine: the latest decision per pair wins.
    """
    config = config or DedupeConfig.load()
    if "record_id" not in records.columns:
        raise ValueError("match_records needs a record_id column")
    duplicated = records.filter(pl.col("record_id").is_duplicated())
    if duplicated.height:
        sample = duplicated["record_id"].unique().head(5).to_list()
        raise ValueError(f"record_id must be unique; repeated ids include {sample}")
    if records.filter(pl.col("record_id").is_null()).height:
        raise ValueError("record_id must not be NULL")
    started = time.perf_counter()
    records = records.with_columns(pl.col("record_id").cast(pl.String)).sort("record_id")
    n = records.height

    prepared = comparison_frame(records, config)
    candidates, oversized_blocks = candidate_pairs(prepared, config)
    human = _decision_pairs(decisions, prepared)
    candidates = pl.concat([candidates, human.select("a", "b")]).unique().sort("a", "b")

    scored = _score_in_chunks(prepared, candidates, human, config)
    scored = scored.join(human, on=["a", "b"], how="left").with_columns(
        decision=pl.when(pl.col("human") == "always_merge").then(pl.lit("forced_merge"))
        .when(pl.col("human") == "never_merge").then(pl.lit("forced_split"))
        .otherwise(pl.col("decision")),
        rule=pl.when(pl.col("human").is_not_null()).then(pl.lit("decision")).otherwise(pl.col("rule")),
    ).drop("human")

    never = human.filter(pl.col("human") == "never_merge").select("a", "b")
    labels, scored, guarded = cluster(n, scored, never, config)

    ids = prepared["record_id"]
    sim_columns = [c for c in scored.columns if c.startswith("sim_")]
    pairs = scored.with_columns(
        record_id_a=ids.gather(scored["a"]), record_id_b=ids.gather(scored["b"])
    ).select(
        "record_id_a", "record_id_b", "rule", "score", "decision",
        *[pl.col(c).cast(pl.Float64) for c in sim_columns],
    )
    clusters = _cluster_frame(ids, labels, scored)
    sizes = np.bincount(labels)
    stats = {
        "records": n,
        "candidate_pairs": candidates.height,
        "oversized_blocks_skipped": oversized_blocks,
        "auto_merge_pairs": int((scored["decision"] == "auto_merge").sum()),
        "review_pairs": int((scored["decision"] == "review").sum()),
        "size_guard_demoted_pairs": guarded,
        "clusters": int(len(sizes)),
        "largest_cluster": int(sizes.max()) if n else 0,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return MatchResult(pairs=pairs, clusters=clusters, stats=stats)


def _score_in_chunks(
    prepared: pl.DataFrame, candidates: pl.DataFrame, human: pl.DataFrame, config: DedupeConfig
) -> pl.DataFrame:
    """Compare and score candidates a slice at a time, keeping only pairs worth showing.

    Memory then stays bounded by the chunk size, not by the number of candidate pairs.
    """
    decided = human.select("a", "b", keep=pl.lit(True))
    kept: list[pl.DataFrame] = []
    for start in range(0, candidates.height, config.compare_chunk_size):
        chunk = candidates.slice(start, config.compare_chunk_size)
        scored = score_pairs(compare_pairs(prepared, chunk), config)
        scored = scored.with_columns(pl.col(c).cast(pl.Float32) for c in scored.columns if c.startswith("sim_"))
        scored = scored.join(decided, on=["a", "b"], how="left").filter(
            pl.col("keep").fill_null(False)
            | (pl.col("decision") != "keep_separate")
            | (pl.col("score") >= config.near_miss)
        ).drop("keep")
        kept.append(scored)
    if not kept:
        return score_pairs(compare_pairs(prepared, candidates), config)
    return pl.concat(kept)


def _cluster_frame(ids: pl.Series, labels: np.ndarray, scored: pl.DataFrame) -> pl.DataFrame:
    """record_id, cluster_id (smallest record_id of the cluster), and the strongest accepted link."""
    accepted = scored.filter(pl.col("decision").is_in(MERGING)).select("a", "b", "rule", "score")
    ends = pl.concat(
        [accepted.select(idx="a", rule="rule", score="score"), accepted.select(idx="b", rule="rule", score="score")]
    )
    best = ends.sort("score", "rule", descending=[True, False]).unique(subset="idx", keep="first")
    frame = pl.DataFrame({"idx": np.arange(len(ids), dtype=np.uint32), "record_id": ids, "label": labels})
    frame = frame.with_columns(cluster_id=pl.col("record_id").first().over("label", order_by="idx"))
    return (
        frame.join(best, on="idx", how="left")
        .sort("idx")
        .select(
            "record_id",
            "cluster_id",
            match_rule=pl.col("rule").fill_null("singleton"),
            match_score=pl.col("score"),
        )
    )
