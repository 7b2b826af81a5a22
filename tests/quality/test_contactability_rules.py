"""The consent suite reads the contactability rules from the dbt seeds, and follows their edits."""

from __future__ import annotations

import shutil

import pytest

from quality.config import load_checks_config
from quality.contactability import SEEDS_DIR, load_contactability_rules

SEEDS = ("consent_proof_methods.csv", "consent_proof_sources.csv", "contactability_rules.csv")


@pytest.fixture
def seeds(tmp_path):
    for name in SEEDS:
        shutil.copy(SEEDS_DIR / name, tmp_path / name)
    return tmp_path


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    load_contactability_rules.cache_clear()  # the loader caches per path, as a run reads it once


def test_switching_on_existing_customer_email_allows_that_basis(seeds):
    assert load_contactability_rules(seeds).email_legal_bases() == ["consent_with_proof"]
    _replace(seeds / "contactability_rules.csv", "allow_existing_customer_email,false", "allow_existing_customer_email,true")
    assert load_contactability_rules(seeds).email_legal_bases() == ["consent_with_proof", "existing_customer"]


def test_switching_off_presumed_b2b_phone_consent_removes_it_for_b2b(seeds):
    assert "presumed_b2b_phone_consent" in load_contactability_rules(seeds).phone_legal_bases_by_segment()["b2b"]
    _replace(seeds / "contactability_rules.csv", "allow_presumed_b2b_phone_consent,true",
             "allow_presumed_b2b_phone_consent,false")
    assert load_contactability_rules(seeds).phone_legal_bases_by_segment() == {
        "b2b": ["consent_with_proof"], "b2c": ["consent_with_proof"]}


def test_a_source_proof_that_is_no_proof_method_is_rejected(seeds):
    _replace(seeds / "consent_proof_methods.csv", "email,vendor_proof,true", "email,vendor_proof,false")
    with pytest.raises(ValueError, match="no proof"):
        load_contactability_rules(seeds)


def test_email_proof_per_source_kind_comes_from_the_seed():
    assert load_contactability_rules().proof_methods_by_source_kind("email") == {
        "web_form": ["double_opt_in"],
        "purchased_list": ["vendor_proof"],
        "crm_export": ["double_opt_in", "vendor_proof"],
    }


def test_checks_yaml_carries_no_copy_of_the_contactability_rules():
    """Severities only: a legal-basis or proof-method list here would be a second home."""
    expectations = load_checks_config()["suites"]["consent"]["expectations"]
    for name in ("email_legal_basis_allowed", "email_proof_method_for_source", "phone_legal_basis_for_segment"):
        assert set(expectations[name]) == {"severity"}, name
