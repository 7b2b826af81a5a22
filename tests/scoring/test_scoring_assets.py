"""The Dagster wiring: the model step writes both tables and reports the model in its metadata."""

from __future__ import annotations

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from orchestration.defs.scoring_assets import conversion_model


def test_model_step_materializes_both_tables_with_the_model_in_metadata(behaviour_warehouse):
    result = dg.materialize([conversion_model], resources={"warehouse": DuckDBResource(database=str(behaviour_warehouse))})
    assert result.success
    materialized = {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert set(materialized) == {"core/lead_conversion_scores", "core/conversion_model"}
    model = materialized["core/conversion_model"]
    assert model["status"].value == "trained"
    assert model["dagster/row_count"].value > 1
    assert "| occupation | Working Professional |" in model["model"].value
    with duckdb.connect(str(behaviour_warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from core.lead_conversion_scores").fetchone()[0] == 3000


def test_a_broken_settings_value_fails_the_step_without_retries(behaviour_warehouse, monkeypatch, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "scoring_settings.csv").write_text("setting_key,setting_value,description\nmodel_seed,forty-two,\n")
    (seeds / "outcome_classes.csv").write_text("outcome,is_decided,is_converted,description\n")
    monkeypatch.setattr("scoring.settings.SEEDS_DIR", seeds)
    monkeypatch.setattr("scoring.load_settings.__defaults__", (seeds,))
    result = dg.materialize([conversion_model], resources={"warehouse": DuckDBResource(database=str(behaviour_warehouse))},
                            raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "scoring_settings.csv: setting 'model_seed' must be a number" in str(failure.event_specific_data)
    assert sum(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events) == 0


def test_model_runs_after_dedupe_before_dbt_in_the_full_refresh_job(dbt_manifest):
    from orchestration.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    scores, model = dg.AssetKey(["core", "lead_conversion_scores"]), dg.AssetKey(["core", "conversion_model"])
    assert dg.AssetKey(["core", "lead_identity"]) in graph.get(scores).parent_keys
    assert scores in graph.get(dg.AssetKey(["staging", "stg_core__lead_conversion_scores"])).parent_keys
    assert model in graph.get(dg.AssetKey(["staging", "stg_core__conversion_model"])).parent_keys
    job = definitions.resolve_job_def("full_refresh")
    assert "conversion_model" in {node.name for node in job.graph.node_defs}
    check = dg.AssetCheckKey(dg.AssetKey(["marts", "mart_score_calibration"]), "learned_model_beats_rule_score")
    assert check in graph.asset_check_keys
    assert not graph.get_check_spec(check).blocking
