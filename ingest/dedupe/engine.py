"""The matching engine: records in, scored pairs and clusters out. Pure; no warehouse access."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ingest.dedupe.blocking import find_candidates
from ingest.dedupe.clustering import MERGING, cluster
from ingest.dedupe.compare import compare_pairs
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.model import MatchModel, configured_model, fit_model, random_pairs
from ingest.dedupe.prepare import NICKNAMES_PATH, STREET_ABBREVIATIONS_PATH, comparison_frame
from ingest.dedupe.scoring import score_pairs
from ingest.fingerprint import fingerprint


@dataclass
class MatchResult:
    """Scored pairs (accepted, review, near misses, people's decisions) and one cluster per record.

    `inputs` holds a hash of each record's comparison inputs: with the pairs, it lets the next
    run reuse every comparison between records whose inputs did not change (MatchMemory).
    """

    pairs: pl.DataFrame
    clusters: pl.DataFrame
    stats: dict[str, float | int] = field(default_factory=dict)
    inputs: pl.DataFrame | None = None
    model: MatchModel | None = None


@dataclass(frozen=True)
class MatchMemory:
    """A previous run's `inputs` and `pairs`, under the same configuration (memory_fingerprint)."""

    inputs: pl.DataFrame
    pairs: pl.DataFrame


# Bump when a change to the matching code (ingest/dedupe/: preparing, blocking, comparing,
# scoring pairs) changes which pairs match; the next run then forgets its match memory. Edits
# that keep every result (comments, docstrings, speed) leave it alone.
MATCHING_LOGIC_VERSION = 1


def memory_fingerprint(config: DedupeConfig, model: MatchModel | None = None) -> str:
    """sha256 of the configuration, the matching logic version and data files, the Polars
    version (its hashes and string functions decide the inputs) and the match weights: a memory
    only counts under the same one."""
    return fingerprint(
        texts=[repr(config), model.fingerprint() if model is not None and model.fitted else "",
               f"matching logic v{MATCHING_LOGIC_VERSION}"],
        files=[NICKNAMES_PATH, STREET_ABBREVIATIONS_PATH],
        libraries=["polars"],
    )


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
    memory: MatchMemory | None = None,
    model: MatchModel | None = None,
) -> MatchResult:
    """Match any frame with `record_id` plus any subset of canonical columns.

    `decisions` (record_id_a, record_id_b, decision always_merge|never_merge[, decided_at])
    override the engine: the latest decision per pair wins. With `memory`, pairs of records
    whose comparison inputs are unchanged are taken from it instead of compared again; the
    result is the same.

    Without `model`, the match weights are learned from these records (model.py); a given model
    (a previous run's) is used as it is. `memory` only counts under the model it was made with:
    it is ignored when the weights were learned here.
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
    found = find_candidates(prepared, config)
    human = _decision_pairs(decisions, prepared)
    candidates = pl.concat([found.pairs, human.select("a", "b")]).unique().sort("a", "b")
    if model is None:
        model = learn_model(prepared, found.pairs, config)
        if model.fitted:
            memory = None
    learned_at = time.perf_counter()

    inputs = _input_hashes(prepared, config, model).hstack(found.window_ranks)
    if memory is None:
        scored = _score_in_chunks(prepared, candidates, human, config, model)
        compared = candidates.height
    else:
        scored, compared = _score_with_memory(prepared, candidates, human, config, inputs, memory, model)
    scored = scored.join(human, on=["a", "b"], how="left").with_columns(
        decision=pl.when(pl.col("human") == "always_merge").then(pl.lit("forced_merge"))
        .when(pl.col("human") == "never_merge").then(pl.lit("forced_split"))
        .otherwise(pl.col("decision")),
        rule=pl.when(pl.col("human").is_not_null()).then(pl.lit("decision")).otherwise(pl.col("rule")),
    ).drop("human")

    never = human.filter(pl.col("human") == "never_merge").select("a", "b")
    labels, scored, guarded = cluster(n, scored, never, config)

    ids = prepared["record_id"]
    sim_columns = [c for c in scored.columns if c.startswith(("sim_", "bits_"))]
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
        "compared_pairs": compared,
        "oversized_blocks_skipped": found.oversized_blocks_skipped,
        "model_seconds": round(learned_at - started, 3),
        "auto_merge_pairs": int((scored["decision"] == "auto_merge").sum()),
        "review_pairs": int((scored["decision"] == "review").sum()),
        "size_guard_demoted_pairs": guarded,
        "clusters": int(len(sizes)),
        "largest_cluster": int(sizes.max()) if n else 0,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return MatchResult(pairs=pairs, clusters=clusters, stats=stats, inputs=inputs, model=model)


def learn_model(prepared: pl.DataFrame, candidates: pl.DataFrame, config: DedupeConfig) -> MatchModel:
    """Weights for this data: u from random record pairs, m and the prior by EM over (a sample
    of) the candidate pairs. Inputs too small to learn from keep the configured bits."""
    settings = config.model
    n = prepared.height
    if n < settings.min_records or candidates.height < settings.min_candidate_pairs:
        return MatchModel(
            configured_model(config, n).weights, config.prior_bits, "configured",
            {"records": n, "reason": "too few records or candidate pairs to learn from"},
        )
    # Seeded by the data's size so a run is repeatable.
    sample = random_pairs(n, min(settings.random_pairs, n * (n - 1) // 2), seed=n)
    fit_on = candidates
    if candidates.height > settings.fit_pairs:
        fit_on = candidates.sample(settings.fit_pairs, seed=n).sort("a", "b")
    return fit_model(
        prepared, compare_pairs(prepared, sample, config), compare_pairs(prepared, fit_on, config), config,
        candidates.height,
    ).rounded()


def _input_hashes(prepared: pl.DataFrame, config: DedupeConfig, model: MatchModel) -> pl.DataFrame:
    """record_id, a hash of everything a comparison reads about the record, and per blocking
    key a hash of the record's block (NULL when it has none).

    A name's frequency only counts below the rare-name reference (scoring clips it there), so
    a common name growing more common leaves its records' comparisons as they were.
    """
    # Value counts only weigh pairs under learned weights (term frequencies).
    unused = [c for c in prepared.columns if c.startswith("freq_")] if not model.fitted else []
    capped = prepared.drop("idx", *unused).with_columns(
        pl.min_horizontal("name_count", pl.lit(config.rare_name_reference_count, pl.UInt32)).alias("name_count")
    )
    blocks = prepared.select(
        pl.when(pl.all_horizontal(pl.col(f).is_not_null() for f in key.fields))
        .then(pl.struct(list(key.fields)).hash())
        .alias(f"block_{number}")
        for number, key in enumerate(config.blocking_keys)
        if key.fields
    )
    return pl.DataFrame({"record_id": prepared["record_id"], "input_hash": capped.hash_rows()}).hstack(blocks)


def _blocks_that_changed_usability(inputs: pl.DataFrame, before: pl.DataFrame, config: DedupeConfig) -> pl.Series:
    """Per record: is it in a block that was oversized last time and is not now, or the reverse?

    Such a block adds or removes candidate pairs between records whose inputs did not change.
    A block's size changes only where a record joined or left it, so only the blocks of records
    whose block differs from last time (new, gone or changed records) are counted again.
    """
    crossed = pl.Series(np.zeros(inputs.height, dtype=bool))
    keyed = [(f"block_{number}", key) for number, key in enumerate(config.blocking_keys) if key.fields]
    columns = [column for column, _ in keyed]
    paired = inputs.select("record_id", *columns).join(
        before.select("record_id", *columns), on="record_id", how="full", coalesce=True, suffix="_then"
    )
    for column, key in keyed:
        moved = paired.filter(pl.col(column).ne_missing(pl.col(f"{column}_then")))
        touched = pl.concat([moved[column], moved[f"{column}_then"]]).drop_nulls().unique()
        if touched.len() == 0:
            continue
        sizes = [
            frame.filter(pl.col(column).is_in(touched.implode())).group_by(column).len().rename({"len": name})
            for frame, name in ((inputs, "now"), (before, "then"))
        ]
        changed = sizes[0].join(sizes[1], on=column, how="full", coalesce=True).filter(
            (pl.col("now").fill_null(0) <= key.max_block_size) != (pl.col("then").fill_null(0) <= key.max_block_size)
        )[column]
        crossed = crossed | inputs[column].is_in(changed.implode()).fill_null(False)
    return crossed


_GUARD_SUFFIXES = ("+size_guard", "+never_merge_guard")


def _remembered_pairs(memory: MatchMemory, ids: pl.DataFrame, sim_columns: list[str]) -> pl.DataFrame:
    """Stored pairs as index pairs, with the engine's own verdict before the cluster guards
    (guards only demote automatic merges, and mark the rule when they do)."""
    guarded = pl.lit(False)
    rule = pl.col("rule")
    for suffix in _GUARD_SUFFIXES:
        guarded = guarded | pl.col("rule").str.ends_with(suffix)
        rule = rule.str.strip_suffix(suffix)
    return (
        memory.pairs.join(ids.rename({"idx": "a", "record_id": "record_id_a"}), on="record_id_a")
        .join(ids.rename({"idx": "b", "record_id": "record_id_b"}), on="record_id_b")
        .select(
            "a", "b",
            rule=rule,
            score=pl.col("score"),
            decision=pl.when(guarded).then(pl.lit("auto_merge")).otherwise(pl.col("decision")),
            *[pl.col(c).cast(pl.Float32) for c in sim_columns],
        )
    )


def _score_with_memory(
    prepared: pl.DataFrame,
    candidates: pl.DataFrame,
    human: pl.DataFrame,
    config: DedupeConfig,
    inputs: pl.DataFrame,
    memory: MatchMemory,
    model: MatchModel,
) -> tuple[pl.DataFrame, int]:
    """Scored pairs, and how many of them were compared.

    Compared: candidates that touch a record with new inputs, pairs people decided on, and
    pairs whose stored verdict was a person's. The rest come from memory; a candidate absent
    there scored below the near-miss line last time, and would again.
    """
    known = inputs.join(memory.inputs, on=["record_id", "input_hash"], how="semi")["record_id"]
    stable = inputs["record_id"].is_in(known.implode()) & ~_blocks_that_changed_usability(inputs, memory.inputs, config)
    ids = prepared.select("idx", "record_id")
    sim_columns = [c for c in memory.pairs.columns if c.startswith(("sim_", "bits_"))]
    remembered = _remembered_pairs(memory, ids, sim_columns)
    by_person = pl.concat([
        human.select("a", "b"),
        remembered.filter(pl.col("rule") == "decision").select("a", "b"),
        # Not decided by a person, but never compared: neighbours brought together.
        _newly_adjacent(memory.inputs, known, ids, config),
    ]).unique()
    marked = candidates.with_columns(
        both_stable=stable.gather(candidates["a"]) & stable.gather(candidates["b"])
    ).join(by_person.with_columns(by_person=pl.lit(True)), on=["a", "b"], how="left")
    reuse = marked.filter(pl.col("both_stable") & pl.col("by_person").is_null()).select("a", "b")
    fresh = marked.filter(~pl.col("both_stable") | pl.col("by_person").is_not_null()).select("a", "b")
    scored = _score_in_chunks(prepared, fresh, human, config, model)
    reused = remembered.filter(pl.col("rule") != "decision").join(reuse, on=["a", "b"], how="semi")
    columns = ["a", "b", "rule", "score", "decision", *sim_columns]
    combined = pl.concat([scored.select(columns), reused.select(columns)], how="vertical_relaxed").sort("a", "b")
    return combined, fresh.height


def _newly_adjacent(
    before: pl.DataFrame, unchanged: pl.Series, ids: pl.DataFrame, config: DedupeConfig
) -> pl.DataFrame:
    """Pairs of unchanged records that a record's change or departure brought within one
    window of each other: they were not neighbours last time, so they were never compared.
    (A new record only pushes neighbours apart, and its own pairs are compared anyway.)"""
    frames = [pl.DataFrame(schema={"a": pl.UInt32, "b": pl.UInt32})]
    for number, key in enumerate(config.blocking_keys):
        column = f"window_{number}"
        if not key.window or column not in before.columns:
            continue
        kept = (
            before.select("record_id", rank=pl.col(column)).drop_nulls("rank")
            .filter(pl.col("record_id").is_in(unchanged.implode())).sort("rank")
        )
        for distance in range(1, key.window + 1):
            frames.append(
                kept.with_columns(other=pl.col("record_id").shift(-distance), gap=pl.col("rank").shift(-distance) - pl.col("rank"))
                .filter(pl.col("gap") > key.window)
                .join(ids.rename({"idx": "x"}), on="record_id")
                .join(ids.rename({"idx": "y", "record_id": "other"}), on="other")
                .select(a=pl.min_horizontal("x", "y"), b=pl.max_horizontal("x", "y"))
            )
    return pl.concat(frames)


def _score_in_chunks(
    prepared: pl.DataFrame, candidates: pl.DataFrame, human: pl.DataFrame, config: DedupeConfig, model: MatchModel
) -> pl.DataFrame:
    """Compare and score candidates a slice at a time, keeping only pairs worth showing.

    Memory then stays bounded by the chunk size, not by the number of candidate pairs.
    """
    decided = human.select("a", "b", keep=pl.lit(True))
    kept: list[pl.DataFrame] = []
    for start in range(0, candidates.height, config.compare_chunk_size):
        chunk = candidates.slice(start, config.compare_chunk_size)
        scored = score_pairs(compare_pairs(prepared, chunk, config), config, model)
        scored = scored.with_columns(pl.col(c).cast(pl.Float32) for c in scored.columns if c.startswith("sim_"))
        scored = scored.drop(c for c in scored.columns if c.startswith(("lvl_", "tf_")))
        scored = scored.join(decided, on=["a", "b"], how="left").filter(
            pl.col("keep").fill_null(False)
            | (pl.col("decision") != "keep_separate")
            | (pl.col("score") >= config.near_miss)
        ).drop("keep")
        kept.append(scored)
    if not kept:
        scored = score_pairs(compare_pairs(prepared, candidates, config), config, model)
        return scored.drop(c for c in scored.columns if c.startswith(("lvl_", "tf_")))
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
