"""consent suite (DSGVO / UWG §7): contactable leads carry the consent and proof they need."""

from __future__ import annotations

import pytest
from quality_checks import assert_fails_exactly, ids, run_with_injections, validate

LEADS = """
    select c.lead_id from marts.mart_contactability c
    join core.golden_leads g using (lead_id)
    join core.lead_records r on r.record_id = g.email__record_id
    where {where} order by c.lead_id limit {k} offset {offset}
"""
EMAILABLE = "c.channel = 'email' and c.is_contactable and r.source_kind = '{kind}'"


def _leads(conn, where, k, offset=0):
    chosen = ids(conn, LEADS.format(where=where, k=k, offset=offset))
    assert len(chosen) == k
    return chosen


def _update(conn, table, assignment, chosen, extra=""):
    conn.execute(f"update {table} set {assignment} where lead_id in (select unnest(?)) {extra}", [chosen])
    return chosen


def _golden(assignment, kind, k, offset):
    return lambda c: _update(c, "core.golden_leads", assignment, _leads(c, EMAILABLE.format(kind=kind), k, offset))


def _without_consent_record(conn):
    chosen = _leads(conn, EMAILABLE.format(kind="purchased_list"), 2, 2)
    conn.execute("delete from core.consent_records where record_id in "
                 "(select email_consent_record_id from core.golden_leads where lead_id in (select unnest(?)))", [chosen])
    return chosen


def _web_form_without_double_opt_in(conn):
    chosen = _leads(conn, EMAILABLE.format(kind="web_form"), 2, 7)
    conn.execute("update core.consent_records set method = 'checkbox' where channel = 'email' and record_id in "
                 "(select email_consent_record_id from core.golden_leads where lead_id in (select unnest(?)))", [chosen])
    return chosen


def _phone_rows(conn, where, k, offset=0):
    return _leads(conn, f"c.channel = 'phone' and {where}", k, offset)


def _phone_basis_not_allowed_for_segment(conn):
    b2c = _phone_rows(conn, "g.segment = 'b2c' and not c.is_contactable and r.source_kind = 'crm_export'", 2)
    b2b = _phone_rows(conn, "g.segment = 'b2b' and c.is_contactable and r.source_kind = 'crm_export'", 1, 5)
    _update(conn, "marts.mart_contactability", "is_contactable = true, legal_basis = 'presumed_b2b_phone_consent'",
            b2c, "and channel = 'phone'")
    _update(conn, "marts.mart_contactability", "legal_basis = 'legitimate_interest'", b2b, "and channel = 'phone'")
    return b2c + b2b


def _phone_claimed_consent_missing(conn):
    chosen = _phone_rows(conn, "g.segment = 'b2c' and not c.is_contactable and r.source_kind = 'purchased_list'", 2)
    return _update(conn, "marts.mart_contactability", "is_contactable = true, legal_basis = 'consent_with_proof'",
                   chosen, "and channel = 'phone'")


def _phone_consent_after_contact(conn):
    chosen = _phone_rows(conn, "c.is_contactable and g.phone_consent = 'granted'", 2)
    return _update(conn, "core.golden_leads", "phone_consent_at = phone_consent_at + interval 2 day", chosen)


BLOCKING = {
    "email_consent_proof": _golden("email_consent_proof = null", "web_form", 3, 0),
    "email_consent_timestamp": _golden("email_consent_at = null", "web_form", 2, 3),
    "email_consent_source": _golden("email_consent_source = null", "web_form", 2, 5),
    "email_consent_granted": _golden("email_consent = 'unknown'", "purchased_list", 2, 0),
    "email_proof_method_for_source.purchased": _without_consent_record,
    "email_proof_method_for_source.web_form": _web_form_without_double_opt_in,
    "email_consent_before_first_contact": _golden("email_consent_at = email_consent_at + interval 2 day",
                                                  "web_form", 2, 9),
    "email_not_opted_out": _golden("do_not_email = true", "web_form", 2, 11),
    "email_legal_basis_allowed": lambda c: _update(
        c, "marts.mart_contactability", "legal_basis = 'legitimate_interest'",
        _leads(c, EMAILABLE.format(kind="web_form"), 2, 13), "and channel = 'email'"),
    "phone_not_opted_out": lambda c: _update(
        c, "core.golden_leads", "do_not_call = true",
        _phone_rows(c, "c.is_contactable and r.source_kind = 'crm_export'", 2)),
    "phone_legal_basis_for_segment": _phone_basis_not_allowed_for_segment,
    "phone_express_consent": _phone_claimed_consent_missing,
    "phone_consent_before_first_contact": _phone_consent_after_contact,
}


