"""core.lead_records suite: blocking content rules and warning-level fill rates per source."""

from __future__ import annotations

from datetime import timedelta

import pytest
from quality_checks import assert_fails_exactly, ids, run_with_injections, validate
from warehouse_fixture import AS_OF


def _corrupt(conn, assignment, k, where, offset):
    """Applies `assignment` to k records matching `where` (skipping `offset`); returns their ids."""
    chosen = ids(conn, f"select record_id from core.lead_records where {where} "
                       f"order by record_id limit {k} offset {offset}")
    assert len(chosen) == k
    conn.execute(f"update core.lead_records set {assignment} where record_id in (select unnest(?))", [chosen])
    return chosen


def _future_created_at(conn):
    chosen = _corrupt(conn, "created_at = created_at", 4, "true", 20)
    conn.execute("update core.lead_records set created_at = ? where record_id in (select unnest(?))",
                 [AS_OF + timedelta(days=1), chosen])
    return chosen


def _duplicate_record(conn):
    chosen = ids(conn, "select record_id from core.lead_records order by record_id limit 1 offset 40")
    conn.execute("insert into core.lead_records select * from core.lead_records where record_id = ?", chosen)
    return chosen


BLOCKING = {
    "email_syntax": lambda c: _corrupt(c, "email = 'kaputt@@firma.de'", 3, "true", 0),
    "phone_e164": lambda c: _corrupt(c, "phone = '030 1234567'", 2, "true", 5),
    "country_code_iso_alpha2": lambda c: _corrupt(c, "country_code = 'Deutschland'", 2, "true", 10),
    "postcode_valid_for_country": lambda c: _corrupt(c, "postcode = '1234'", 2, "country_code = 'DE'", 15),
    "no_future_timestamps.created_at": _future_created_at,
    "consent_values_allowed.phone": lambda c: _corrupt(c, "phone_consent = 'ja'", 2, "phone_consent = 'unknown'", 30),
    "consent_timestamp_when_granted.email": lambda c: _corrupt(
        c, "email_consent_at = null", 3, "email_consent = 'granted'", 20),
    "record_id_unique": _duplicate_record,
}

def _flagged_future_created_at(conn):
    chosen = _corrupt(conn, "date_issues = 'created_at:future'", 2, "true", 60)
    conn.execute("update core.lead_records set created_at = ? where record_id in (select unnest(?))",
                 [AS_OF + timedelta(days=30), chosen])
    return chosen


TOLERATED = {
    "flagged_future_timestamps.created_at": _flagged_future_created_at,
    "email_syntax": lambda c: _corrupt(c, "email = 'kaputt@@firma.de', email_valid = false", 3, "true", 0),
    "no_future_timestamps.converted_at": lambda c: c.execute(
        "update core.lead_records set converted_at = ?", [AS_OF + timedelta(minutes=1)]),
    "consent_timestamp_when_granted.email": lambda c: _corrupt(
        c, "email_consent = 'denied', email_consent_at = null", 3, "email_consent = 'granted'", 0),
    "postcode_valid_for_country": lambda c: None,  # Austrian four-digit postcodes in the fixture
}


@pytest.fixture(scope="module")
def corrupted(template_path, tmp_path_factory):
    return run_with_injections(template_path, tmp_path_factory.mktemp("lr_bad"), "lead_records", BLOCKING)


@pytest.fixture(scope="module")
def tolerated(template_path, tmp_path_factory):
    return run_with_injections(template_path, tmp_path_factory.mktemp("lr_ok"), "lead_records", TOLERATED)[0]


def test_clean_records_pass(warehouse):
    outcome = validate(warehouse, "lead_records")
    assert outcome.passed, outcome.failures
    assert outcome.severity is None
    assert outcome.statistics["evaluated_expectations"] > 10


def test_valid_flagged_email_with_bad_syntax_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "email_syntax", 3, injected["email_syntax"])


def test_phone_not_in_e164_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "phone_e164", 2, injected["phone_e164"])


def test_country_code_outside_iso_alpha2_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "country_code_iso_alpha2", 2, injected["country_code_iso_alpha2"])


def test_postcode_invalid_for_its_country_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "postcode_valid_for_country", 2, injected["postcode_valid_for_country"])


def test_timestamp_in_the_future_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "no_future_timestamps.created_at", 4, injected["no_future_timestamps.created_at"])


def test_consent_value_outside_allowed_set_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "consent_values_allowed.phone", 2, injected["consent_values_allowed.phone"])


def test_granted_consent_without_timestamp_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "consent_timestamp_when_granted.email", 3,
                         injected["consent_timestamp_when_granted.email"])


def test_duplicate_record_id_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "record_id_unique", 2, injected["record_id_unique"])


def test_each_injected_violation_fails_only_its_own_rule(corrupted):
    outcome, injected = corrupted
    assert {e.name for e in outcome.failures} == set(injected)


def test_email_flagged_invalid_is_not_judged_for_syntax(tolerated):
    assert tolerated.outcome("email_syntax").success


def test_future_timestamp_flagged_by_normalization_only_warns(tolerated):
    assert tolerated.outcome("no_future_timestamps.created_at").success
    flagged = tolerated.outcome("flagged_future_timestamps.created_at")
    assert not flagged.success
    assert flagged.severity == "warn"
    assert flagged.unexpected_count == 2


def test_timestamp_within_clock_skew_passes(tolerated):
    assert tolerated.outcome("no_future_timestamps.converted_at").success


def test_denied_consent_without_timestamp_passes(tolerated):
    assert tolerated.outcome("consent_timestamp_when_granted.email").success


def test_austrian_four_digit_postcode_passes(tolerated, warehouse):
    assert ids(warehouse, "select record_id from core.lead_records where country_code = 'AT' and length(postcode) = 4")
    assert tolerated.outcome("postcode_valid_for_country").success


def test_half_empty_vendor_delivery_is_a_warning_not_a_block(warehouse):
    warehouse.execute("update core.lead_records set phone = null where source_system = 'adressdirekt'")
    outcome = validate(warehouse, "lead_records")
    fill = outcome.outcome("fill_rate_per_source")
    assert outcome.passed
    assert outcome.severity == "warn"
    assert fill.severity == "warn"
    assert fill.unexpected_count == 1
    assert fill.sample_ids == ("adressdirekt:phone",)


def test_date_field_that_mostly_failed_to_parse_is_a_warning_naming_file_and_field(warehouse):
    warehouse.execute("""
        update audit.field_parse_rates set parsed = (non_empty * 0.9)::bigint
        where source_file = 'purchased_lists/adressdirekt/batch_0.csv'""")
    outcome = validate(warehouse, "lead_records")
    dates = outcome.outcome("dates_parse")
    assert outcome.passed and outcome.severity == "warn"
    assert not dates.success and dates.unexpected_count == 1
    assert dates.sample_ids[0].startswith("purchased_lists/adressdirekt/batch_0.csv@")
    assert dates.sample_ids[0].endswith(":created_at")


def test_date_field_at_the_threshold_passes(warehouse):
    warehouse.execute("update audit.field_parse_rates set parsed = ceil(non_empty * 0.95)::bigint")
    assert validate(warehouse, "lead_records").outcome("dates_parse").success
