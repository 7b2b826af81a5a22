"""People's names follow a real population's frequencies: a few very common, a long tail of rare ones."""

from __future__ import annotations

import polars as pl
import pytest

from ingest.generate import names, text
from ingest.generate.randomness import stream

from .test_realism import hubspot, salesforce, with_truth

PEOPLE = 100_000


@pytest.fixture(scope="module")
def drawn() -> pl.DataFrame:
    return names.draw_names(stream(7, "names"), PEOPLE)


def test_surnames_have_a_long_tail(drawn):
    counts = drawn["last_name"].value_counts()["count"]
    assert drawn["last_name"].n_unique() >= 20_000
    # Most surnames are carried by one person only, as in any real sample of this size.
    assert (counts == 1).sum() >= 10_000


def test_most_common_surname_has_about_one_percent(drawn):
    top = drawn["last_name"].value_counts(sort=True).row(0)
    assert top[0] == "Müller"
    assert 0.007 <= top[1] / PEOPLE <= 0.013


def test_first_names_spread_like_a_real_population(drawn):
    shares = drawn["first_name"].value_counts(sort=True)["count"] / PEOPLE
    assert drawn["first_name"].n_unique() >= 1500
    assert 0.005 <= shares[0] <= 0.03


def test_immigrant_origins_carry_their_own_names(drawn):
    origin = drawn["name_origin"].value_counts()
    share = dict(zip(origin["name_origin"], origin["count"] / PEOPLE))
    assert 0.08 <= 1 - share["DE"] <= 0.18
    turkish = drawn.filter(pl.col("name_origin") == "TR")
    assert turkish["last_name"].str.contains("ı|ş|ğ|ç|ö|ü|Ş|Ç").mean() > 0.3


def test_middle_double_and_particle_names_occur_at_low_rates(drawn):
    assert 0.08 <= drawn["middle_name"].is_not_null().mean() <= 0.15
    double = drawn["last_name"].str.contains(r"^\S+-\S+$").mean()
    assert 0.01 <= double <= 0.04
    assert 0.002 <= drawn["last_name"].str.contains(r"^(von|van|de) ").mean() <= 0.01


def test_name_draws_are_deterministic_per_seed(drawn):
    again = names.draw_names(stream(7, "names"), PEOPLE)
    assert again.equals(drawn)
    assert not names.draw_names(stream(8, "names"), PEOPLE).equals(drawn)


def test_respellings_change_names_the_way_people_mishear_them():
    frame = pl.DataFrame({"name": ["Meyer", "Schmidt", "Hoffmann", "Weber"], "kind": [0, 3, 4, 0]})
    out = frame.select(names=text.spelling_variant(pl.col("name"), pl.col("kind")))["names"].to_list()
    assert out == ["Meier", "Schmid", "Hofmann", "Weber"]


def test_records_show_middle_names_and_shortened_double_names(landing, truth_records, truth_people):
    crm = pl.concat([with_truth(salesforce(landing), truth_records).select("first", "last", "person_id"),
                     with_truth(hubspot(landing), truth_records).select("first", "last", "person_id")])
    crm = crm.join(truth_people.select("person_id", "first_name", "middle_name", "last_name"), on="person_id")
    assert (crm["first"] == crm["first_name"] + " " + crm["middle_name"]).any()
    double = crm.filter(pl.col("last_name").str.contains("-", literal=True))
    assert (double["last"] == double["last_name"].str.replace(r"-.*$", "")).any()
    assert (double["last"] == double["last_name"]).any()
