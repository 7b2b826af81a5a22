"""A refresh that dies by SIGKILL, for the crash-safety tests.

`python -m serving.crashing_publisher WAREHOUSE SERVING_DIR RUN_ID PUBLISHED_AT KILL_AT STEPS_FILE`
publishes like the pipeline does and appends every publish step to STEPS_FILE as it starts. When a
step starts with KILL_AT ("-" for never) the process SIGKILLs itself: no clean-up code can run.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.publishing import publish

from .settings import SALT


def main(argv: list[str]) -> None:
    warehouse, serving_dir, run_id, published_at, kill_at, steps_file = argv

    def on_progress(step: str) -> None:
        with open(steps_file, "a", encoding="utf-8") as handle:
            handle.write(step + "\n")
        if kill_at != "-" and step.startswith(kill_at):
            os.kill(os.getpid(), signal.SIGKILL)

    with duckdb.connect(warehouse) as conn:
        publish(
            conn, Path(serving_dir), run_id=run_id, published_at=datetime.fromisoformat(published_at),
            salt=SALT, on_progress=on_progress,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
