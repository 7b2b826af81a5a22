"""mart_contactability and the consent quality suite apply one contactability rule set.

Both read the rule seeds (consent_proof_methods, consent_proof_sources, contactability_rules):
the mart in dbt, the suite through quality/contactability.py. These tests fail as soon as the
mart decides something the suite's reading of the seeds would not allow, or the other way round.
"""

from __future__ import annotations

import shutil
from datetime import datetime, time

import duckdb
import pytest
from dbt_cli import read

from quality import run_suite
from quality.contactability import load_contactability_rules


@pytest.fixture(scope="module")
def built(built_warehouse):
    return built_warehouse


def test_accepted_consent_methods_are_the_seeded_proof_methods(built):
    rules = load_contactability_rules()
    seen = read(built.warehouse, """
        select distinct channel, consent_method, is_accepted_method
        from intermediate.int_lead_channel_consents where consent_method is not null
    """)
    assert seen.height > 0
    for channel, method, accepted in seen.iter_rows():
        assert accepted == ((channel, method) in rules.proof_methods), (channel, method)


def test_every_legal_basis_the_mart_gives_is_one_the_consent_suite_allows(built):
    rules = load_contactability_rules()
    allowed = {("email", s, b) for s in ("b2b", "b2c") for b in rules.email_legal_bases()}
    allowed |= {("phone", s, b) for s, bases in rules.phone_legal_bases_by_segment().items() for b in bases}
    given = read(built.warehouse, """
        select distinct c.channel, g.segment, c.legal_basis
        from marts.mart_contactability c join core.golden_leads g using (lead_id)
        where c.is_contactable and c.channel in ('email', 'phone')
    """)
    assert {row[2] for row in given.iter_rows()} >= {"consent_with_proof", "presumed_b2b_phone_consent"}
    assert set(given.iter_rows()) <= allowed


def test_the_consent_suite_passes_the_legal_bases_of_the_dbt_built_mart(built, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built.warehouse, copy)
    with duckdb.connect(str(copy)) as conn:
        outcome = run_suite(conn, "consent", now=datetime.combine(built.truth.as_of, time()))
    for name in ("email_legal_basis_allowed", "phone_legal_basis_for_segment"):
        result = outcome.outcome(name)
        assert result.success, (name, result)
        assert result.element_count > 0