@pytest.fixture(scope="module")
def corrupted(template_path, tmp_path_factory):
    return run_with_injections(template_path, tmp_path_factory.mktemp("consent_bad"), "consent", BLOCKING)


def test_clean_consent_passes(warehouse):
    outcome = validate(warehouse, "consent")
    assert outcome.passed, outcome.failures
    assert outcome.outcome("phone_legal_basis_for_segment").element_count > 0


@pytest.mark.parametrize(("name", "count"), [
    ("email_consent_proof", 3),
    ("email_consent_timestamp", 2),
    ("email_consent_source", 2),
    ("email_consent_granted", 2),
    ("email_not_opted_out", 2),
    ("email_legal_basis_allowed", 2),
    ("phone_not_opted_out", 2),
    ("phone_consent_before_first_contact", 2),
])
def test_contactable_lead_missing_required_consent_fails(corrupted, name, count):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, name, count, injected[name])


def test_email_consent_given_after_first_contact_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "email_consent_before_first_contact", 2,
                         injected["email_consent_before_first_contact"])


def test_purchased_address_without_vendor_proof_and_web_form_without_double_opt_in_fail(corrupted):
    outcome, injected = corrupted
    expected = injected["email_proof_method_for_source.purchased"] + injected["email_proof_method_for_source.web_form"]
    assert_fails_exactly(outcome, "email_proof_method_for_source", 4, expected)


def test_b2c_phone_on_presumed_consent_and_unlabelled_b2b_phone_fail(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "phone_legal_basis_for_segment", 3, injected["phone_legal_basis_for_segment"])


def test_phone_contact_claiming_express_consent_needs_granted_consent_with_timestamp(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "phone_express_consent_granted", 2, injected["phone_express_consent"])
    assert_fails_exactly(outcome, "phone_express_consent_timestamp", 2, injected["phone_express_consent"])


def test_low_consent_proof_coverage_is_a_warning(warehouse):
    warehouse.execute("update core.lead_records set email_consent_proof = null, phone_consent_proof = null "
                      "where source_system = 'web_forms'")
    outcome = validate(warehouse, "consent")
    coverage = outcome.outcome("consent_proof_coverage")
    assert outcome.passed
    assert outcome.severity == "warn"
    assert coverage.unexpected_count == 1
    assert coverage.sample_ids == ("web_forms",)


def _crm_activity_before_email_consent(conn):
    chosen = _leads(conn, EMAILABLE.format(kind="web_form"), 2, 20)
    conn.execute(
        """insert into core.touchpoints
           select 'early:' || i.record_id, i.record_id, 'crm_activity', g.email_consent_at - interval 10 day,
                  'crm_export', 'hubspot', 0.0, null
           from core.lead_identity i join core.golden_leads g using (lead_id)
           where i.lead_id in (select unnest(?))
           qualify row_number() over (partition by i.lead_id order by i.record_id) = 1""",
        [chosen],
    )
    return chosen


@pytest.fixture(scope="module")
def crm_activity_before_consent(template_path, tmp_path_factory):
    return run_with_injections(template_path, tmp_path_factory.mktemp("consent_crm"), "consent",
                               {"email_consent_before_unknown_channel_contact": _crm_activity_before_email_consent})


def test_consent_given_after_a_crm_activity_of_unknown_channel_only_warns(crm_activity_before_consent):
    outcome, injected = crm_activity_before_consent
    warned = outcome.outcome("email_consent_before_unknown_channel_contact")
    assert outcome.passed
    assert not warned.success
    assert warned.severity == "warn"
    assert warned.unexpected_count == 2
    assert set(warned.sample_ids) == set(injected["email_consent_before_unknown_channel_contact"])
