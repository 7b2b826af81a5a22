"""Clusters from accepted pairs: connected components, with guards against bad chains.

Transitive closure alone lets one wrong link (a shared inbox, a switchboard number) chain
many people together. Two guards stop that: oversized clusters are re-clustered with only
stronger links, and "never merge" decisions by people are honoured even through third records.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ingest.dedupe.config import DedupeConfig

MERGING = ("auto_merge", "forced_merge")


def component_labels(n: int, edges: pl.DataFrame) -> np.ndarray:
    """Component label per record index (0..n-1) for undirected edges a-b."""
    a = edges["a"].to_numpy().astype(np.int64)
    b = edges["b"].to_numpy().astype(np.int64)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _apply_size_guard(n: int, pairs: pl.DataFrame, config: DedupeConfig) -> tuple[pl.DataFrame, int]:
    """Demote weaker links inside oversized clusters to review, step by step."""
    guarded = 0
    for threshold in (*config.guard_thresholds, None):
        labels = component_labels(n, pairs.filter(pl.col("decision").is_in(MERGING)))
        sizes = np.bincount(labels)
        oversized = sizes[labels] > config.max_cluster_size
        if not oversized.any():
            break
        in_big = pl.Series(oversized)
        flags = in_big.gather(pairs["a"]) & in_big.gather(pairs["b"])
        if threshold is None:
            demote = flags & (pairs["decision"] == "auto_merge") & (pairs["rule"] != "crm_id")
        else:
            demote = flags & (pairs["decision"] == "auto_merge") & (pairs["score"] < threshold)
        guarded += int(demote.sum())
        pairs = pairs.with_columns(
            decision=pl.when(demote).then(pl.lit("review")).otherwise(pl.col("decision")),
            rule=pl.when(demote).then(pl.col("rule") + "+size_guard").otherwise(pl.col("rule")),
        )
    return pairs, guarded


def _split_never_merge(n: int, pairs: pl.DataFrame, never: pl.DataFrame) -> pl.DataFrame:
    """Re-link clusters that hold a never-merge pair, strongest links first, skipping any
    link that would join two records people said are different."""
    if never.height == 0:
        return pairs
    labels = component_labels(n, pairs.filter(pl.col("decision").is_in(MERGING)))
    label_of = pl.Series(labels)
    violations = never.filter(label_of.gather(never["a"]) == label_of.gather(never["b"]))
    if violations.height == 0:
        return pairs
    bad_labels = set(label_of.gather(violations["a"]).to_list())
    members = pl.Series(np.isin(labels, list(bad_labels)))
    affected = pairs.with_row_index("pair_row").filter(
        members.gather(pairs["a"]) & pl.col("decision").is_in(MERGING)
    ).sort(pl.col("decision") == "forced_merge", "score", descending=True)
    # Small by construction: only clusters a person has ruled on.
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    forbidden = {(min(a, b), max(a, b)) for a, b in never.iter_rows()}
    groups: dict[int, set[int]] = {}
    rejected: list[int] = []
    for row, a, b in affected.select("pair_row", "a", "b").iter_rows():
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ga, gb = groups.get(ra, {ra}), groups.get(rb, {rb})
        if any((min(x, y), max(x, y)) in forbidden for x in ga for y in gb):
            rejected.append(row)
            continue
        parent[rb] = ra
        groups[ra] = ga | gb
        groups.pop(rb, None)
    if not rejected:
        return pairs
    demote = pl.Series(np.isin(np.arange(pairs.height), rejected))
    return pairs.with_columns(
        decision=pl.when(demote).then(pl.lit("review")).otherwise(pl.col("decision")),
        rule=pl.when(demote).then(pl.col("rule") + "+never_merge_guard").otherwise(pl.col("rule")),
    )


def cluster(n: int, pairs: pl.DataFrame, never: pl.DataFrame, config: DedupeConfig) -> tuple[np.ndarray, pl.DataFrame, int]:
    """Final component labels, the pairs with guard-adjusted decisions, links demoted by the size guard."""
    pairs = _split_never_merge(n, pairs, never)
    pairs, guarded = _apply_size_guard(n, pairs, config)
    labels = component_labels(n, pairs.filter(pl.col("decision").is_in(MERGING)))
    return labels, pairs, guarded
