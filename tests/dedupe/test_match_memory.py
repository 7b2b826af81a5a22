"""Matching with the previous run's memory gives what matching from scratch gives, comparing
only pairs that touch records whose inputs changed."""

from dataclasses import replace

import polars as pl

from ingest.dedupe import build_identity
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.engine import MatchMemory, match_records
from ingest.warehouse import replace_table

from .frames import records

CONFIG = DedupeConfig.load()
FIRST_NAMES = ["Anna", "Berta", "Clara", "Doris", "Emil", "Fritz", "Gustav", "Heinz", "Ida", "Jonas", "Karl",
               "Lena", "Moritz", "Nina", "Otto", "Paula", "Quirin", "Rita", "Sven", "Tina", "Ulf"]


def remembered(frame: pl.DataFrame, decisions: pl.DataFrame | None = None) -> MatchMemory:
    result = match_records(frame, CONFIG, decisions=decisions)
    return MatchMemory(inputs=result.inputs, pairs=result.pairs)


def same_result(with_memory, from_scratch) -> bool:
    return with_memory.pairs.sort("record_id_a", "record_id_b").equals(
        from_scratch.pairs.sort("record_id_a", "record_id_b")
    ) and with_memory.clusters.equals(from_scratch.clusters)


PEOPLE = records(
    {"record_id": "a1", "first_name": "Max", "last_name": "Müller", "email": "max@firma.de", "postcode": "10115"},
    {"record_id": "a2", "first_name": "Max", "last_name": "Mueller", "email": "max@firma.de"},
    {"record_id": "b1", "first_name": "Eva", "last_name": "Schmidt", "phone": "+4930111111", "postcode": "50667"},
    {"record_id": "b2", "first_name": "Eva", "last_name": "Schmitt", "postcode": "50667", "city": "Köln"},
    {"record_id": "c1", "first_name": "Tom", "last_name": "Weber", "email": "tom@web.de", "city": "Bonn"},
    {"record_id": "d1", "first_name": "Ida", "last_name": "Fischer", "phone": "+4930222222"},
)


# Unrelated people, so that some records sit far from every change in each sorted neighbourhood.
BYSTANDERS = records(*[
    {"record_id": f"z{i:02d}", "first_name": name, "last_name": "Zimmermann"} for i, name in enumerate(FIRST_NAMES)
])


def test_memory_gives_what_matching_from_scratch_gives():
    before = pl.concat([PEOPLE, BYSTANDERS], how="diagonal_relaxed")
    memory = remembered(before)
    changed = pl.concat([
        before.filter(pl.col("record_id") != "c1"),
        records({"record_id": "d2", "first_name": "Ida", "last_name": "Fischer", "phone": "+4930222222"}),
    ], how="diagonal_relaxed").with_columns(
        email=pl.when(pl.col("record_id") == "a2").then(pl.lit("m.mueller@firma.de")).otherwise("email")
    )
    with_memory = match_records(changed, CONFIG, memory=memory)
    assert same_result(with_memory, match_records(changed, CONFIG))
    assert with_memory.stats["compared_pairs"] < with_memory.stats["candidate_pairs"]


def test_pairs_of_unchanged_records_are_not_compared_again():
    result = match_records(PEOPLE, CONFIG, memory=remembered(PEOPLE))
    assert result.stats["candidate_pairs"] > 0 and result.stats["compared_pairs"] == 0
    assert same_result(result, match_records(PEOPLE, CONFIG))


def test_a_block_that_falls_under_the_size_limit_is_compared_again():
    # 21 records share a phone: over the block limit of 20, so never compared; one leaves.
    household = records(*[
        {"record_id": f"r{i:02d}", "first_name": name, "last_name": "Berger", "phone": "+4930123456"}
        for i, name in enumerate(FIRST_NAMES)
    ])
    smaller = household.filter(pl.col("record_id") != "r20")
    with_memory = match_records(smaller, CONFIG, memory=remembered(household))
    assert with_memory.pairs.height == 190
    assert same_result(with_memory, match_records(smaller, CONFIG))


def test_a_withdrawn_decision_is_scored_again():
    decision = pl.DataFrame({"record_id_a": ["a1"], "record_id_b": ["a2"], "decision": ["never_merge"]})
    with_memory = match_records(PEOPLE, CONFIG, memory=remembered(PEOPLE, decision))
    assert same_result(with_memory, match_records(PEOPLE, CONFIG))


def test_links_the_cluster_guard_demoted_merge_again_once_the_cluster_is_small_enough():
    # 22 records chained by alternating e-mails and phones: one cluster over the limit of 20.
    # Forty more people of that name keep it common, so its frequency does not matter.
    chain = records(*[
        {"record_id": f"r{i:02d}", "first_name": "Max", "last_name": "Müller",
         "email": f"max{i // 2}@firma{i // 2}.de", "phone": f"+49301000{(i + 1) // 2:03d}"}
        for i in range(22)
    ], *[{"record_id": f"x{i:02d}", "first_name": "Max", "last_name": "Müller"} for i in range(40)])
    memory = remembered(chain)
    assert memory.pairs["rule"].str.ends_with("+size_guard").any()
    shorter = chain.filter(~pl.col("record_id").is_in(["r20", "r21"]))
    with_memory = match_records(shorter, CONFIG, memory=memory)
    # Only the sorted-neighbourhood windows the two records left are compared again.
    assert with_memory.stats["compared_pairs"] < with_memory.stats["candidate_pairs"] / 4
    assert same_result(with_memory, match_records(shorter, CONFIG))


def test_a_changed_configuration_compares_every_pair_again(conn):
    replace_table(conn, "core.lead_records", PEOPLE)
    build_identity(conn)
    stricter = replace(CONFIG, auto_merge=0.999)
    report = build_identity(conn, config=stricter).to_metadata()
    assert report["compared_pairs"] == report["candidate_pairs"] > 0
