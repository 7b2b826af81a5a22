"""Where everything lives, resolved in one place from `LEADWERK_DATA_DIR`.

Several warehouses can coexist (tests use temporary ones): every path below hangs off the
data directory, which defaults to `./data` in the current working directory. The data
directory, landing folder and warehouse file come from ingest/paths.py, which ingestion and the
privacy commands use without importing the orchestration.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ingest.paths import data_dir, landing_dir, warehouse_path

__all__ = [
    "DBT_PROJECT_DIR", "REPO_ROOT", "dagster_home", "data_dir", "export_environment", "ground_truth_dir",
    "landing_dir", "quality_docs_dir", "serving_dir", "warehouse_path",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def ground_truth_dir() -> Path:
    return data_dir() / "ground_truth"


def serving_dir() -> Path:
    return data_dir() / "serving"


def quality_docs_dir() -> Path:
    return data_dir() / "quality_docs"


def dagster_home() -> Path:
    return data_dir() / "dagster_home"


def export_environment() -> Path:
    """Pin the data directory to an absolute path for child processes.

    dbt runs in its project directory and reads the warehouse path from
    `LEADWERK_WAREHOUSE` (see dbt_project/profiles.yml), so the variables must be absolute
    before any dbt invocation.
    """
    root = data_dir()
    # The dbt executable sits beside the interpreter, also when the venv is not activated.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    os.environ["LEADWERK_DATA_DIR"] = str(root)
    os.environ["LEADWERK_WAREHOUSE"] = str(warehouse_path())
    return root
