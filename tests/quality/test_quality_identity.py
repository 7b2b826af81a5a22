"""identity suite: unique leads, one lead per record, traceable golden fields, bounded clusters."""

from __future__ import annotations

import pytest
from quality_checks import assert_fails_exactly, ids, run_with_injections, validate

from quality.config import load_checks_config

SECONDARY_RECORDS = "select record_id from core.lead_identity where record_id like 'salesforce:%' order by record_id"


def _duplicate_golden_lead(conn):
    chosen = ids(conn, "select lead_id from core.golden_leads order by lead_id limit 2 offset 100")
    conn.execute("insert into core.golden_leads select * from core.golden_leads where lead_id in (select unnest(?))",
                 [chosen])
    return chosen


def _unmapped_records(conn):
    chosen = ids(conn, SECONDARY_RECORDS + " limit 2 offset 0")
    conn.execute("delete from core.lead_identity where record_id in (select unnest(?))", [chosen])
    return chosen


def _record_in_two_leads(conn):
    chosen = ids(conn, SECONDARY_RECORDS + " limit 1 offset 2")
    conn.execute("insert into core.lead_identity select record_id, 'L00000001', 'email_exact', 0.9, assigned_at "
                 "from core.lead_identity where record_id = ?", chosen)
    return chosen


def _mapped_to_unknown_lead(conn):
    chosen = ids(conn, SECONDARY_RECORDS + " limit 3 offset 4")
    conn.execute("update core.lead_identity set lead_id = 'L_RETIRED' where record_id in (select unnest(?))", [chosen])
    return chosen


def _untraceable_fields(conn):
    chosen = ids(conn, "select lead_id from core.golden_leads order by lead_id limit 3 offset 10")
    conn.execute("update core.golden_leads set company__record_id = 'nowhere:1' where lead_id = ?", chosen[:1])
    # A field naming a record that belongs to another lead is not traceable either.
    conn.execute("update core.golden_leads set email__record_id = 'web_forms:1' where lead_id = ?", chosen[1:2])
    conn.execute("update core.golden_leads set email_consent = 'granted', email_consent_record_id = null "
                 "where lead_id = ?", chosen[2:3])
    return chosen


def _oversized_cluster(conn):
    bound = load_checks_config()["suites"]["identity"]["expectations"]["cluster_size_bounded"]["max_records_per_lead"]
    lead = ids(conn, "select lead_id from core.golden_leads where lead_id = 'L00000007'")
    conn.execute("insert into core.lead_identity select 'extra:' || i::varchar, ?, 'email_exact', 0.9, now() "
                 "from range(?) t(i)", [lead[0], bound])
    return lead


BLOCKING = {
    "lead_id_unique": _duplicate_golden_lead,
    "record_mapped_once": lambda c: _unmapped_records(c) + _record_in_two_leads(c),
    "mapped_lead_exists": _mapped_to_unknown_lead,
    "golden_fields_traceable": _untraceable_fields,
    "cluster_size_bounded": _oversized_cluster,
}


@pytest.fixture(scope="module")
def corrupted(template_path, tmp_path_factory):
    return run_with_injections(template_path, tmp_path_factory.mktemp("id_bad"), "identity", BLOCKING)


def test_clean_identity_passes(warehouse):
    outcome = validate(warehouse, "identity")
    assert outcome.passed, outcome.failures


def test_duplicate_lead_id_fails_for_every_copy(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "lead_id_unique", 4, injected["lead_id_unique"])


def test_record_without_lead_or_with_two_leads_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "record_mapped_once", 3, injected["record_mapped_once"])


def test_record_mapped_to_unknown_lead_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "mapped_lead_exists", 3, injected["mapped_lead_exists"])


def test_golden_field_without_source_record_of_the_lead_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "golden_fields_traceable", 3, injected["golden_fields_traceable"])


def test_cluster_above_configured_bound_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "cluster_size_bounded", 1, injected["cluster_size_bounded"])


def test_cluster_bound_is_configuration(warehouse):
    config = load_checks_config()
    strict = {"suites": {**config["suites"], "identity": {"expectations": {
        **config["suites"]["identity"]["expectations"],
        "cluster_size_bounded": {"severity": "error", "max_records_per_lead": 1}}}}}
    multi_record_leads = ids(warehouse, "select lead_id from core.lead_identity group by lead_id having count(*) > 1")
    outcome = validate(warehouse, "identity", config=strict)
    assert multi_record_leads
    assert outcome.outcome("cluster_size_bounded").unexpected_count == len(multi_record_leads)
