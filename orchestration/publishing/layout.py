"""Where the serving artefacts live and the file-system moves that make swaps atomic and durable.

serving/
  leadwerk.duckdb          every published schema + `bi` + `meta` (replaced by rename)
  leadwerk_bi.duckdb       only `bi` + `meta`, for analysts without PII rights (replaced by rename)
  parquet -> versions/<run>/parquet   symlink, replaced by rename of a temporary symlink
  versions/<run>/parquet/  one Parquet file per table; the current and the previous version kept
  versions/.previous       name of the previous version (kept for readers still inside it)
  .publish.lock            held while a publish runs
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

SERVING_FILE = "leadwerk.duckdb"
BI_SERVING_FILE = "leadwerk_bi.duckdb"
PARQUET_LINK = "parquet"
VERSIONS_DIR = "versions"
PREVIOUS_MARKER = ".previous"
LOCK_FILE = ".publish.lock"
TMP_SUFFIX = ".tmp"

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def check_run_id(run_id: str) -> str:
    """Run ids become file names, so only plain characters are accepted."""
    if not _RUN_ID.match(run_id):
        raise ValueError(f"run_id {run_id!r} must match {_RUN_ID.pattern}")
    return run_id


def tmp_name(final_name: str, run_id: str) -> str:
    """Hidden temporary name next to the final one, recognisable for crash clean-up."""
    return f".{final_name}.{run_id}.{os.getpid()}{TMP_SUFFIX}"


def current_version(serving_dir: Path) -> str | None:
    """Name of the version directory the `parquet` link points at, or None."""
    link = serving_dir / PARQUET_LINK
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).parent.name


def previous_version(serving_dir: Path) -> str | None:
    marker = serving_dir / VERSIONS_DIR / PREVIOUS_MARKER
    try:
        return marker.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def remove_leftovers(serving_dir: Path) -> list[str]:
    """Delete temp files of crashed publishes and versions no reader can still be using."""
    removed: list[str] = []
    for entry in serving_dir.iterdir():
        if entry.name.startswith(".") and entry.name.endswith((TMP_SUFFIX, TMP_SUFFIX + ".wal")):
            entry.unlink(missing_ok=True)
            removed.append(entry.name)
    removed += prune_versions(serving_dir, keep={current_version(serving_dir), previous_version(serving_dir)})
    return removed


def prune_versions(serving_dir: Path, keep: set[str | None]) -> list[str]:
    versions = serving_dir / VERSIONS_DIR
    if not versions.is_dir():
        return []
    removed = []
    for entry in versions.iterdir():
        if entry.name == PREVIOUS_MARKER or entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)
        removed.append(f"{VERSIONS_DIR}/{entry.name}")
    return removed


def new_version_name(run_id: str, in_use: set[str | None]) -> str:
    """`run_id`, or `run_id.N` when a rerun of the served run must not overwrite files in use."""
    name, n = run_id, 1
    while name in in_use:
        n += 1
        name = f"{run_id}.{n}"
    return name


def fsync_path(path: Path) -> None:
    """Flush a file or directory to disk so a power loss cannot undo a finished swap."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for filename in filenames:
            fsync_path(Path(dirpath) / filename)
        fsync_path(Path(dirpath))


def write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    tmp.write_text(text, encoding="utf-8")
    fsync_path(tmp)
    os.replace(tmp, path)


def swap_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` in one rename: readers see the old or the new target, never none."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}{TMP_SUFFIX}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
