"""The volume gate: a much smaller new version is not published unless an operator says so."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.warehouse import WAREHOUSE_CONFIG
from orchestration.publishing import published_version, serving_fingerprint
from orchestration.publishing.volume_gate import (
    BLOCKED_METADATA,
    VolumeRules,
    check_volume,
    load_volume_rules,
)

from .synthetic_warehouse import build_marts

RULES = VolumeRules(max_drop_share=0.5, golden_lead_table="marts.mart_lead_scores",
                    table_max_drop_share={"marts.mart_funnel": 0.9})


def test_a_drop_within_the_share_passes():
    verdict = check_volume({"marts.mart_lead_scores": 60}, {"marts.mart_lead_scores": 100}, RULES)
    assert not verdict.blocked and verdict.reasons == ()


def test_a_drop_beyond_the_share_is_blocked_with_the_table_and_figures():
    verdict = check_volume(
        {"marts.mart_lead_scores": 40, "marts.mart_funnel": 5},
        {"marts.mart_lead_scores": 100, "marts.mart_funnel": 10},
        RULES,
    )
    assert verdict.blocked
    assert verdict.reasons == ("marts.mart_lead_scores would drop from 100 to 40 rows (-60%, limit -50%)",)


def test_a_mart_that_disappears_counts_as_dropping_to_zero():
    verdict = check_volume({"marts.mart_lead_scores": 100}, {"marts.mart_lead_scores": 100, "marts.mart_x": 3}, RULES)
    assert verdict.reasons == ("marts.mart_x would drop from 3 to 0 rows (-100%, limit -50%)",)


def test_no_golden_leads_is_blocked_even_when_nothing_was_published_before():
    verdict = check_volume({"marts.mart_lead_scores": 0}, None, RULES)
    assert verdict.blocked and "no golden leads" in verdict.message()


def test_an_operator_override_publishes_but_keeps_the_reasons():
    verdict = check_volume({"marts.mart_lead_scores": 1}, {"marts.mart_lead_scores": 100}, RULES, allow_drop=True)
    assert not verdict.blocked and verdict.overridden and verdict.reasons


def test_the_rules_file_is_checked(tmp_path: Path):
    assert load_volume_rules().golden_lead_table == "marts.mart_lead_scores"
    bad = tmp_path / "gate.yaml"
    bad.write_text("max_drop_share: 1.5\n")
    with pytest.raises(ValueError, match="between 0 and 1"):
        load_volume_rules(bad)
    bad.write_text("max_drop: 0.5\n")
    with pytest.raises(ValueError, match="unknown keys"):
        load_volume_rules(bad)


def _build(data_dir: Path, run_tag: str, leads: int) -> None:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), config=WAREHOUSE_CONFIG) as conn:
        build_marts(conn, run_tag, leads=leads)
        conn.execute("CREATE OR REPLACE TABLE marts.mart_lead_scores AS SELECT lead_id, score FROM marts.lead_scores")


def _materialize(data_dir: Path, instance: dg.DagsterInstance, allow: bool = False) -> dg.ExecuteInProcessResult:
    from orchestration.defs.resources import WarehouseResource
    from orchestration.defs.serving_assets import published_marts

    return dg.materialize(
        [published_marts],
        instance=instance,
        resources={"warehouse": WarehouseResource(database=str(data_dir / "warehouse.duckdb"),
                                                  connection_config=WAREHOUSE_CONFIG)},
        run_config={"ops": {"serving__leadwerk_duckdb": {"config": {"allow_volume_drop": allow}}}},
    )


def _blocked_reason(result: dg.ExecuteInProcessResult) -> str | None:
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_OBSERVATION:
            value = event.asset_observation_data.asset_observation.metadata.get(BLOCKED_METADATA)
            if value is not None:
                return value.value
    return None


def test_serving_asset_keeps_the_served_copy_when_the_gate_blocks(data_dir, dbt_manifest):
    serving = data_dir / "serving"
    with dg.instance_for_test() as instance:
        _build(data_dir, "r1", leads=50)
        first = _materialize(data_dir, instance)
        assert first.success and _blocked_reason(first) is None
        served_run = published_version(serving)["run_id"]
        before = serving_fingerprint(serving)

        _build(data_dir, "r2", leads=10)  # a half-delivered night: 50 -> 10 leads
        blocked = _materialize(data_dir, instance)
        assert blocked.success
        assert "marts.mart_lead_scores would drop from 50 to 10 rows" in _blocked_reason(blocked)
        assert blocked.asset_materializations_for_node("serving__leadwerk_duckdb") == []
        assert serving_fingerprint(serving) == before and published_version(serving)["run_id"] == served_run

        _build(data_dir, "r3", leads=0)  # every file rejected: nothing to publish
        assert "no golden leads" in _blocked_reason(_materialize(data_dir, instance))
        assert serving_fingerprint(serving) == before

        _build(data_dir, "r4", leads=10)
        forced = _materialize(data_dir, instance, allow=True)
        assert _blocked_reason(forced) is None
        assert published_version(serving)["row_counts"]["marts.mart_lead_scores"] == 10
