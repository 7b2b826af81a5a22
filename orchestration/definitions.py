"""The one `Definitions` of Leadwerk: every module under `orchestration/defs/` is loaded."""

from pathlib import Path

import dagster as dg

from orchestration.paths import export_environment


@dg.definitions
def defs() -> dg.Definitions:
    export_environment()
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
