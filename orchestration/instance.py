"""The Dagster instance for a data directory, so `leadwerk run` and `make ui` share run history."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from orchestration.paths import dagster_home

INSTANCE_CONFIG = Path(__file__).with_name("dagster.yaml")
# First line of every dagster.yaml Leadwerk wrote: such a copy is ours to update; a file an
# operator wrote themselves is left alone.
OWN_HEADER = "# Instance settings for Leadwerk's Dagster home"


def prepare_dagster_home() -> Path:
    """Create the instance directory (with our dagster.yaml) and point DAGSTER_HOME at it."""
    home = Path(os.environ.get("DAGSTER_HOME") or dagster_home())
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    wanted = INSTANCE_CONFIG.read_text(encoding="utf-8")
    if not config.exists():
        shutil.copyfile(INSTANCE_CONFIG, config)
    else:
        # Homes made by an earlier release get the current settings (e.g. run monitoring).
        current = config.read_text(encoding="utf-8")
        if current != wanted and current.startswith(OWN_HEADER):
            config.write_text(wanted, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance() -> dg.DagsterInstance:
    prepare_dagster_home()
    return dg.DagsterInstance.get()
