"""Match weights are learned from each run's own data, kept as a table, and guarded."""

from __future__ import annotations

import math
from functools import cache

import polars as pl
import pytest

from ingest.dedupe import build_identity
from ingest.dedupe.blocking import find_candidates
from ingest.dedupe.build import MODEL_TABLE
from ingest.dedupe.compare import compare_pairs
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.engine import match_records
from ingest.dedupe.model import LEVELS, MatchModel, configured_model, fit_model, random_pairs
from ingest.dedupe.prepare import comparison_frame
from ingest.dedupe.scoring import score_pairs
from ingest.generate import api, population
from ingest.warehouse import read_table, replace_table

from .frames import records

CONFIG = DedupeConfig.load()


@cache
def generated(people: int = 1500, seed: int = 11) -> pl.DataFrame:
    """The generator's records of `people` true people, with the true person per record."""
    pop = population.build_people(seed, people, anchor=api.ANCHOR_DATE)
    recs = api._records_for(pop, seed, api.ANCHOR_DATE, 0)
    columns = ["first_name", "last_name", "email", "phone", "company", "street", "house_number", "postcode",
               "city", "birth_date"]
    return recs.select(
        pl.int_range(pl.len()).cast(pl.String).str.zfill(7).alias("record_id"),
        pl.col("person_id").cast(pl.String),
        *[pl.col(c).cast(pl.String) for c in columns],
    )


