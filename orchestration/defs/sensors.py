"""Landing sensor: a new or changed file in data/landing/ starts a full refresh."""

import hashlib
import json

import dagster as dg

from ingest.raw import discover_landing_files
from orchestration.defs.jobs import full_refresh
from orchestration.paths import landing_dir


@dg.sensor(job=full_refresh, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def landing_files_sensor(context: dg.SensorEvaluationContext):
    """Compares the landing folder with the file versions seen so far (kept in the cursor)."""
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    current = {f"{f.source_file}@{f.sha256}" for f in discover_landing_files(landing_dir())}
    new = sorted(current - seen)
    if not new:
        return dg.SkipReason("no new landing files")
    run_key = hashlib.sha256("\n".join(new).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key,
                tags={"leadwerk/trigger": "landing_sensor", "leadwerk/new_files": str(len(new))},
            )
        ],
        cursor=json.dumps(sorted(current)),
    )
