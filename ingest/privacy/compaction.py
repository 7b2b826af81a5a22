"""Physical erasure: rewrite the warehouse file so deleted rows leave no bytes behind.

DuckDB marks deleted rows and frees their blocks but does not overwrite them; a `grep` of the
file still finds an erased address after DELETE, CHECKPOINT and VACUUM. Copying the database into
a fresh file and renaming it over the old one is the only way the bytes are really gone. Needs
the warehouse closed by everybody (DuckDB's single writer makes that checkable: we open it).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ingest.warehouse import WAREHOUSE_STORAGE_VERSION


def compact_warehouse(warehouse: Path) -> int:
    """Replace `warehouse` by a rewritten copy; returns the new size in bytes."""
    warehouse = Path(warehouse)
    tmp = warehouse.with_name(f".{warehouse.name}.compact.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect() as conn:
        conn.execute(f"attach '{_escape(warehouse)}' as old_wh")
        conn.execute("checkpoint old_wh")  # fold the WAL in before copying
        conn.execute(f"attach '{_escape(tmp)}' as new_wh (storage_version '{WAREHOUSE_STORAGE_VERSION}')")
        try:
            conn.execute("copy from database old_wh to new_wh")
            conn.execute("checkpoint new_wh")
        except BaseException:
            conn.execute("detach new_wh")
            tmp.unlink(missing_ok=True)
            raise
        conn.execute("detach new_wh")
        conn.execute("detach old_wh")
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, warehouse)
    Path(str(warehouse) + ".wal").unlink(missing_ok=True)
    return warehouse.stat().st_size


def _escape(path: Path) -> str:
    return str(path).replace("'", "''")
