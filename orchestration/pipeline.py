"""Running the full refresh job in-process: what `leadwerk run` and the end-to-end tests call."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.instance import get_instance
from orchestration.paths import DBT_PROJECT_DIR, export_environment


DBT_SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv"}


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


def run_full_refresh(
    *, trigger: str, instance: dg.DagsterInstance | None = None, tags: dict[str, str] | None = None
) -> dg.ExecuteInProcessResult:
    """Execute the `full_refresh` job once, exactly as the nightly schedule would."""
    job = load_definitions().resolve_job_def("full_refresh")
    return job.execute_in_process(
        instance=instance or get_instance(),
        tags={"leadwerk/trigger": trigger, **(tags or {})},
        # Step progress on the console; the full event log is in the Dagster UI.
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        raise_on_error=False,
    )
