"""The engine on small frames: which records end up together, and why."""

from dataclasses import replace

import polars as pl
import pytest

from ingest.dedupe import DedupeConfig, match_records

from .frames import cluster_of, records

CONFIG = DedupeConfig.load()


def test_emails_differing_only_in_digits_belong_to_different_people():
    result = match_records(records(
        {"first_name": "Thomas", "last_name": "Schwarz", "email": "tschwarz@acme.de", "company_key": "acme"},
        {"first_name": "Thomas", "last_name": "Schwarz", "email": "tschwarz1@acme.de", "company_key": "acme"},
    ))
    assert cluster_of(result, "r1") != cluster_of(result, "r2")
    assert result.pairs["sim_email"].to_list() == [0.0]


def test_different_birth_dates_outweigh_equal_names_and_address():
    result = match_records(records(
        {"first_name": "Ilse", "last_name": "Hoffmann", "postcode": "41080", "street": "Fließstr. 3", "birth_date": "1963-03-11"},
        {"first_name": "Ilse", "last_name": "Hoffmann", "postcode": "41080", "street": "Fließstraße 3", "birth_date": "1981-12-12"},
    ))
    assert cluster_of(result, "r1") != cluster_of(result, "r2")


def test_same_email_merges_records_deterministically():
    result = match_records(records(
        {"first_name": "Max", "last_name": "Müller", "email_match_key": "max@acme.de"},
        {"first_name": "Max", "last_name": "Mueller", "email_match_key": "max@acme.de"},
    ))
    assert cluster_of(result, "r1") == cluster_of(result, "r2")
    assert result.pairs["rule"].to_list() == ["email"]


def test_shared_role_email_does_not_merge_different_people():
    people = [("Anna", "Schmidt"), ("Bernd", "Weber"), ("Clara", "Fischer"), ("Dieter", "Wagner")]
    result = match_records(records(*[
        {"first_name": first, "last_name": last, "email_match_key": "info@acme.de",
         "email_is_role": True, "company_key": "acme"}
        for first, last in people
    ]))
    assert result.clusters["cluster_id"].n_unique() == len(people)


def test_role_email_is_recognised_without_a_flag():
    result = match_records(records(
        {"first_name": "Anna", "last_name": "Schmidt", "email": "info@acme.de"},
        {"first_name": "Anna", "last_name": "Schmitz", "email": "info@acme.de"},
    ))
    assert cluster_of(result, "r1") != cluster_of(result, "r2")


def test_call_centre_phone_does_not_merge_a_whole_company():
    names = ["Schmidt", "Weber", "Fischer", "Wagner", "Becker", "Hoffmann"]
    result = match_records(records(*[
        {"first_name": "Kim", "last_name": last, "phone": "+4930111111", "company_key": "callcenter"}
        for last in names
    ]))
    assert result.clusters["cluster_id"].n_unique() == len(names)


def test_family_members_at_one_address_stay_separate():
    result = match_records(records(
        {"first_name": "Anna", "last_name": "Schmidt", "street": "Hauptstr.", "house_number": "5", "postcode": "10115"},
        {"first_name": "Peter", "last_name": "Schmidt", "street": "Hauptstraße", "house_number": "5", "postcode": "10115"},
    ))
    assert cluster_of(result, "r1") != cluster_of(result, "r2")


def test_names_and_address_only_is_enough_to_merge():
    result = match_records(records(
        {"first_name": "Jürgen", "last_name": "Müller", "street": "Hauptstraße 5", "postcode": "10115", "city": "Berlin"},
        {"first_name": "Juergen", "last_name": "Mueller", "street": "Hauptstr. 5", "postcode": "10115", "city": "berlin"},
    ))
    assert cluster_of(result, "r1") == cluster_of(result, "r2")


def test_email_only_input_merges_on_email():
    result = match_records(records({"email": "a@x.de"}, {"email": " A@x.de"}, {"email": "b@x.de"}))
    assert cluster_of(result, "r1") == cluster_of(result, "r2") != cluster_of(result, "r3")


