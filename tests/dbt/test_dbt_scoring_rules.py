"""Activity-based engagement, negative fit signals, ratings by share, and the learned probability
next to the rule score, on the fixture warehouse after `dbt build` (default seeds)."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from dbt_cli import DBT_PROJECT_DIR, read


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    return built_warehouse.warehouse


def _settings() -> dict[str, float]:
    with (DBT_PROJECT_DIR / "seeds" / "scoring_settings.csv").open(newline="") as handle:
        return {row["setting_key"]: float(row["setting_value"]) for row in csv.DictReader(handle)}


def _seed(name: str, key: str) -> dict[str, dict]:
    with (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").open(newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def test_mart_carries_the_models_probability_next_to_the_lead_score(warehouse):
    joined = read(
        warehouse,
        """
        select s.lead_id, s.conversion_probability as mart, c.conversion_probability as model,
               s.is_conversion_probability_out_of_fold, c.is_out_of_fold, s.conversion_top_features,
               s.rated_by
        from marts.mart_lead_scores s left join core.lead_conversion_scores c using (lead_id)
        """,
    )
    assert joined["model"].null_count() == 0  # the fixture has enough outcomes to train
    assert (joined["mart"] == joined["model"]).all()
    assert (joined["is_conversion_probability_out_of_fold"] == joined["is_out_of_fold"]).all()
    assert joined["is_out_of_fold"].sum() > 0
    assert joined["conversion_top_features"].null_count() < joined.height
    assert set(joined["rated_by"]) == {"conversion_probability"}  # rating_uses_learned_probability = 1


def test_ratings_follow_the_top_shares_and_ties_share_a_rating(warehouse):
    settings = _settings()
    assert settings["rating_by_top_share"] == 1
    scores = read(warehouse, "select lead_id, conversion_probability, rating, is_fast_tracked from marts.mart_lead_scores")
    assert set(scores["rating"]) == {"hot", "warm", "cold"}
    ranked = scores.filter(~pl.col("is_fast_tracked"))
    # Every lead, fast-tracked ones included, is placed at the middle of its position among all
    # leads (of its tie group when scores tie); a fast-tracked lead is hot wherever it stands.
    n = scores.height
    expected = scores.with_columns(
        top_share=(pl.col("conversion_probability").rank("max", descending=True) / n
                   - pl.len().over("conversion_probability") / (2 * n)),
    ).with_columns(
        expected=pl.when(pl.col("is_fast_tracked")).then(pl.lit("hot"))
        .when(pl.col("top_share") <= settings["rating_hot_top_share"]).then(pl.lit("hot"))
        .when(pl.col("top_share") <= settings["rating_warm_top_share"]).then(pl.lit("warm"))
        .otherwise(pl.lit("cold"))
    )
    assert (expected["rating"] == expected["expected"]).all()
    by_share = expected.filter(pl.col("top_share") <= settings["rating_hot_top_share"]).height
    assert abs(by_share - settings["rating_hot_top_share"] * n) <= 1  # no large tie group at the boundary here
    assert (scores["rating"] == "cold").mean() > 0.5
    per_value = ranked.group_by("conversion_probability").agg(pl.col("rating").n_unique().alias("ratings"))
    assert per_value["ratings"].max() == 1
    # The best-rated leads have the highest probabilities.
    lowest_hot = ranked.filter(pl.col("rating") == "hot")["conversion_probability"].min()
    highest_cold = ranked.filter(pl.col("rating") == "cold")["conversion_probability"].max()
    assert lowest_hot > highest_cold


def test_activity_columns_earn_capped_points_and_bounces_cost_points(warehouse):
    caps = {name: float(row["max_points"]) for name, row in _seed("scoring_activity_points", "activity").items()}
    last = {name: float(row["points"]) for name, row in _seed("scoring_last_activity_points", "last_activity_type").items()}
    rows = read(warehouse, "select touchpoint_type, decayed_points from intermediate.int_lead_engagement_points")
    activity = rows.filter(pl.col("touchpoint_type").is_in(list(caps)))
    assert set(activity["touchpoint_type"]) == set(caps)  # every activity column is read
    for name, cap in caps.items():
        assert activity.filter(pl.col("touchpoint_type") == name)["decayed_points"].max() <= cap + 1e-9
    bounced = rows.filter(pl.col("touchpoint_type") == "last_activity:email_bounced")
    assert last["email_bounced"] < 0
    assert bounced.height > 0
    assert (bounced["decayed_points"] < 0).all()


def test_a_bounced_lead_scores_below_the_same_lead_without_the_bounce(warehouse):
    explained = read(
        warehouse,
        """
        select s.lead_id, s.engagement_score, e.touchpoints_total, e.without_bounce
        from marts.mart_lead_scores s
        join (select lead_id, sum(decayed_points) as touchpoints_total,
                     sum(decayed_points) filter (where touchpoint_type <> 'last_activity:email_bounced') as without_bounce
              from intermediate.int_lead_engagement_points group by lead_id
              having bool_or(touchpoint_type = 'last_activity:email_bounced')) e using (lead_id)
        """,
    )
    cap = _settings()["engagement_score_cap"]
    assert explained.height > 0
    expected = explained["touchpoints_total"].clip(0, cap).round(2)
    assert (explained["engagement_score"] - expected).abs().max() < 1e-9
    had_points = explained.filter(pl.col("without_bounce") > 0)
    assert had_points.height > 0
    assert (had_points["engagement_score"] < had_points["without_bounce"].clip(0, cap)).all()


def test_freemail_counts_against_b2b_leads_only(warehouse):
    rows = read(
        warehouse,
        """
        select g.segment, f.points from intermediate.int_lead_fit_points f
        join core.golden_leads g using (lead_id) where f.rule_key = 'freemail_email'
        """,
    )
    assert rows.height > 0
    assert set(rows["segment"]) == {"b2b"}
    assert (rows["points"] < 0).all()


def test_leads_outside_the_market_lose_fit_points(warehouse):
    rows = read(
        warehouse,
        """
        select g.country_code, f.points from intermediate.int_lead_fit_points f
        join core.golden_leads g using (lead_id) where f.rule_key = 'country_outside_market'
        """,
    )
    markets = set(_seed("scoring_markets", "country_code"))
    assert rows.height > 0
    assert not set(rows["country_code"]) & markets
    assert (rows["points"] < 0).all()


def test_score_report_prints_the_calibration_side_by_side(warehouse):
    import duckdb

    from orchestration.score_report import learned_vs_rule_auc, score_report

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        text = score_report(conn)
        learned, rule = learned_vs_rule_auc(conn)
    assert "Learned model: trained on" in text
    lines = {tuple(line.split()[:3]): line for line in text.splitlines() if line.startswith("all ")}
    assert f"{rule:.3f}" in lines[("all", "rule", "lead_score")]
    assert f"{learned:.3f}" in lines[("all", "learned", "probability")]
    assert ("all", "CRM's", "own") in lines
    assert "Conversion rate per rating: hot" in text
    assert ("WARNING" in text) == (learned < rule)
