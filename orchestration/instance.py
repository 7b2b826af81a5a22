"""The Dagster instance for a data directory, so `leadwerk run` and `make ui` share run history."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from orchestration.paths import dagster_home

INSTANCE_CONFIG = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home() -> Path:
    """Create the instance directory (with our dagster.yaml) and point DAGSTER_HOME at it."""
    home = Path(os.environ.get("DAGSTER_HOME") or dagster_home())
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance() -> dg.DagsterInstance:
    prepare_dagster_home()
    return dg.DagsterInstance.get()