def test_company_and_phone_only_input_merges_on_phone():
    result = match_records(records(
        {"company": "Acme GmbH", "company_key": "acme", "phone": "+4930123456"},
        {"company": "ACME", "company_key": "acme", "phone": "+4930123456"},
        {"company": "Other AG", "company_key": "other", "phone": "+4989999999"},
    ))
    assert cluster_of(result, "r1") == cluster_of(result, "r2") != cluster_of(result, "r3")


def test_same_name_without_other_evidence_goes_to_review():
    result = match_records(records(
        {"first_name": "Thomas", "last_name": "Wagner"}, {"first_name": "Thomas", "last_name": "Wagner"},
    ))
    assert cluster_of(result, "r1") != cluster_of(result, "r2")
    assert result.pairs["decision"].to_list() == ["review"]


def test_threshold_moves_pairs_between_review_and_merge():
    frame = records({"first_name": "Thomas", "last_name": "Wagner"}, {"first_name": "Thomas", "last_name": "Wagner"})
    assert cluster_of(match_records(frame), "r1") != cluster_of(match_records(frame), "r2")
    loose = match_records(frame, DedupeConfig.load().with_threshold(0.4))
    assert cluster_of(loose, "r1") == cluster_of(loose, "r2")


def test_candidate_pairs_grow_with_blocks_not_with_all_pairs():
    many = records(*[
        {"first_name": f"Vorname{i}", "last_name": f"Nachname{i}", "email": f"p{i}@x{i}.de", "postcode": "10115"}
        for i in range(300)
    ])
    result = match_records(many)
    assert result.stats["candidate_pairs"] < 300 * 299 // 2 / 10


def test_size_guard_breaks_chains_through_weak_links():
    config = replace(DedupeConfig.load(), max_cluster_size=5)
    chain = records(*[
        {"first_name": "Alex", "last_name": "Neumann", "postcode": "10115", "street": "Ring", "house_number": "1"}
        for i in range(config.max_cluster_size + 3)
    ])
    result = match_records(chain, config)
    assert result.stats["largest_cluster"] <= config.max_cluster_size
    assert result.stats["size_guard_demoted_pairs"] > 0


def test_always_merge_decision_joins_records_the_engine_kept_apart():
    frame = records({"first_name": "Anna", "last_name": "Schmidt"}, {"first_name": "Bernd", "last_name": "Weber"})
    decisions = pl.DataFrame({"record_id_a": ["r2"], "record_id_b": ["r1"], "decision": ["always_merge"]})
    result = match_records(frame, decisions=decisions)
    assert cluster_of(result, "r1") == cluster_of(result, "r2")
    assert result.pairs["decision"].to_list() == ["forced_merge"]


def test_never_merge_decision_holds_even_through_a_third_record():
    frame = records(
        {"first_name": "Max", "last_name": "Müller", "email": "max@a.de"},
        {"first_name": "Max", "last_name": "Müller", "email": "max@a.de", "phone": "+4930123456"},
        {"first_name": "Max", "last_name": "Müller", "phone": "+4930123456"},
    )
    decisions = pl.DataFrame({"record_id_a": ["r1"], "record_id_b": ["r3"], "decision": ["never_merge"]})
    result = match_records(frame, decisions=decisions)
    assert cluster_of(result, "r1") != cluster_of(result, "r3")
    assert "forced_split" in result.pairs["decision"].to_list()


def test_duplicate_record_ids_are_rejected():
    with pytest.raises(ValueError, match="record_id must be unique"):
        match_records(records({"record_id": "x", "email": "a@b.de"}, {"record_id": "x", "email": "c@d.de"}))


