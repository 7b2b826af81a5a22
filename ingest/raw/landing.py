"""Find the files waiting in the landing folder and say which source each belongs to.

Only regular files are read. A symbolic link (to a file or a folder) or a special file (a
named pipe, a device) in a source folder is refused without being opened: a link could make
the pipeline copy any file its user can read into the warehouse, and a pipe would block the
run. Refused entries are still listed, so they are registered and reported as rejected.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_kind
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
    refused: str | None = None  # symlink | not_a_regular_file: never read, registered as rejected
    refused_detail: str | None = None


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


def refused_source_of(relative: Path) -> tuple[str, str] | None:
    """Like source_of, but also for a refused folder directly below landing/ (web_forms -> link)."""
    source = source_of(relative)
    if source is not None or not relative.parts:
        return source
    kind = FOLDER_KINDS.get(relative.parts[0])
    return None if kind is None else (kind, "web_forms" if kind == "web_form" else "")


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
    # rglob does not descend into linked folders; it lists them, and they are refused below.
    for path in sorted(landing_dir.rglob("*")):
        relative = path.relative_to(landing_dir)
        try:
            info = path.lstat()
        except FileNotFoundError:  # removed while the folder was being listed
            continue
        if stat_kind.S_ISDIR(info.st_mode) or is_temporary(relative):
            continue
        if not stat_kind.S_ISREG(info.st_mode):
            refused = _refused(path, relative, info)
            if refused is not None and source_kind in (None, refused.source_kind):
                found.append(refused)
            continue
        source = source_of(relative)
        if source is None or (source_kind is not None and source[0] != source_kind):
            continue
        stat = info
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


def _refused(path: Path, relative: Path, info: os.stat_result) -> LandingFile | None:
    """A link or special file as a rejected landing entry; its content is never opened."""
    source = refused_source_of(relative)
    if source is None:
        return None
    if stat_kind.S_ISLNK(info.st_mode):
        target = os.readlink(path)
        reason = "symlink"
        detail = f"{relative.as_posix()} is a symbolic link (to {target}); links are never followed"
        identity = f"symlink:{target}"
    else:
        reason = "not_a_regular_file"
        detail = f"{relative.as_posix()} is not a regular file (a pipe, socket or device); not read"
        identity = f"special:{stat_kind.S_IFMT(info.st_mode)}"
    return LandingFile(
        source_kind=source[0],
        source_system=source[1],
        source_file=relative.as_posix(),
        path=path,
        sha256=sha256_of(identity.encode("utf-8", errors="surrogateescape")),
        bytes=0,
        mtime=datetime.fromtimestamp(info.st_mtime, UTC).replace(tzinfo=None),
        refused=reason,
        refused_detail=detail,
    )


def read_regular_file(path: Path) -> bytes:
    """The file's bytes; refuses (OSError) a path that became a link or special file meanwhile."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat_kind.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return handle.read()
