import polars as pl

from ingest.normalize import normalize_batch


def _normalize(make_raw, formats, now, kind, system, contract, rows):
    table = {"purchased_list": "raw.purchased_list_records", "web_form": "raw.web_form_submissions",
             "crm_export": "raw.crm_records"}[kind]
    return normalize_batch({table: make_raw(kind, system, contract, rows)}, formats=formats, now=now)


def _lead(batch) -> dict:
    return batch.lead_records.row(0, named=True)


def test_vendor_proof_grants_email_consent(make_raw, formats, now):
    batch = _normalize(make_raw, formats, now, "purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": "Koch", "consent_email": "ja", "consent_proof": "VP-77", "consent_at": "04.03.2025"}])
    lead = _lead(batch)
    assert (lead["email_consent"], lead["email_consent_proof"], lead["email_consent_source"]) == (
        "granted", "VP-77", "adressdirekt:vendor_proof")
    assert batch.consent_records.select("method", "status").row(0) == ("vendor_proof", "granted")


def test_purchased_address_without_proof_stays_unknown(make_raw, formats, now):
    batch = _normalize(make_raw, formats, now, "purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": "Koch", "consent_email": "ja", "consent_proof": None}])
    assert _lead(batch)["email_consent"] == "unknown"
    assert batch.consent_records.height == 0


def test_form_checkbox_with_double_opt_in_is_proven_email_consent(make_raw, formats, now):
    batch = _normalize(make_raw, formats, now, "web_form", "web_forms", "web_forms", [
        {"source_record_id": "s1", "email": "a@firma.de", "form_type": "whitepaper", "consent_email": "true",
         "created_at": "2025-03-04T10:00:00+01:00", "doi_confirmation_id": "DOI-1",
         "doi_confirmed_at": "2025-03-04T10:05:00+01:00", "consent_text_version": "v2"}])
    lead = _lead(batch)
    assert (lead["email_consent"], lead["email_consent_proof"]) == ("granted", "DOI-1")
    assert lead["phone_consent"] == "unknown"  # a double opt-in is never phone consent
    record = batch.consent_records.row(0, named=True)
    assert (record["method"], record["consent_text_version"], record["purpose"]) == ("double_opt_in", "v2", "advertising")


def test_form_checkbox_without_double_opt_in_has_no_proof(make_raw, formats, now):
    batch = _normalize(make_raw, formats, now, "web_form", "web_forms", "web_forms", [
        {"source_record_id": "s2", "email": "a@firma.de", "form_type": "newsletter", "consent_email": "true",
         "consent_phone": "true", "created_at": "2025-03-04T10:00:00+01:00"}])
    records = batch.consent_records.sort("channel").select("channel", "purpose", "method", "proof_ref").rows()
    assert records == [("email", "newsletter", "checkbox", None), ("phone", "advertising", "checkbox", None)]
    assert _lead(batch)["phone_consent"] == "granted"


def test_crm_opt_out_is_a_refusal_and_sets_do_not_flags(make_raw, formats, now):
    batch = _normalize(make_raw, formats, now, "crm_export", "salesforce", "salesforce_leads_api", [
        {"source_record_id": "00Q1", "crm_id": "00Q1", "email": "a@firma.de", "opt_out_email": "true",
         "do_not_call": "true"}])
    lead = _lead(batch)
    assert (lead["email_consent"], lead["phone_consent"], lead["do_not_email"], lead["do_not_call"]) == (
        "denied", "denied", True, True)
    assert set(batch.consent_records["method"]) == {"crm_flag"}


def test_opt_out_wins_over_a_grant_for_the_same_record():
    from datetime import datetime

    from ingest.normalize.consent import consent_columns

    rows = pl.DataFrame({
        "consent_id": ["r:email:newsletter", "r:email:advertising"], "record_id": ["r", "r"],
        "channel": ["email", "email"], "purpose": ["newsletter", "advertising"],
        "status": ["granted", "denied"], "given_at": [datetime(2026, 1, 1), None],
        "withdrawn_at": [None, None], "source_kind": ["crm_export"] * 2, "source_system": ["hubspot"] * 2,
        "method": ["double_opt_in", "crm_flag"], "proof_ref": ["DOI", None], "consent_text_version": [None, None],
    }, schema_overrides={"withdrawn_at": pl.Datetime("us"), "given_at": pl.Datetime("us")})
    wide = consent_columns(rows.lazy(), datetime(2026, 11, 1)).collect().row(0, named=True)
    assert (wide["email_consent"], wide["email_consent_source"]) == ("denied", "hubspot:crm_flag")


def _single_grant(given_at):
    from ingest.normalize.consent import consent_columns

    rows = pl.DataFrame({
        "consent_id": ["r:email:advertising"], "record_id": ["r"], "channel": ["email"],
        "purpose": ["advertising"], "status": ["granted"], "given_at": [given_at], "withdrawn_at": [None],
        "source_kind": ["web_form"], "source_system": ["web_forms"], "method": ["double_opt_in"],
        "proof_ref": ["DOI"], "consent_text_version": [None],
    }, schema_overrides={"withdrawn_at": pl.Datetime("us"), "given_at": pl.Datetime("us")})
    from datetime import datetime

    return consent_columns(rows.lazy(), datetime(2026, 11, 1)).collect()


def test_grant_without_a_time_does_not_count_as_consent():
    assert _single_grant(None).height == 0


def test_grant_dated_in_the_future_does_not_count_as_consent():
    from datetime import datetime

    assert _single_grant(datetime(2027, 1, 1)).height == 0


def test_grant_with_a_past_time_counts_as_consent():
    from datetime import datetime

    wide = _single_grant(datetime(2026, 10, 1)).row(0, named=True)
    assert (wide["email_consent"], wide["email_consent_at"]) == ("granted", datetime(2026, 10, 1))
