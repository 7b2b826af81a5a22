"""One sha256 over everything that decides a stage's output, so a stage can tell whether what
it remembered from an earlier run still holds: rules as loaded, code and data files, versions
of the libraries whose behaviour is part of the result."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path


def fingerprint(
    *, texts: Iterable[str] = (), files: Iterable[Path] = (), libraries: Iterable[str] = ()
) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for library in libraries:
        digest.update(f"{library}={version(library)}".encode())
    return digest.hexdigest()
