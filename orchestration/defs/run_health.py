"""Stale-run sweeper: a run whose process died is marked failed so the run queue moves on."""

import dagster as dg

from orchestration.run_health import fail_stale_runs


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def stale_run_sweeper(context: dg.SensorEvaluationContext):
    """Fails runs left STARTED by a killed process (see orchestration/run_health.py)."""
    stale = fail_stale_runs(context.instance)
    if stale:
        context.log.warning(
            "Marked failed: " + ", ".join(f"{s.run_id} (pid {s.pid} gone)" for s in stale)
        )
    return dg.SkipReason(f"{len(stale)} stale run(s) marked failed" if stale else "no stale runs")
