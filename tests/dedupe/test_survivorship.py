"""Golden lead rules: which record's value wins, and how consent is combined."""

from datetime import datetime

import polars as pl

from ingest.dedupe.survivorship import build_golden_leads

from .frames import records

JAN, FEB, MAR = datetime(2025, 1, 1), datetime(2025, 2, 1), datetime(2025, 3, 1)


def golden_of(*rows: dict) -> dict:
    frame = records(*rows)
    identity = frame.select("record_id", lead_id=pl.lit("L1"))
    golden = build_golden_leads(frame, identity)
    assert golden.height == 1
    return golden.row(0, named=True)


def test_crm_value_wins_over_form_and_purchased_list():
    golden = golden_of(
        {"source_kind": "purchased_list", "job_title": "Einkauf", "created_at": MAR},
        {"source_kind": "crm_export", "job_title": "Leiter Einkauf", "created_at": JAN},
        {"source_kind": "web_form", "job_title": "Head of Purchasing", "created_at": FEB},
    )
    assert golden["job_title"] == "Leiter Einkauf"
    assert golden["job_title__record_id"] == "r2"


def test_most_recent_wins_between_equal_sources():
    golden = golden_of(
        {"source_kind": "web_form", "industry": "Handel", "created_at": JAN},
        {"source_kind": "web_form", "industry": "Logistik", "created_at": MAR},
    )
    assert golden["industry"] == "Logistik"
    assert golden["industry__record_id"] == "r2"


def test_valid_email_wins_over_invalid_from_a_better_source():
    golden = golden_of(
        {"source_kind": "crm_export", "email": "max@@a.de", "email_valid": False},
        {"source_kind": "purchased_list", "email": "max@a.de", "email_valid": True},
    )
    assert golden["email"] == "max@a.de"
    assert golden["email_valid"] is True
    assert golden["email__record_id"] == "r2"


def test_missing_values_never_win():
    golden = golden_of(
        {"source_kind": "crm_export", "first_name": None, "last_name": "Weber"},
        {"source_kind": "purchased_list", "first_name": "Klaus", "last_name": "Weber"},
    )
    assert golden["first_name"] == "Klaus"
    assert golden["first_name__record_id"] == "r2"


def test_address_parts_come_from_one_record():
    golden = golden_of(
        {"source_kind": "crm_export", "street": "Ring", "house_number": None, "postcode": "10115", "city": "Berlin"},
        {"source_kind": "purchased_list", "street": "Hauptstr.", "house_number": "5", "postcode": "80331", "city": "München"},
    )
    picked = golden["street__record_id"]
    assert golden["postcode__record_id"] == golden["city__record_id"] == picked
    # The complete address beats the better source with a gap.
    assert (golden["street"], golden["house_number"], golden["postcode"]) == ("Hauptstr.", "5", "80331")


def test_opt_out_anywhere_wins_over_grants():
    golden = golden_of(
        {"source_kind": "web_form", "email_consent": "granted", "email_consent_at": MAR,
         "email_consent_proof": "doi-123", "do_not_email": False},
        {"source_kind": "crm_export", "email_consent": "unknown", "do_not_email": True},
    )
    assert golden["email_consent"] == "denied"
    assert golden["do_not_email"] is True
    assert golden["email_consent_record_id"] == "r2"


def test_newest_grant_keeps_its_own_proof():
    golden = golden_of(
        {"source_kind": "purchased_list", "email_consent": "granted", "email_consent_at": JAN,
         "email_consent_proof": "vendor-77", "email_consent_source": "adressdirekt"},
        {"source_kind": "web_form", "email_consent": "granted", "email_consent_at": FEB,
         "email_consent_proof": "doi-123", "email_consent_source": "web_forms"},
    )
    assert (golden["email_consent"], golden["email_consent_at"], golden["email_consent_proof"],
            golden["email_consent_source"], golden["email_consent_record_id"]) == (
        "granted", FEB, "doi-123", "web_forms", "r2")


def test_channel_without_any_statement_is_unknown():
    golden = golden_of({"source_kind": "web_form", "phone_consent": None})
    assert golden["phone_consent"] == "unknown"
    assert golden["phone_consent_record_id"] is None
    assert golden["do_not_call"] is False


def test_lineage_summary_counts_records_sources_and_dates():
    golden = golden_of(
        {"source_kind": "web_form", "source_system": "web_forms", "created_at": FEB},
        {"source_kind": "crm_export", "source_system": "hubspot", "created_at": JAN},
        {"source_kind": "crm_export", "source_system": "salesforce", "created_at": MAR},
    )
    assert golden["record_count"] == 3
    assert golden["source_kinds"] == "crm_export,web_form"
    assert golden["source_systems"] == "hubspot,salesforce,web_forms"
    assert (golden["first_seen_at"], golden["last_seen_at"]) == (JAN, MAR)


def test_a_lead_of_one_record_gets_what_the_general_rules_give():
    from ingest.dedupe.survivorship import SurvivorshipConfig, _golden_of_shared

    frame = records(
        {"source_kind": "web_form", "source_system": "web_forms", "email": "a@b.de", "email_valid": True,
         "email_consent": "granted", "email_consent_at": MAR, "email_consent_proof": "doi-1",
         "street": "Ring", "postcode": None, "created_at": JAN, "ingested_at": FEB},
        {"source_kind": None, "source_system": None, "email": None, "email_valid": None,
         "email_consent": "unknown", "do_not_email": True, "phone_consent": "denied",
         "street": None, "postcode": "10115", "created_at": None, "ingested_at": MAR},
        {"source_kind": "crm_export", "source_system": "hubspot", "email": "x@y.de", "email_valid": False,
         "email_consent": None, "email_consent_proof": "vendor-9", "do_not_call": None,
         "first_name": "Jörg", "last_name": None,
         "created_at": FEB, "ingested_at": MAR},
    )
    identity = frame.select("record_id", lead_id=pl.concat_str(pl.lit("L"), "record_id"))
    golden = build_golden_leads(frame, identity)
    config = SurvivorshipConfig.load()
    general = _golden_of_shared(
        frame.with_columns(lead_id=identity["lead_id"]).lazy(), set(frame.columns), config
    ).with_columns(pl.col(f"{c}_consent").fill_null("unknown") for c in config.consent_channels)
    assert golden.to_dicts() == general.select(golden.columns).sort("lead_id").to_dicts()
