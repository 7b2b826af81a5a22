"""Each per-field comparison, on one pair of records at a time."""

import polars as pl
import pytest

from ingest.dedupe.compare import compare_pairs, jaro_winkler
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.prepare import comparison_frame

from .frames import records


def similarity(left: dict, right: dict) -> dict:
    prepared = comparison_frame(records(left, right), DedupeConfig.load())
    pair = pl.DataFrame({"a": [0], "b": [1]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    return compare_pairs(prepared, pair).row(0, named=True)


def test_jaro_winkler_is_null_when_either_side_is_missing():
    scores = jaro_winkler(pl.Series(["martha", None, "abc"]), pl.Series(["marhta", "x", "abc"]))
    assert scores[0] == pytest.approx(0.961, abs=0.001)
    assert scores[1] is None
    assert scores[2] == 1.0


def test_umlaut_and_spelled_out_last_names_are_equal():
    sims = similarity({"last_name": "Müller"}, {"last_name": "Mueller"})
    assert sims["sim_last_name"] == 1.0


def test_phonetic_last_names_count_as_partial_agreement():
    sims = similarity({"last_name": "Meier"}, {"last_name": "Mayr"})
    assert 0.8 <= sims["sim_last_name"] < 0.92


def test_nickname_matches_full_first_name():
    sims = similarity({"first_name": "Sepp"}, {"first_name": "Josef"})
    assert sims["sim_first_name"] == 1.0


def test_unrelated_first_names_disagree():
    sims = similarity({"first_name": "Anna"}, {"first_name": "Stefan"})
    assert sims["sim_first_name"] < 0.7


def test_swapped_first_and_last_name_is_recognised():
    sims = similarity(
        {"first_name": "Weber", "last_name": "Klaus"}, {"first_name": "Klaus", "last_name": "Weber"}
    )
    assert sims["names_swapped"] is True
    assert sims["sim_first_name"] == 1.0 and sims["sim_last_name"] == 1.0


def test_street_abbreviations_fold_to_the_same_street():
    sims = similarity(
        {"street": "Hauptstraße", "house_number": "12a"}, {"street": "Hauptstr. 12 a"}
    )
    assert sims["sim_street"] == 1.0
    assert sims["sim_house_number"] == 1.0


def test_english_street_abbreviations_fold_too():
    sims = similarity({"street": "Sunset Blvd. 5"}, {"street": "Sunset Boulevard 5"})
    assert sims["sim_street"] == 1.0


def test_phone_without_area_code_matches_on_trailing_digits():
    sims = similarity({"phone": "+4930987654321"}, {"phone_raw": "987654321"})
    assert sims["sim_phone"] == pytest.approx(0.85)


def test_different_phones_disagree():
    sims = similarity({"phone": "+4930987654321"}, {"phone": "+4989111222333"})
    assert sims["sim_phone"] == 0.0


def test_birth_date_with_day_and_month_swapped_is_partial_agreement():
    sims = similarity({"birth_date": "1980-03-04"}, {"birth_date": "1980-04-03"})
    assert sims["sim_birth_date"] == pytest.approx(0.8)


def test_missing_fields_have_no_similarity():
    sims = similarity({"first_name": "Anna"}, {"last_name": "Schmidt"})
    assert sims["sim_first_name"] is None
    assert sims["sim_last_name"] is None
    assert sims["sim_email"] is None
    assert sims["sim_address"] is None


def test_postcode_sharing_region_is_partial():
    sims = similarity({"postcode": "10115"}, {"postcode": "10117"})
    assert sims["sim_postcode"] == 0.5


def test_level_cut_offs_come_from_the_rules_file():
    from dataclasses import replace

    from ingest.dedupe.model import configured_model

    config = DedupeConfig.load()
    prepared = comparison_frame(records({"first_name": "Martha"}, {"first_name": "Marhta"}), config)
    pair = pl.DataFrame({"a": [0], "b": [1]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    # Jaro-Winkler 0.961: a typo under the configured cut-off, a looser variant under 0.97.
    assert compare_pairs(prepared, pair, config)["lvl_first_name"].item() == 2
    strict = replace(config, cutoffs=replace(config.cutoffs, name_close=0.97))
    assert compare_pairs(prepared, pair, strict)["lvl_first_name"].item() == 3
    labels = configured_model(strict).weights.filter(pl.col("field") == "first_name")["label"].to_list()
    assert "jaro-winkler >= 0.97" in labels


def test_mailboxes_that_only_spell_the_same_name_say_nothing_but_a_sub_address_is_the_same_mailbox():
    namesakes = similarity({"email": "juergen.wagner@web.de"}, {"email": "juergenwagner80@web.de"})
    assert namesakes["sim_email"] is None and namesakes["lvl_email"] is None
    tagged = similarity({"email": "sandra_richter@gmx.de"}, {"email": "sandra_richter+shop@gmx.de"})
    assert tagged["lvl_email"] == 1
    typo = similarity({"email": "juergen.wagner@web.de"}, {"email": "juergen.wagnr@web.de"})
    assert typo["lvl_email"] == 1


def test_partial_similarities_come_from_the_rules_file(tmp_path):
    from dataclasses import replace

    from ingest.dedupe.config import RULES_PATH

    text = RULES_PATH.read_text(encoding="utf-8").replace("birth_day_month_swapped: 0.80", "birth_day_month_swapped: 0.55")
    edited = tmp_path / "dedupe.yaml"
    edited.write_text(text, encoding="utf-8")
    config = DedupeConfig.load(edited)
    assert config.partial_similarities.birth_day_month_swapped == 0.55
    prepared = comparison_frame(records({"birth_date": "1980-03-04"}, {"birth_date": "1980-04-03"}), config)
    pair = pl.DataFrame({"a": [0], "b": [1]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    sims = compare_pairs(prepared, pair, config).row(0, named=True)
    assert sims["sim_birth_date"] == pytest.approx(0.55)
    # Address parts weigh what the file says: a street-only agreement over street and postcode.
    only_street = replace(config.partial_similarities, address_parts={"postcode": 0.1, "street": 0.9, "house_number": 0.2, "city": 0.1})
    prepared = comparison_frame(records({"street": "Hauptstraße", "postcode": "10115"}, {"street": "Hauptstraße", "postcode": "80331"}), config)
    sims = compare_pairs(prepared, pair, replace(config, partial_similarities=only_street)).row(0, named=True)
    assert sims["sim_address"] == pytest.approx(0.9)


def test_a_partial_similarity_outside_0_and_1_names_the_setting():
    from ingest.dedupe.config import PartialSimilarities

    with pytest.raises(ValueError, match="partial_similarities.first_initial"):
        PartialSimilarities(first_initial=1.5)
