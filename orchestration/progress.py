"""What a person follows in the terminal during `leadwerk run`, and the detailed log file.

A thread reads the run's events from the Dagster instance while the job executes in the main
thread: each finished step becomes one line (status, step, rows, seconds), and every event and
log message goes to `<data dir>/logs/run-<time>-<run>.log`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.paths import data_dir
from orchestration.publishing.volume_gate import BLOCKED_METADATA

POLL_SECONDS = 0.5


def log_file_path(run_id: str, now: datetime | None = None) -> Path:
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return data_dir() / "logs" / f"run-{moment}-{run_id[:8]}.log"


@dataclass
class _Step:
    rows: int = 0
    counted: int = 0
    assets: int = 0
    failed_checks: int = 0
    blocked: str | None = None


@dataclass
class RunProgress:
    """Follows one run id; `lines` receives each compact progress line."""

    instance: dg.DagsterInstance
    run_id: str
    log_path: Path
    lines: Callable[[str], None] = print
    _steps: dict[str, _Step] = field(default_factory=lambda: defaultdict(_Step))
    _cursor: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RunProgress:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("a", encoding="utf-8")
        self._thread = threading.Thread(target=self._follow, name="leadwerk-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._drain()
        self._log.close()

    @property
    def log_stream(self):
        """The open log file, for output that bypasses Dagster's loggers (dbt's console)."""
        return self._log

    def _follow(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._drain()

    def _drain(self) -> None:
        while True:
            connection = self.instance.get_records_for_run(self.run_id, cursor=self._cursor, limit=500)
            for record in connection.records:
                self._handle(record.event_log_entry)
            self._cursor = connection.cursor
            if not connection.has_more:
                break
        self._log.flush()

    def _handle(self, entry) -> None:
        when = datetime.fromtimestamp(entry.timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        level = _level_name(entry.level)
        event = entry.dagster_event
        text = entry.user_message or ""
        if event is not None:
            text = f"[{event.event_type_value}] {event.message or text}"
        self._log.write(f"{when} {level:<7} {entry.step_key or '-'} {text}\n")
        if event is None or entry.step_key is None:
            return
        step = self._steps[entry.step_key]
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            step.assets += 1
            count = event.step_materialization_data.materialization.metadata.get("dagster/row_count")
            if count is not None:
                step.rows += int(count.value)
                step.counted += 1
        elif kind == dg.DagsterEventType.ASSET_OBSERVATION:
            blocked = event.asset_observation_data.asset_observation.metadata.get(BLOCKED_METADATA)
            if blocked is not None:
                step.blocked = str(blocked.value)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            if not event.event_specific_data.passed:
                step.failed_checks += 1
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            seconds = event.event_specific_data.duration_ms / 1000
            self.lines(self._line("blocked" if step.blocked else "ok", entry.step_key, step, seconds))
            if step.blocked:
                self.lines(f"          publishing blocked: {step.blocked}")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = (error.message if error else "step failed").strip().splitlines()
            self.lines(self._line("FAILED", entry.step_key, step, None))
            self.lines(f"          {message[0][:300] if message else 'step failed'}")
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            self.lines(f"  {'skipped':<8}{entry.step_key}")
        elif kind == dg.DagsterEventType.STEP_UP_FOR_RETRY:
            self.lines(f"  {'retry':<8}{entry.step_key}")

    @staticmethod
    def _line(status: str, step_key: str, step: _Step, seconds: float | None) -> str:
        if step.counted:
            volume = f"{step.rows:,} rows in {step.counted} table{'s' if step.counted != 1 else ''}"
        elif step.assets:
            volume = f"{step.assets} asset{'s' if step.assets != 1 else ''}"
        else:
            volume = ""
        checks = f"{step.failed_checks} check(s) failed" if step.failed_checks else ""
        detail = ", ".join(part for part in (volume, checks) if part)
        took = f"{seconds:7.1f} s" if seconds is not None else ""
        return f"  {status:<8}{step_key:<38} {detail:<34}{took}".rstrip()

    @property
    def blocked_reason(self) -> str | None:
        return next((s.blocked for s in self._steps.values() if s.blocked), None)


def _level_name(level: int) -> str:
    import logging

    return logging.getLevelName(level)
