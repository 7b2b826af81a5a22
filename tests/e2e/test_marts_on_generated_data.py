"""The marts, built by the Dagster job on generated data, say what marketing ops expect."""

import polars as pl
import pytest

pytestmark = pytest.mark.slow


def test_recent_demo_request_from_c_level_in_target_industry_is_hot_and_qualified(demo_warehouse):
    with demo_warehouse.connect() as conn:
        leads = conn.sql(
            """
            with settings as (
                select cast(setting_value as integer) as window_days
                from rules.scoring_settings where setting_key = 'fast_track_window_days'
            )
            select distinct s.lead_id, s.rating, s.lifecycle_stage_rank,
                   (select stage_rank from rules.lifecycle_stages where lifecycle_stage = 'mql') as mql_rank
            from marts.mart_lead_scores s
            join core.golden_leads g using (lead_id)
            join core.lead_identity i using (lead_id)
            join core.touchpoints t using (record_id)
            cross join settings
            where t.touchpoint_type = 'demo_request'
              and t.occurred_at >= s.scored_on - to_days(settings.window_days)
              and g.seniority = 'c_level'
              and lower(g.industry) in (select industry from rules.scoring_target_industries)
            """
        ).pl()
    assert leads.height > 0, "the landing data holds at least the planted hand-raiser"
    assert leads.filter(pl.col("rating") != "hot").height == 0, leads
    assert leads.filter(pl.col("lifecycle_stage_rank") < pl.col("mql_rank")).height == 0, leads


def test_opted_out_lead_is_never_email_contactable(demo_warehouse):
    with demo_warehouse.connect() as conn:
        opted_out = conn.sql(
            """
            select c.lead_id, c.is_contactable
            from marts.mart_contactability c
            where c.channel = 'email'
              and c.lead_id in (
                  select i.lead_id from core.lead_records r join core.lead_identity i using (record_id)
                  where r.do_not_email)
            """
        ).pl()
    assert opted_out.height > 0, "the generated data should contain CRM e-mail opt-outs"
    assert opted_out.filter(pl.col("is_contactable")).height == 0


def test_source_duplicate_rates_match_the_generator_truth(demo_warehouse):
    truth = pl.read_parquet(demo_warehouse.root / "ground_truth" / "records.parquet").select(
        "source_file", "source_row", "person_id"
    )
    with demo_warehouse.connect() as conn:
        records = conn.sql(
            "select record_id, source_system, source_file, source_row, created_at, ingested_at "
            "from core.lead_records"
        ).pl()
        mart = conn.sql(
            "select source_system, sum(records_delivered)::double as delivered, "
            "sum(records_of_known_leads)::double as known from marts.mart_source_performance group by all"
        ).pl()
    ordered = (
        records.join(truth, on=["source_file", "source_row"])
        .sort(pl.coalesce("created_at", "ingested_at"), "ingested_at", "record_id")
        .with_columns(already_known=pl.int_range(pl.len()).over("person_id") > 0)
    )
    expected = ordered.group_by("source_system").agg(true_rate=pl.col("already_known").mean())
    compared = mart.with_columns(rate=pl.col("known") / pl.col("delivered")).join(expected, on="source_system")
    assert compared.height == expected.height >= 4
    worst = compared.select((pl.col("rate") - pl.col("true_rate")).abs().max()).item()
    assert worst <= 0.03, compared
