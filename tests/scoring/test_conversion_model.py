"""The conversion model learns from decided outcomes (and CRM leads open past a sales cycle),
scores honestly out-of-fold, never reads what sales enters, and says why in plain words."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
from behaviour_warehouse import build_behaviour_warehouse

from scoring import load_settings, train_and_score
from scoring.features import FEATURES, feature_query
from scoring.model import roc_auc
from scoring.train import TOO_FEW_OUTCOMES, TRAINED

NOW = datetime(2025, 6, 30)


def _train(path: Path, **overrides):
    with duckdb.connect(str(path)) as conn:
        report = train_and_score(conn, replace(load_settings(), **overrides), NOW)
        scores = conn.execute("select * from core.lead_conversion_scores order by lead_id").pl()
        model = conn.execute("select * from core.conversion_model").pl()
        truth = conn.execute(
            """
            select i.lead_id, max(r.outcome) as outcome from core.lead_records r
            join core.lead_identity i using (record_id) group by 1 order by 1
            """
        ).pl()
    return report, scores, model, truth


def test_model_learns_behaviour_and_scores_every_lead(behaviour_warehouse):
    report, scores, model, truth = _train(behaviour_warehouse)
    assert report.status == TRAINED
    assert scores.height == truth.height == 3000
    assert scores["conversion_probability"].is_between(0, 1).all()
    decided = truth["outcome"].is_not_null().to_numpy()
    y = (truth["outcome"] == "converted").fill_null(False).to_numpy()
    auc = roc_auc(scores["conversion_probability"].to_numpy()[decided], y[decided])
    assert auc == pytest.approx(report.out_of_fold_auc)
    assert auc > 0.75  # outcomes follow time on site, occupation and bounces
    # Leads the model learned from carry out-of-fold probabilities; open leads are scored too.
    assert (scores["is_out_of_fold"].to_numpy() == decided).all()
    assert scores.filter(~scores["is_out_of_fold"])["cv_fold"].null_count() == (~decided).sum()
    assert set(scores.filter(scores["is_out_of_fold"])["cv_fold"]) == set(range(5))
    # The model is data: its strongest levels are the ones the outcomes were drawn from.
    occupation = model.filter(model["feature"] == "occupation")
    coefficient = dict(zip(occupation["level"], occupation["coefficient"], strict=True))
    assert coefficient["Working Professional"] > coefficient["Student"]
    bounced = model.filter((model["feature"] == "last_activity_type") & (model["level"] == "email_bounced"))
    assert bounced["coefficient"][0] < 0
    assert model.filter(model["feature"] == "(intercept)").height == 1
    assert model["decided_leads"].max() <= int(decided.sum())


def test_top_features_name_the_reasons_in_plain_words(behaviour_warehouse):
    _, scores, _, _ = _train(behaviour_warehouse)
    best = scores.sort("conversion_probability", descending=True).row(0, named=True)
    assert "time on site" in best["top_features"] or "occupation Working Professional" in best["top_features"]
    assert best["top_features"].count("(") <= 3  # model_top_features


def test_open_leads_are_not_negatives(tmp_path):
    # Same people, once with half of them open: the decided ones are the only training rows.
    path = build_behaviour_warehouse(tmp_path / "w.duckdb", 2000, decided_share=0.5)
    report, scores, _, truth = _train(path)
    decided = truth["outcome"].is_not_null()
    assert report.converted_leads + report.lost_leads == decided.sum()
    assert scores["is_out_of_fold"].sum() == decided.sum()


def test_out_of_fold_scores_are_honest_on_outcomes_unrelated_to_behaviour(tmp_path):
    path = build_behaviour_warehouse(tmp_path / "w.duckdb", 3000, random_outcomes=True)
    report, scores, _, truth = _train(path)
    decided = truth["outcome"].is_not_null().to_numpy()
    y = (truth["outcome"] == "converted").fill_null(False).to_numpy()
    assert 0.44 < report.out_of_fold_auc < 0.56
    assert roc_auc(scores["conversion_probability"].to_numpy()[decided], y[decided]) == pytest.approx(report.out_of_fold_auc)


def test_too_few_outcomes_leave_the_probability_empty_and_say_which_setting(behaviour_warehouse):
    report, scores, model, _ = _train(behaviour_warehouse, min_converted=5000)
    assert report.status == TOO_FEW_OUTCOMES
    assert "model_min_converted_leads" in report.message
    assert scores.height == 3000
    assert scores["conversion_probability"].null_count() == 3000
    assert set(scores["model_status"]) == {TOO_FEW_OUTCOMES}
    assert model.height == 0


def test_same_seed_same_model_other_seed_other_folds(behaviour_warehouse):
    _, first, _, _ = _train(behaviour_warehouse)
    _, again, _, _ = _train(behaviour_warehouse)
    _, other, _, _ = _train(behaviour_warehouse, seed=7)
    assert np.array_equal(first["conversion_probability"].to_numpy(), again["conversion_probability"].to_numpy())
    assert (first["cv_fold"] != other["cv_fold"]).any()


def test_what_sales_enters_never_changes_a_probability(behaviour_warehouse):
    _, before, _, _ = _train(behaviour_warehouse)
    with duckdb.connect(str(behaviour_warehouse)) as conn:
        conn.execute(
            """
            update core.lead_records set
                crm_status = case when outcome = 'converted' then 'Closed - Won' else 'Junk' end,
                lifecycle_stage = case when outcome = 'converted' then 'customer' else 'lead' end,
                rating = case when outcome = 'converted' then 'hot' else 'cold' end,
                source_score = case when outcome = 'converted' then 100 else 0 end,
                source_grade = case when outcome = 'converted' then 'A' else 'D' end,
                converted_at = case when outcome = 'converted' then timestamp '2025-06-01' end,
                outcome_at = timestamp '2025-06-02'
            """
        )
    _, after, _, _ = _train(behaviour_warehouse)
    assert np.allclose(before["conversion_probability"].to_numpy(), after["conversion_probability"].to_numpy())


def test_features_are_known_before_sales_acts():
    forbidden = {"crm_status", "lifecycle_stage", "rating", "outcome", "source_score", "source_grade",
                 "converted_at", "outcome_at", "tags", "lead_status"}
    assert not {f.name for f in FEATURES} & forbidden
    sql = feature_query((("converted", True), ("lost", False)))
    for column in forbidden - {"outcome"}:
        assert f"r.{column}" not in sql


def test_a_leads_records_are_combined_largest_counter_and_first_origin(behaviour_warehouse):
    with duckdb.connect(str(behaviour_warehouse)) as conn:
        row = conn.execute(feature_query((("converted", True), ("lost", False))) + " limit 0").pl()
        assert "time_on_site_minutes" in row.columns
        combined = conn.sql(
            f"select * from ({feature_query((('converted', True), ('lost', False)))}) where lead_id = 'lead-000005'"
        ).pl().row(0, named=True)
        crm = conn.execute("select * from core.lead_records where record_id = 'crm:5'").pl().row(0, named=True)
    assert combined["time_on_site_minutes"] == pytest.approx(crm["time_on_site_seconds"] / 60)  # CRM's is larger
    assert combined["lead_origin"] == "Lead Add Form"  # the web form came first
    assert combined["occupation"] == crm["occupation"]


def test_creation_date_gives_lead_age_and_import_size(behaviour_warehouse):
    with duckdb.connect(str(behaviour_warehouse)) as conn:
        # Leads 0 and 1 created in one list import (same minute), lead 2 on its own a day later.
        conn.execute("update core.lead_records set created_at = timestamp '2023-03-01 09:15:07' where record_id = 'crm:1'")
        conn.execute("update core.lead_records set created_at = timestamp '2023-03-01 09:15:41' where record_id = 'crm:2'")
        conn.execute("update core.lead_records set created_at = timestamp '2023-03-02 11:00:00' where record_id = 'crm:3'")
        conn.execute("update core.lead_records set created_at = null where record_id = 'crm:4'")
        newest = conn.execute("select max(created_at) from core.lead_records").fetchone()[0]
        rows = {r["lead_id"]: r for r in conn.sql(
            f"select * from ({feature_query((('converted', True), ('lost', False)))}) "
            "where lead_id in ('lead-000001', 'lead-000002', 'lead-000003', 'lead-000004', 'lead-000005')"
        ).pl().iter_rows(named=True)}
        web_forms_that_minute = conn.execute(
            "select count(*) from core.lead_records where source_system = 'web_forms' "
            "and created_at = timestamp '2024-12-01'").fetchone()[0]
    assert rows["lead-000001"]["created_with_leads"] == rows["lead-000002"]["created_with_leads"] == 2
    assert rows["lead-000003"]["created_with_leads"] == 1
    assert rows["lead-000001"]["lead_age_days"] == (newest.date() - datetime(2023, 3, 1).date()).days
    assert rows["lead-000003"]["lead_age_days"] == rows["lead-000001"]["lead_age_days"] - 1
    # No creation date: both unknown (a level of their own), never zero.
    assert rows["lead-000004"]["created_with_leads"] is None
    assert rows["lead-000004"]["lead_age_days"] is None
    # A lead with several records: its first record's creation (here the web form's, 2024-12-01).
    assert rows["lead-000005"]["lead_age_days"] == (newest.date() - datetime(2024, 12, 1).date()).days
    assert rows["lead-000005"]["created_with_leads"] == web_forms_that_minute > 100


def test_settings_name_the_file_and_key_of_a_bad_value(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    with (seeds / "scoring_settings.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["setting_key", "setting_value", "description"])
        writer.writerow(["model_folds", "five", ""])
    (seeds / "outcome_classes.csv").write_text("outcome,is_decided,is_converted,description\n")
    with pytest.raises(ValueError, match=r"scoring_settings.csv: setting 'model_folds' must be a number"):
        load_settings(seeds)


def test_a_warehouse_without_the_activity_columns_gets_a_message_naming_them(behaviour_warehouse):
    with duckdb.connect(str(behaviour_warehouse)) as conn:
        conn.execute("alter table core.lead_records drop column web_visits")
        with pytest.raises(ValueError, match=r"core.lead_records lacks the column\(s\) web_visits"):
            train_and_score(conn, load_settings(), NOW)


def test_a_lead_open_in_the_crm_past_a_sales_cycle_is_learned_as_not_converted(behaviour_warehouse):
    report, scores, _, truth = _train(behaviour_warehouse, open_as_lost_after_days=100)
    with duckdb.connect(str(behaviour_warehouse), read_only=True) as conn:
        ages = conn.execute(
            """
            select i.lead_id, date_diff('day', min(r.created_at), (select max(created_at) from core.lead_records)) as age
            from core.lead_records r join core.lead_identity i using (record_id) group by 1 order by 1
            """
        ).pl()
    open_leads = truth.join(ages, on="lead_id").filter(truth["outcome"].is_null())
    stale = open_leads.filter(open_leads["age"] > 100)["lead_id"].to_list()
    young = open_leads.filter(open_leads["age"] <= 100)["lead_id"].to_list()
    assert stale and young
    assert report.stale_open_leads == len(stale)
    assert report.lost_leads == (truth["outcome"] == "lost").sum() + len(stale)
    assert f"{len(stale)} of them open in the CRM for more than 100 days, weighing 0.2 each" in report.message
    learned_from = dict(zip(scores["lead_id"], scores["is_out_of_fold"], strict=True))
    assert all(learned_from[lead] for lead in stale)
    assert not any(learned_from[lead] for lead in young)


def test_with_the_setting_at_zero_no_open_lead_is_learned_from(behaviour_warehouse):
    report, scores, _, truth = _train(behaviour_warehouse, open_as_lost_after_days=0)
    assert report.stale_open_leads == 0
    assert report.lost_leads == (truth["outcome"] == "lost").sum()
    open_ids = set(truth.filter(truth["outcome"].is_null())["lead_id"])
    assert not scores.filter(scores["lead_id"].is_in(open_ids))["is_out_of_fold"].any()


def test_only_open_leads_that_reached_the_crm_count_as_not_converted():
    import polars as pl

    from scoring.features import training_outcome

    frame = pl.DataFrame({
        "is_converted": [True, False, None, None, None, None],
        "is_in_crm": [True, True, True, True, False, None],
        "lead_age_days": [400, 400, 400, 30, 400, 400],
    })
    assert training_outcome(frame, 180).to_list() == [True, False, False, None, None, None]
    assert training_outcome(frame, 0).to_list() == [True, False, None, None, None, None]
    assert training_outcome(frame, 180, weight=0).to_list() == [True, False, None, None, None, None]