def pairwise_f1(clusters: pl.DataFrame, truth: pl.DataFrame) -> float:
    joined = clusters.join(truth, on="record_id")

    def pairs(groups: list[str]) -> int:
        sizes = joined.group_by(groups).len()["len"]
        return int((sizes * (sizes - 1) // 2).sum())

    both, predicted, actual = pairs(["cluster_id", "person_id"]), pairs(["cluster_id"]), pairs(["person_id"])
    precision, recall = both / predicted, both / actual
    return 2 * precision * recall / (precision + recall)


def test_weights_are_learned_from_the_data_and_find_the_generated_people():
    frame = generated()
    result = match_records(frame.drop("person_id"), CONFIG)
    assert result.model.fitted
    assert pairwise_f1(result.clusters, frame.select("record_id", "person_id")) >= 0.97


def test_agreement_counts_for_and_disagreement_against_a_match_in_the_learned_model():
    model = match_records(generated().drop("person_id"), CONFIG).model
    for field in ("first_name", "last_name", "birth_date", "email", "company", "postcode"):
        bits = model.bits()[field]
        assert bits[0] > 0 > bits[-1], (field, bits)
    # The prior is the share of duplicates among all record pairs: far below one in a thousand.
    assert model.prior_bits < -10


def test_the_model_reads_as_a_table_with_one_row_per_field_and_level():
    model = match_records(generated().drop("person_id"), CONFIG).model
    table = model.to_frame()
    levels = table.filter(~pl.col("field").str.contains("+", literal=True) & (pl.col("field") != "prior"))
    assert levels.height == sum(len(labels) for labels in LEVELS.values())
    assert levels["label"].null_count() == 0
    assert MatchModel.from_frame(table).fingerprint() == model.fingerprint()


def test_too_few_records_keep_the_configured_bits():
    small = records(
        {"first_name": "Anna", "last_name": "Schmidt", "email": "anna@schmidt.de"},
        {"first_name": "Anna", "last_name": "Schmidt", "email": "anna@schmidt.de"},
    )
    result = match_records(small, CONFIG)
    assert result.model.source == "configured"
    assert result.model.prior_bits == CONFIG.prior_bits
    assert result.clusters["cluster_id"].n_unique() == 1


def test_a_rare_shared_surname_is_stronger_evidence_than_a_common_one():
    model = match_records(generated().drop("person_id"), CONFIG).model
    pair = {f"lvl_{field}": None for field in LEVELS} | {"lvl_last_name": 0, "lvl_first_name": 5}
    compared = pl.DataFrame([
        pair | {"tf_last_name": 1.0}, pair | {"tf_last_name": 256.0},
    ], schema={**{f"lvl_{field}": pl.Int8 for field in LEVELS}, "tf_last_name": pl.Float32}).with_columns(
        *[pl.lit(None, pl.Float32).alias(f"tf_{name}") for name in ("first_name", "company", "postcode", "city")],
        *[pl.lit(None, pl.Float64).alias(f"sim_{name}") for name in ("first_name", "last_name", "company")],
        same_crm_id=pl.lit(False), same_email=pl.lit(False), same_phone=pl.lit(False),
    )
    rare, common = score_pairs(compared, CONFIG, model)["bits_last_name"].to_list()
    assert rare > common


def test_sites_without_person_names_match_on_name_address_and_phone():
    # 300 sites, each listed twice by two sources that spell it differently.
    rows = []
    for i in range(300):
        street, phone = f"{100 + i} Main Street", f"+1312555{i:04d}"
        rows.append({"record_id": f"a{i:03d}", "company": f"Northside Learning Center {i}", "street": street,
                     "phone": phone, "postcode": f"606{i % 40:02d}"})
        rows.append({"record_id": f"b{i:03d}", "company": f"Learning Center Northside {i} Inc", "street": street.replace(
            "Street", "St"), "phone": phone, "postcode": None})
    result = match_records(pl.DataFrame(rows), CONFIG)
    assert result.model.fitted
    clusters = result.clusters.with_columns(site=pl.col("record_id").str.slice(1))
    assert clusters.group_by("cluster_id").agg(pl.col("site").n_unique())["site"].max() == 1
    assert clusters["cluster_id"].n_unique() == 300


def test_a_warehouse_run_stores_the_model_and_keeps_it_while_the_data_changes_little(conn):
    frame = generated().drop("person_id")
    replace_table(conn, "core.lead_records", frame)
    first = build_identity(conn).to_metadata()
    stored = read_table(conn, MODEL_TABLE)
    assert first["model_source"] == "fitted"
    assert stored.filter(pl.col("field") == "prior")["bits"].item() == pytest.approx(first["model_prior_bits"], abs=0.01)

    replace_table(conn, "core.lead_records", frame.head(frame.height - 10))
    build_identity(conn)
    assert read_table(conn, MODEL_TABLE)["fitted_at"].equals(stored["fitted_at"])
    assert read_table(conn, MODEL_TABLE).drop("fitted_at").equals(stored.drop("fitted_at"))


def test_configured_model_spreads_todays_bits_over_the_levels():
    bits = configured_model(CONFIG).bits()
    assert bits["email"][0] == CONFIG.fields["email"].bits_agree
    assert bits["email"][-1] == CONFIG.fields["email"].bits_disagree
    assert all(not math.isnan(b) for levels in bits.values() for b in levels)


def test_model_metadata_holds_plain_values_for_the_asset():
    metadata = match_records(generated().drop("person_id"), CONFIG).model.metadata()
    assert metadata["model_source"] == "fitted"
    assert all(type(value) in (int, float, str) for value in metadata.values()), metadata


def test_a_sample_of_the_candidate_pairs_gives_the_prior_of_all_of_them():
    """Large runs fit on a sample of their candidate pairs: the duplicates found in it stand for
    the whole run's, so the prior does not shrink as the data grows past the sample size."""
    frame = generated().drop("person_id").with_columns(pl.col("record_id").cast(pl.String)).sort("record_id")
    prepared = comparison_frame(frame, CONFIG)
    candidates = find_candidates(prepared, CONFIG).pairs
    random_compared = compare_pairs(prepared, random_pairs(prepared.height, 20_000, seed=1))
    whole = fit_model(prepared, random_compared, compare_pairs(prepared, candidates), CONFIG)
    quarter = candidates.sample(fraction=0.25, seed=3).sort("a", "b")
    sampled = fit_model(prepared, random_compared, compare_pairs(prepared, quarter), CONFIG, candidates.height)
    assert whole.fitted and sampled.fitted
    # A quarter of the pairs read as all of them would put the prior two bits too low.
    assert abs(sampled.prior_bits - whole.prior_bits) < 0.5, (sampled.prior_bits, whole.prior_bits)
    assert sampled.stats["candidate_pairs"] == pytest.approx(candidates.height, rel=0.01)


def test_sessions_without_a_person_learn_only_from_records_that_name_nobody():
    """A person record missing its first name is not a site: a `no_person` session (and so the
    shared-phone session, where people would be households) leaves such pairs out."""
    from ingest.dedupe.model import _Patterns

    frame = records(
        {"company": "Kita Sonnenschein", "phone": "+493012345678"},
        {"company": "Kita Sonnenschein Nord", "phone": "+493012345678"},
        {"last_name": "Hartmann", "phone": "+495113888447"},
        {"first_name": "Sabine", "last_name": "Hartmann", "phone": "+495113888447"},
    )
    prepared = comparison_frame(frame, CONFIG)
    pairs = pl.DataFrame({"a": [0, 2], "b": [1, 3]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    compared = compare_pairs(prepared, pairs, CONFIG)
    assert compared["lvl_no_person"].to_list() == [True, False]
    phone_session = next(s for s in CONFIG.model.training if s.get("all") == {"phone": 0})
    assert phone_session.get("no_person")
    patterns = _Patterns.of(compared)
    chosen = patterns.frame.filter(pl.Series(patterns.where(phone_session)))
    assert chosen["count"].sum() == 1 and chosen["lvl_no_person"].to_list() == [True]


def test_an_unknown_training_session_key_is_an_error(tmp_path):
    import yaml

    from ingest.dedupe.config import RULES_PATH

    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    raw["model"]["training"].append({"name": "typo", "all": {"phone": 0}, "without": ["first_name"]})
    path = tmp_path / "dedupe.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        DedupeConfig.load(path)
