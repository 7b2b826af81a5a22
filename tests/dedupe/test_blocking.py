"""Blocking keeps recall: a block above its size limit is split, not dropped."""

from dataclasses import replace

import polars as pl

from ingest.dedupe.blocking import find_candidates
from ingest.dedupe.config import BlockingKey, DedupeConfig
from ingest.dedupe.prepare import comparison_frame

from .frames import records

CONFIG = DedupeConfig.load()
FIRST_NAMES = [f"{a}{b}" for a in ("Al", "Be", "Ca", "Do", "El", "Fa") for b in ("ma", "ne", "ri", "to", "xa", "yo", "zu")]


def crowded_block() -> pl.DataFrame:
    """42 Schmidts in one postcode, two of them the same Anna (one with a typo)."""
    people = [{"record_id": f"s{i:02d}", "first_name": name, "last_name": "Schmidt", "postcode": "10115"}
              for i, name in enumerate(FIRST_NAMES)]
    return records(*people, {"record_id": "anna1", "first_name": "Anna", "last_name": "Schmidt", "postcode": "10115"},
                   {"record_id": "anna2", "first_name": "Anja", "last_name": "Schmidt", "postcode": "10115"})


def pairs_with(key: BlockingKey) -> tuple[set[tuple[str, str]], int]:
    prepared = comparison_frame(crowded_block(), CONFIG)
    found = find_candidates(prepared, replace(CONFIG, blocking_keys=(key,)))
    ids = prepared["record_id"]
    named = {tuple(sorted((ids[a], ids[b]))) for a, b in found.pairs.iter_rows()}
    return named, found.oversized_blocks_skipped


def test_an_oversized_block_is_split_into_sorted_neighbourhoods():
    pairs, skipped = pairs_with(BlockingKey(("ln_phon", "postcode"), 20, ("fn_fold",), 2))
    assert ("anna1", "anna2") in pairs
    assert skipped == 0
    # Each record meets at most its two neighbours on either side, not the whole block.
    assert len(pairs) <= 44 * 2


def test_without_a_window_an_oversized_block_is_skipped_and_counted():
    pairs, skipped = pairs_with(BlockingKey(("ln_phon", "postcode"), 20))
    assert pairs == set() and skipped == 1


def test_a_sorted_neighbourhood_over_all_records_meets_names_with_a_late_typo():
    pairs, _ = pairs_with(BlockingKey((), 20, ("fn_fold", "ln_fold"), 1))
    assert ("anna1", "anna2") in pairs
