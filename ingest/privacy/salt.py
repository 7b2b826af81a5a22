"""The installation's secret salt: created once, then stable across runs.

Raw ingestion hashes subject identifiers with it (the suppression list of erased people), the
privacy commands too, and the serving copy's `bi` schema hashes are salted with it, so the
hashes join across all three.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SALT_FILE_NAME = ".bi_salt"


def load_or_create_salt(data_dir: Path) -> str:
    """Return the salt in `data_dir/.bi_salt`, creating it (mode 0600) on first use.

    A stable salt keeps hashes joinable across published versions; keeping it out of the serving
    directory keeps analysts from reversing hashes by trying known addresses.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SALT_FILE_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        salt = path.read_text(encoding="ascii").strip()
        if not salt:
            raise ValueError(f"{path} is empty; delete it to create a new salt") from None
        return salt
    salt = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(salt + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return salt
