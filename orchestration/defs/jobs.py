"""The full refresh job and the nightly schedule that runs it."""

import dagster as dg

from orchestration.defs.policies import TRANSIENT_RETRY

MAX_RUNTIME_SECONDS = 6 * 60 * 60

full_refresh = dg.define_asset_job(
    "full_refresh",
    # Everything but the retention purge, which has its own job and schedule.
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(["privacy", "retention_purge"]),
    description="Ingest new landing files, rebuild core and marts, check quality, publish.",
    op_retry_policy=TRANSIENT_RETRY,
    # With run monitoring on (dagster.yaml), a run still going after this is marked failed, so
    # a hung run cannot hold the single run slot past the next night's schedule.
    tags={"dagster/max_runtime": MAX_RUNTIME_SECONDS},
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=full_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Berlin",
    tags={"leadwerk/trigger": "nightly_schedule"},
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