def test_result_does_not_depend_on_row_order():
    frame = records(
        {"first_name": "Max", "last_name": "Müller", "email": "max@a.de"},
        {"first_name": "Max", "last_name": "Mueller", "email": "max@a.de"},
        {"first_name": "Eva", "last_name": "Klein", "postcode": "10115"},
    )
    forward = match_records(frame)
    backward = match_records(frame.reverse())
    assert forward.clusters.equals(backward.clusters)
    assert forward.pairs.equals(backward.pairs)


def test_household_sharing_a_landline_is_not_merged_by_the_phone_rule():
    result = match_records(records(
        {"first_name": "Frank", "last_name": "Hartmann", "phone": "+4951138884474", "phone_type": "fixed",
         "birth_date": "1995-07-14"},
        {"first_name": "Franziska", "last_name": "Hartmann", "phone": "+4951138884474", "phone_type": "fixed",
         "birth_date": "2001-07-11"},
    ))
    assert cluster_of(result, "r1") != cluster_of(result, "r2")
    assert "phone_last_name" not in result.pairs["rule"].to_list()


def test_business_email_domain_stands_in_for_a_missing_company():
    result = match_records(records(
        {"first_name": "Christian", "last_name": "Süß", "company_key": "lahn warenhandel", "postcode": "86192"},
        {"first_name": "Christian", "last_name": "Suess", "email": "christian.suess@lahn-warenhandel.de",
         "email_is_freemail": False},
    ))
    assert cluster_of(result, "r1") == cluster_of(result, "r2")
    assert result.pairs["sim_company"].to_list() == [1.0]


def test_different_first_names_never_merge_by_themselves_however_strong_the_rest():
    """A household (one surname, address, landline and inbox) is several people: even where the
    weights make a different first name cheap, as a fit on household-rich data can, the pair
    goes to review instead of merging (dedupe.yaml name_conflict_guard)."""
    household = {"last_name": "Hartmann", "phone": "+4951138884474", "phone_type": "fixed",
                 "email": "familie.hartmann@web.de", "street": "Lindenweg", "house_number": "4", "postcode": "30159"}
    pair = records({"first_name": "Thomas", **household}, {"first_name": "Sabine", **household})
    first_name = CONFIG.fields["first_name"]
    cheap_conflict = replace(CONFIG, fields={**CONFIG.fields, "first_name": replace(first_name, bits_disagree=-1.0)})
    result = match_records(pair, cheap_conflict)
    assert result.pairs["score"].item() >= cheap_conflict.auto_merge
    assert result.pairs["decision"].item() == "review"
    assert cluster_of(result, "r1") != cluster_of(result, "r2")
    # The same records with one first name misspelt are one person.
    typo = match_records(records({"first_name": "Thomas", **household}, {"first_name": "Tohmas", **household}),
                         cheap_conflict)
    assert cluster_of(typo, "r1") == cluster_of(typo, "r2")
    # One birth date: a record whose first name was replaced, not a household member.
    born = {**household, "birth_date": "1971-03-02"}
    replaced = match_records(records({"first_name": "Thomas", **born}, {"first_name": "Sabine", **born}), cheap_conflict)
    assert replaced.pairs["decision"].item() == "auto_merge"


def test_the_name_conflict_guard_is_read_from_the_rules_file(tmp_path):
    import yaml

    from ingest.dedupe.config import RULES_PATH

    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    raw["name_conflict_guard"]["first_name_below"] = 0.95
    path = tmp_path / "dedupe.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    strict = DedupeConfig.load(path)
    assert strict.name_conflict_guard.first_name_below == 0.95
    # "Tohmas" is 0.94 like "Thomas": a conflict under the stricter cut-off, so the e-mail rule
    # no longer merges the pair.
    result = match_records(records(
        {"first_name": "Thomas", "last_name": "Hartmann", "email": "t.hartmann@web.de"},
        {"first_name": "Tohmas", "last_name": "Hartmann", "email": "t.hartmann@web.de"},
    ), strict)
    assert result.pairs["rule"].item() != "email"
