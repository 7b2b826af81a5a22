"""Runs whose process died (SIGKILL, segfault, full disk) are marked failed, so nothing waits on them.

Dagster's run monitoring (dagster.yaml) fails runs stuck in STARTING or CANCELING and runs past
`dagster/max_runtime`, but the default run launcher cannot tell that a STARTED run's process is
gone, and `leadwerk run` executes in its own process outside any launcher. A dead STARTED run
still counts against `max_concurrent_runs: 1`, so the queue would never move again.

Each run records the process that executes it: `leadwerk run` tags its runs with host and pid,
and every run's RUN_START event carries the pid of its run worker. A run in progress whose
process no longer exists on this host is dead; `leadwerk run` sweeps before it starts and the
`stale_run_sweeper` sensor sweeps every minute while the daemon runs.

A pid is reused once its process is gone: a process now holding the pid that started after the
run did is a different program, and the run is dead all the same (otherwise any later process
that happened to get the pid would hold the run slot until `dagster/max_runtime`).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

HOST_TAG = "leadwerk/host"
PID_TAG = "leadwerk/pid"
IN_PROGRESS = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING]


@dataclass(frozen=True)
class StaleRun:
    run_id: str
    job_name: str
    pid: int


def process_tags() -> dict[str, str]:
    """Tags naming the process that executes an in-process run."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


# A process's start time is known to the clock tick and the boot time to the second.
_START_SLACK_SECONDS = 2.0


def _process_started_at(pid: int) -> float | None:
    """When the process holding `pid` started (epoch seconds), or None where /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        boot = next(
            line for line in Path("/proc/stat").read_text(encoding="ascii").splitlines()
            if line.startswith("btime ")
        )
        # Fields after the parenthesised command name start at field 3; starttime is field 22.
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        return int(boot.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration, IndexError, ValueError):
        return None


def _alive(pid: int, run_started_at: float | None = None) -> bool:
    """Whether the run's process still exists: the pid is taken, and not by a later process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    if run_started_at is None:
        return True
    started = _process_started_at(pid)
    return started is None or started <= run_started_at + _START_SLACK_SECONDS


def _run_started_at(instance: dg.DagsterInstance, run_id: str) -> float | None:
    """Epoch seconds the run started (or was created, while still starting), if recorded."""
    records = instance.get_run_records(filters=dg.RunsFilter(run_ids=[run_id]), limit=1)
    if not records:
        return None
    record = records[0]
    if record.start_time is not None:
        return float(record.start_time)
    created = record.create_timestamp  # UTC; naive in some storages
    if not isinstance(created, datetime):
        return None
    return (created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp()


def _run_pid(instance: dg.DagsterInstance, run: dg.DagsterRun) -> int | None:
    """The pid executing the run on this host, or None when unknown or on another host."""
    if run.tags.get(HOST_TAG) not in (None, socket.gethostname()):
        return None
    if run.tags.get(PID_TAG, "").isdigit():
        return int(run.tags[PID_TAG])
    records = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.RUN_START, limit=1
    ).records
    event = records[0].event_log_entry.dagster_event if records else None
    return event.pid if event is not None and event.pid else None


def stale_runs(instance: dg.DagsterInstance) -> list[StaleRun]:
    """Runs in progress whose process is known and gone."""
    found = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        pid = _run_pid(instance, run)
        if pid is not None and pid != os.getpid() and not _alive(pid, _run_started_at(instance, run.run_id)):
            found.append(StaleRun(run_id=run.run_id, job_name=run.job_name, pid=pid))
    return found


def fail_stale_runs(instance: dg.DagsterInstance) -> list[StaleRun]:
    """Mark every stale run failed (the reason goes into its event log) and return them."""
    stale = stale_runs(instance)
    for entry in stale:
        run = instance.get_run_by_id(entry.run_id)
        if run is not None and run.status in IN_PROGRESS:
            instance.report_run_failed(
                run, f"Run process {entry.pid} no longer exists (killed or crashed); marked failed."
            )
    return stale
