"""The data directory and the warehouse file, resolved from `LEADWERK_DATA_DIR`.

Ingestion, the privacy commands and the orchestration all resolve them here (the orchestration's
paths module hangs its own folders off `data_dir()`), so a shell command and the nightly run
always open the same warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """`$LEADWERK_DATA_DIR`, defaulting to `./data` in the current working directory."""
    return Path(os.environ.get("LEADWERK_DATA_DIR", "data")).expanduser().resolve()


def landing_dir() -> Path:
    """Where source files are delivered (and where retention deletes expired ones)."""
    return data_dir() / "landing"


def warehouse_path() -> Path:
    return data_dir() / "warehouse.duckdb"
