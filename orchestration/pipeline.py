"""Running the full refresh job in-process: what `leadwerk run` and the end-to-end tests call."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.instance import get_instance
from orchestration.paths import DBT_PROJECT_DIR, export_environment
from orchestration.run_health import fail_stale_runs, process_tags

DBT_SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv"}
SERVING_OP = "serving__leadwerk_duckdb"


def _dbt_sources_newer_than(manifest: Path) -> bool:
    built = manifest.stat().st_mtime
    return any(
        path.suffix in DBT_SOURCE_SUFFIXES and path.stat().st_mtime > built
        for path in DBT_PROJECT_DIR.rglob("*")
        if "target" not in path.parts and "logs" not in path.parts
    )


def ensure_dbt_manifest() -> None:
    """Parse the dbt project when the manifest is missing or older than the project files.

    dagster-dbt reads the manifest at import time and only prepares it under `dagster dev`.
    """
    export_environment()
    from orchestration.defs.dbt_project import dbt_project

    manifest = Path(dbt_project.manifest_path)
    if not manifest.exists() or _dbt_sources_newer_than(manifest):
        dbt_project.preparer.prepare(dbt_project)


def load_definitions() -> dg.Definitions:
    export_environment()
    ensure_dbt_manifest()
    from orchestration.definitions import defs

    return defs()


@contextlib.contextmanager
def _output_to(stream):
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        yield


@dataclass(frozen=True)
class RefreshOutcome:
    """The finished run plus what the progress view saw (blocked publish, log file)."""

    result: dg.ExecuteInProcessResult
    blocked_reason: str | None
    log_path: Path | None
    stale_runs_failed: tuple[str, ...] = ()


def run_full_refresh(
    *,
    trigger: str,
    instance: dg.DagsterInstance | None = None,
    tags: dict[str, str] | None = None,
    verbose: bool = True,
    allow_volume_drop: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute the `full_refresh` job once, exactly as the nightly schedule would."""
    return run_full_refresh_with_progress(
        trigger=trigger, instance=instance, tags=tags, verbose=verbose,
        allow_volume_drop=allow_volume_drop, progress=progress,
    ).result


def run_full_refresh_with_progress(
    *,
    trigger: str,
    instance: dg.DagsterInstance | None = None,
    tags: dict[str, str] | None = None,
    verbose: bool = False,
    allow_volume_drop: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RefreshOutcome:
    """The refresh with a one-line-per-step view (`progress`) and every event in a log file.

    Runs a killed process left STARTED are marked failed first: with one run slot they would
    otherwise block every later run.
    """
    from orchestration.progress import RunProgress, log_file_path

    instance = instance or get_instance()
    stale = fail_stale_runs(instance)
    job = load_definitions().resolve_job_def("full_refresh")
    run_id = str(uuid.uuid4())
    run_config: dict = {
        # Step detail on the console only when asked for; the log file always has everything.
        "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}},
    }
    if allow_volume_drop:
        run_config["ops"] = {SERVING_OP: {"config": {"allow_volume_drop": True}}}
    run_tags = {"leadwerk/trigger": trigger, **process_tags(), **(tags or {})}
    if allow_volume_drop:
        run_tags["leadwerk/volume_gate"] = "overridden"
    log_path = log_file_path(run_id)
    with RunProgress(instance, run_id, log_path, lines=progress or (lambda _line: None)) as view:
        # dbt's own console output (dagster-dbt writes it to stdout) joins the log file unless
        # the person asked to see everything.
        quiet = contextlib.nullcontext() if verbose else _output_to(view.log_stream)
        with quiet:
            result = job.execute_in_process(
                instance=instance, run_id=run_id, tags=run_tags, run_config=run_config, raise_on_error=False,
            )
    return RefreshOutcome(
        result=result,
        blocked_reason=view.blocked_reason,
        log_path=log_path,
        stale_runs_failed=tuple(s.run_id for s in stale),
    )
