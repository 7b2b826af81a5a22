"""Find the files waiting in the landing folder and say which source each belongs to."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.raw.tables import FOLDER_KINDS

# Editors, spreadsheet programs and unfinished uploads leave these behind.
TEMP_PREFIXES = (".", "~$", "~")
TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp", ".lock", "~")


@dataclass(frozen=True)
class LandingFile:
    source_kind: str
    source_system: str
    source_file: str  # relative to landing/, forward slashes
    path: Path
    sha256: str
    bytes: int
    mtime: datetime  # UTC, naive


def is_temporary(relative: Path) -> bool:
    """Hidden files or folders and files still being written are not landing files yet."""
    if any(part.startswith(".") for part in relative.parts):
        return True
    name = relative.name
    return name.startswith(TEMP_PREFIXES) or name.lower().endswith(TEMP_SUFFIXES)


def source_of(relative: Path) -> tuple[str, str] | None:
    """(source_kind, source_system) from the folder layout, or None outside the known folders."""
    parts = relative.parts
    kind = FOLDER_KINDS.get(parts[0]) if len(parts) > 1 else None
    if kind is None:
        return None
    if kind == "web_form":
        return kind, "web_forms"
    # A file directly in purchased_lists/ or crm_exports/ has no vendor; no contract will match.
    return kind, parts[1] if len(parts) > 2 else ""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discover_landing_files(landing_dir: Path, source_kind: str | None = None) -> list[LandingFile]:
    """Every landing file (optionally of one kind), sorted by path, with its content hash."""
    landing_dir = Path(landing_dir)
    found: list[LandingFile] = []
    if not landing_dir.is_dir():
        return found
    for path in sorted(landing_dir.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(landing_dir)
        source = None if is_temporary(relative) else source_of(relative)
        if source is None or (source_kind is not None and source[0] != source_kind):
            continue
        stat = path.stat()
        found.append(
            LandingFile(
                source_kind=source[0],
                source_system=source[1],
                source_file=relative.as_posix(),
                path=path,
                sha256=_file_sha256(path),
                bytes=stat.st_size,
                mtime=datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None),
            )
        )
    return found
