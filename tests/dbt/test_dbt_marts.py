"""The marts, built by `dbt build` on a small realistic core warehouse, behave as specified."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from dbt_cli import DBT_PROJECT_DIR, read
from fixture_warehouse import FixtureTruth


@pytest.fixture(scope="module")
def built(built_warehouse) -> tuple[Path, FixtureTruth]:
    return built_warehouse.warehouse, built_warehouse.truth


def _score(warehouse: Path, lead_id: str) -> dict:
    rows = read(warehouse, "select * from marts.mart_lead_scores where lead_id = ?", [lead_id])
    assert rows.height == 1
    return rows.row(0, named=True)


def _contactability(warehouse: Path, lead_id: str, channel: str) -> dict:
    rows = read(
        warehouse,
        "select * from marts.mart_contactability where lead_id = ? and channel = ?",
        [lead_id, channel],
    )
    assert rows.height == 1
    return rows.row(0, named=True)


def test_demo_request_from_c_level_in_target_industry_is_hot_mql(built):
    warehouse, truth = built
    score = _score(warehouse, truth.hot_lead_id)
    assert score["rating"] == "hot"
    assert score["lifecycle_stage"] == "mql"
    assert score["funnel_stage"] == "mofu"


def test_score_explanation_names_the_rules_that_gave_points(built):
    warehouse, truth = built
    explanation = _score(warehouse, truth.hot_lead_id)["score_explanation"]
    assert "seniority (c_level)" in explanation
    assert "industry_in_target_list (software/it)" in explanation
    assert "demo_request x1" in explanation


def test_crm_lifecycle_stage_wins_over_the_computed_stage(built):
    warehouse, truth = built
    score = _score(warehouse, truth.existing_customer_lead_id)
    assert score["computed_lifecycle_stage"] == "lead"
    assert score["lifecycle_stage"] == "customer"
    assert score["lifecycle_stage_source"] == "crm"


def test_every_golden_lead_gets_one_score_within_0_and_100(built):
    warehouse, truth = built
    scores = read(warehouse, "select lead_id, lead_score, fit_score, engagement_score from marts.mart_lead_scores")
    assert scores.height == truth.lead_count
    assert scores["lead_id"].n_unique() == truth.lead_count
    for column in ("lead_score", "fit_score", "engagement_score"):
        assert scores[column].min() >= 0
        assert scores[column].max() <= 100
    assert scores["lead_score"].n_unique() > 10  # scores spread, not a constant


def test_engagement_points_halve_every_half_life(built):
    warehouse, _ = built
    rows = read(
        warehouse,
        """
        select e.decayed_points, e.days_since_last, w.points
        from intermediate.int_lead_engagement_points as e
        join rules.scoring_engagement_weights as w using (touchpoint_type)
        where e.touchpoint_count = 1 and w.points > 0
        """,
    )
    assert rows.height > 20
    expected = rows["points"] * (0.5 ** (rows["days_since_last"] / 90))
    assert (rows["decayed_points"] - expected).abs().max() < 1e-9


def test_opted_out_lead_is_never_email_contactable(built):
    warehouse, truth = built
    email = _contactability(warehouse, truth.opted_out_lead_id, "email")
    # The lead has double opt-in consent and is a customer, yet unsubscribed in the CRM.
    assert email["consent_status"] == "granted"
    assert email["is_contactable"] is False
    assert email["legal_basis"] == "none"
    assert email["reason"] == "opted_out"


def test_no_lead_with_an_email_opt_out_is_email_contactable(built):
    warehouse, _ = built
    leaks = read(
        warehouse,
        """
        select c.lead_id
        from marts.mart_contactability as c
        join core.golden_leads as g using (lead_id)
        where c.channel = 'email' and c.is_contactable and g.do_not_email
        """,
    )
    opted_out = read(warehouse, "select count(*) as n from core.golden_leads where do_not_email")
    assert opted_out["n"][0] > 5
    assert leaks.height == 0


def test_purchased_address_without_proof_is_not_email_contactable(built):
    warehouse, truth = built
    email = _contactability(warehouse, truth.purchased_without_proof_lead_id, "email")
    assert email["consent_status"] == "granted"
    assert email["is_contactable"] is False
    assert email["reason"] == "consent_without_proof"


def test_purchased_address_with_vendor_proof_is_email_contactable(built):
    warehouse, truth = built
    email = _contactability(warehouse, truth.purchased_with_proof_lead_id, "email")
    assert email["is_contactable"] is True
    assert email["legal_basis"] == "consent_with_proof"


def test_existing_customer_without_consent_is_not_emailed_by_default(built):
    warehouse, truth = built
    email = _contactability(warehouse, truth.existing_customer_lead_id, "email")
    assert email["consent_status"] == "unknown"
    assert email["is_contactable"] is False
    assert email["legal_basis"] == "none"
    assert email["reason"] == "no_consent"


def test_b2b_business_phone_is_callable_on_presumed_consent(built):
    warehouse, truth = built
    phone = _contactability(warehouse, truth.b2b_phone_lead_id, "phone")
    assert phone["is_contactable"] is True
    assert phone["legal_basis"] == "presumed_b2b_phone_consent"


def test_b2c_phone_without_express_consent_is_not_callable(built):
    warehouse, truth = built
    phone = _contactability(warehouse, truth.b2c_phone_lead_id, "phone")
    assert phone["is_contactable"] is False
    assert phone["reason"] == "no_express_consent"


def test_every_lead_has_one_contactability_row_per_channel(built):
    warehouse, truth = built
    rows = read(warehouse, "select channel, count(distinct lead_id) as leads, count(*) as n from marts.mart_contactability group by channel")
    assert sorted(rows["channel"].to_list()) == ["email", "phone", "postal"]
    assert rows["leads"].to_list() == [truth.lead_count] * 3
    assert rows["n"].to_list() == [truth.lead_count] * 3


def test_source_duplicate_rates_match_the_fixture_truth(built):
    warehouse, truth = built
    rows = read(warehouse, "select source_kind, source_system, source_detail, duplicate_rate from marts.mart_source_performance")
    measured = {(r["source_kind"], r["source_system"], r["source_detail"]): r["duplicate_rate"] for r in rows.iter_rows(named=True)}
    assert measured.keys() == truth.duplicate_rate_by_source.keys()
    for source, expected in truth.duplicate_rate_by_source.items():
        assert measured[source] == pytest.approx(expected, abs=1e-9), source
    assert max(truth.duplicate_rate_by_source.values()) > 0.1


def test_source_contact_data_rates_count_what_each_source_delivered(built):
    warehouse, _ = built
    expected = read(warehouse, """
        select r.source_kind, r.source_system, coalesce(r.form_type, r.source_system) as source_detail,
               avg(case when r.email_raw is not null and not coalesce(r.email_valid, false) then 1 else 0 end) as invalid_email_rate,
               avg(case when r.email_raw is null then 1 else 0 end) as missing_email_rate,
               avg(case when r.phone_raw is not null and not coalesce(r.phone_valid, false) then 1 else 0 end) as invalid_phone_rate
        from core.lead_records r join core.lead_identity i using (record_id)
        group by all
    """)
    measured = read(warehouse, """
        select source_kind, source_system, source_detail, invalid_email_rate, missing_email_rate, invalid_phone_rate
        from marts.mart_source_performance
    """)
    key = ["source_kind", "source_system", "source_detail"]
    joined = expected.join(measured, on=key, how="full", suffix="_mart", coalesce=True)
    assert joined.height == expected.height == measured.height
    for rate in ("invalid_email_rate", "missing_email_rate", "invalid_phone_rate"):
        assert joined[rate].to_list() == pytest.approx(joined[f"{rate}_mart"].to_list(), abs=1e-12), rate
    assert expected["invalid_email_rate"].max() > 0 and expected["invalid_phone_rate"].max() > 0


def test_purchased_list_costs_come_from_the_vendor_price_seed(built):
    warehouse, _ = built
    with open(DBT_PROJECT_DIR / "seeds" / "vendor_prices.csv", newline="") as seed:
        prices = {row["source_system"]: float(row["price_per_record_eur"]) for row in csv.DictReader(seed)}
    rows = read(
        warehouse,
        "select * from marts.mart_source_performance where source_kind = 'purchased_list'",
    )
    assert set(rows["source_system"]) == set(prices)
    for row in rows.iter_rows(named=True):
        price = prices[row["source_system"]]
        assert row["cost_per_record_eur"] == pytest.approx(price)
        assert row["total_cost_eur"] == pytest.approx(price * row["records_delivered"])
        assert row["cost_per_unique_lead_eur"] == pytest.approx(price * row["records_delivered"] / row["unique_people"])
    others = read(warehouse, "select total_cost_eur from marts.mart_source_performance where source_kind <> 'purchased_list'")
    assert others["total_cost_eur"].null_count() == others.height


def test_funnel_counts_every_lead_once_and_stages_shrink(built):
    warehouse, truth = built
    funnel = read(warehouse, "select * from marts.mart_funnel")
    assert funnel["leads"].sum() == truth.lead_count
    totals = [funnel[c].sum() for c in ("leads", "mqls", "sqls", "opportunities", "customers")]
    assert totals == sorted(totals, reverse=True)
    assert totals[-1] > 0
    assert funnel["median_days_lead_to_mql"].drop_nulls().min() >= 0


def _auc(scores: list[float], outcomes: list[bool]) -> float:
    positives = [s for s, o in zip(scores, outcomes, strict=True) if o]
    negatives = [s for s, o in zip(scores, outcomes, strict=True) if not o]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def _decided(warehouse: Path) -> pl.DataFrame:
    """Each lead with a decided outcome on any record (converted or won beats lost), its scores."""
    return read(
        warehouse,
        """
        select s.lead_id, s.lead_score, s.conversion_probability,
               max(r.source_score) filter (where r.source_score is not null) as source_score,
               bool_or(r.outcome in ('converted', 'won')) as converted
        from marts.mart_lead_scores as s
        join core.lead_identity as i using (lead_id)
        join core.lead_records as r using (record_id)
        group by s.lead_id, s.lead_score, s.conversion_probability
        having bool_or(r.outcome in ('converted', 'won', 'lost', 'disqualified'))
        """,
    )


@pytest.mark.parametrize("score_name", ["lead_score", "conversion_probability"])
def test_calibration_auc_equals_pairwise_ranking_of_decided_outcomes(built, score_name):
    warehouse, _ = built
    known = _decided(warehouse).filter(pl.col(score_name).is_not_null())
    expected = _auc(known[score_name].to_list(), known["converted"].to_list())
    calibration = read(
        warehouse, "select * from marts.mart_score_calibration where score_name = ? and source_system = 'all'",
        [score_name],
    )
    overall = calibration.filter(pl.col("calibration_group") == "overall").row(0, named=True)
    assert overall["leads"] == known.height
    assert overall["converted_leads"] == known["converted"].sum()
    assert overall["roc_auc"] == pytest.approx(expected, abs=1e-6)
    assert expected > 0.5  # the fixture's conversions follow fit and behaviour
    deciles = calibration.filter(pl.col("calibration_group") == "score_decile")
    assert deciles["leads"].sum() == known.height
    assert deciles["bucket_order"].is_between(1, 10).all()


def test_open_leads_are_not_counted_as_lost(built):
    warehouse, _ = built
    open_crm_leads = read(
        warehouse,
        """
        select count(*) as n from (
            select i.lead_id
            from core.lead_records r join core.lead_identity i using (record_id)
            where r.source_kind = 'crm_export'
            group by i.lead_id
            having bool_and(r.outcome is null)
        )
        """,
    )
    overall = read(
        warehouse,
        "select leads from marts.mart_score_calibration "
        "where score_name = 'lead_score' and source_system = 'all' and calibration_group = 'overall'",
    )
    assert open_crm_leads["n"].sum() > 0  # the fixture has open CRM leads ...
    assert overall["leads"][0] == _decided(warehouse).height  # ... and they are not in the base


def test_tied_scores_share_one_calibration_decile(built):
    warehouse, _ = built
    deciles = read(
        warehouse,
        """
        select min_score, max_score, bucket_order from marts.mart_score_calibration
        where score_name = 'lead_score' and source_system = 'all' and calibration_group = 'score_decile'
        order by bucket_order
        """,
    )
    # Buckets in score order never overlap: a score value never sits in two deciles.
    assert (deciles["min_score"].shift(-1).drop_nulls() > deciles["max_score"].head(deciles.height - 1)).all()


def test_calibration_compares_the_scores_per_source_system(built):
    warehouse, _ = built
    overall = read(
        warehouse,
        "select score_name, source_system, leads, roc_auc, top_decile_lift, brier_score "
        "from marts.mart_score_calibration where calibration_group = 'overall'",
    )
    assert set(overall["score_name"]) == {"lead_score", "conversion_probability", "source_score"}
    assert {"all", "hubspot", "salesforce"} <= set(overall["source_system"])
    for score_name in ("lead_score", "conversion_probability", "source_score"):
        rows = overall.filter(pl.col("score_name") == score_name)
        total = rows.filter(pl.col("source_system") == "all")["leads"][0]
        assert rows.filter(pl.col("source_system") != "all")["leads"].sum() == total
    assert overall["brier_score"].is_between(0, 1).all()
    assert (overall["top_decile_lift"] >= 0).all()
