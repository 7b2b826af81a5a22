"""Hidden propensity drives form types and CRM outcomes; consent data has the expected gaps."""

from __future__ import annotations

import polars as pl

from .helpers import data_files, read_rows
from .test_realism import csv_records


def web_submissions(landing, truth_records) -> pl.DataFrame:
    rows = []
    for relative in [f for f in data_files(landing) if f.startswith("web_forms/")]:
        _, objects = read_rows(landing, relative)
        for i, obj in enumerate(objects, start=1):
            if obj:
                rows.append({"source_file": relative, "source_row": i, "form_type": obj["form_type"],
                             "email_consent": obj["consent"]["email_marketing"],
                             "phone_consent": obj["consent"]["phone_marketing"], "doi": obj["double_opt_in"] is not None})
    return pl.DataFrame(rows).join(truth_records, on=["source_file", "source_row"])


def test_promising_people_ask_for_demos_and_others_for_newsletters(landing, truth_records, truth_people):
    forms = web_submissions(landing, truth_records).join(truth_people.select("person_id", "propensity"), on="person_id")
    mean = dict(forms.group_by("form_type").agg(pl.col("propensity").mean()).iter_rows())
    assert mean["demo_request"] > mean["newsletter"] + 0.1


def test_phone_consent_is_given_mainly_on_callback_forms(landing, truth_records):
    forms = web_submissions(landing, truth_records)
    rate = dict(forms.group_by(pl.col("form_type") == "callback").agg(pl.col("phone_consent").mean()).iter_rows())
    assert rate[True] > 0.5 > 0.1 > rate[False]


def test_most_web_form_sign_ups_grant_email_consent_and_most_confirm_it(landing, truth_records):
    forms = web_submissions(landing, truth_records)
    assert forms["email_consent"].mean() > 0.8
    assert forms.filter(pl.col("email_consent"))["doi"].mean() > 0.6


def test_propensity_predicts_conversion(truth_people):
    ranked = truth_people.with_columns(top=pl.col("propensity") >= pl.col("propensity").quantile(0.75))
    rate = dict(ranked.group_by("top").agg(pl.col("converted").mean()).iter_rows())
    assert rate[True] > 3 * rate[False]


def test_hubspot_lifecycle_dates_follow_the_stage(landing):
    hs = csv_records(landing, "crm_exports/hubspot/", {
        "stage": "Lifecycle Stage", "created": "Create Date", "mql": "Became a Marketing Qualified Lead Date",
        "customer": "Became a Customer Date"})
    assert (hs.filter(pl.col("stage") == "customer")["customer"] != "").all()
    assert (hs.filter(pl.col("stage") == "lead")["mql"] == "").all()
    dated = hs.filter((pl.col("mql") != "") & ~pl.col("created").str.contains("-02-3"))
    assert (dated["mql"] >= dated["created"]).all()


def test_salesforce_conversion_matches_status(landing):
    sf = csv_records(landing, "crm_exports/salesforce/salesforce_leads", {
        "status": "Status", "converted": "IsConverted", "converted_date": "ConvertedDate"})
    converted = sf.filter(pl.col("converted") == "true")
    assert (converted["status"] == "Closed - Converted").all() and (converted["converted_date"] != "").all()
    assert (sf.filter(pl.col("converted") == "false")["converted_date"] == "").all()


def test_purchased_lists_have_consent_proof_on_a_minority_of_rows(landing):
    ad = csv_records(landing, "purchased_lists/adressdirekt/", {"consent": "Einwilligung Werbung", "proof": "Einwilligungsnachweis"})
    assert set(ad["consent"].unique()) == {"ja", "nein", ""}
    assert 0.15 < (ad["proof"] != "").mean() < 0.45
    ls = csv_records(landing, "purchased_lists/leadsource_eu/", {"proof": "consent_proof"})
    assert 0.15 < (ls["proof"] != "").mean() < 0.45


def test_some_crm_opt_outs_belong_to_people_who_consented_on_a_web_form(landing, truth_records, truth_people):
    assert 0.03 < truth_people["crm_opt_out"].mean() < 0.08
    consenting = web_submissions(landing, truth_records).filter(pl.col("email_consent"))["person_id"]
    opted_out = truth_people.filter(pl.col("crm_opt_out"))["person_id"]
    crm_people = truth_records.filter(pl.col("source_kind") == "crm_export")["person_id"]
    conflict = opted_out.filter(opted_out.is_in(consenting.implode()) & opted_out.is_in(crm_people.implode()))
    assert conflict.len() > 0


def test_newsletter_sign_ups_always_leave_an_email_address(landing, truth_records):
    rows = []
    for relative in [f for f in data_files(landing) if f.startswith("web_forms/")]:
        _, objects = read_rows(landing, relative)
        rows += [(relative, i, o["form_type"], o["fields"]["email"], o["fields"]["city"])
                 for i, o in enumerate(objects, start=1) if o]
    forms = pl.DataFrame(rows, schema=["source_file", "source_row", "form_type", "email", "city"], orient="row")
    news = forms.join(truth_records, on=["source_file", "source_row"]).filter(
        (pl.col("form_type") == "newsletter") & pl.col("defect").is_null())
    assert news["email"].null_count() == 0
    assert news["city"].null_count() > news.height / 2
