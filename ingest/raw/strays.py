"""Files in landing/ that no source folder holds: reported as rejected, never silently ignored.

Sources are recognised by folder (`crm_exports/<system>/`, `purchased_lists/<vendor>/`,
`web_forms/`); a file dropped straight into landing/ or into an unknown folder cannot be read
by any contract, so it is registered as rejected with a note that says where it should go.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.raw.landing import is_temporary, read_regular_file, refused_source_of, sha256_of
from ingest.raw.tables import FOLDER_KINDS, QUARANTINE_SCHEMA, REGISTRY_SCHEMA
from ingest.tables import FILE_REGISTRY, QUARANTINE_ROWS
from ingest.warehouse import append_rows, table_exists, transaction

REASON = "outside_source_folders"


def stray_landing_files(landing_dir: Path) -> list[Path]:
    """Files and links under landing/ outside every source folder (hidden and temporary files
    aside). Links are listed, never followed."""
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        return []
    strays = []
    for path in sorted(landing_dir.rglob("*")):
        relative = path.relative_to(landing_dir)
        if is_temporary(relative) or refused_source_of(relative) is not None:
            continue
        if path.is_symlink() or path.is_file():
            strays.append(path)
    return strays


def _advice(relative: Path) -> str:
    folders = ", ".join(f"{name}/<system>/" if name != "web_forms" else "web_forms/" for name in FOLDER_KINDS)
    return f"{relative.as_posix()} is outside the source folders; move it into one of {folders} (e.g. crm_exports/salesforce/)"


def report_stray_files(
    conn: duckdb.DuckDBPyConnection, landing_dir: Path, *, batch_id: str, at: datetime
) -> list[str]:
    """Register every stray file as rejected (again on every run until it is moved)."""
    reported = []
    for path in stray_landing_files(landing_dir):
        relative = path.relative_to(landing_dir)
        try:
            data = read_regular_file(path)  # a link is refused here, not followed
        except OSError:
            data = b""
        sha256 = sha256_of(data)
        source_file = relative.as_posix()
        registry = pl.DataFrame([{
            "source_file": source_file, "file_sha256": sha256, "file_bytes": len(data),
            "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "rows_suppressed": 0,
            "unmapped_columns": "[]", "status": "rejected", "batch_id": batch_id, "ingested_at": at,
        }], schema=REGISTRY_SCHEMA)
        note = pl.DataFrame([{
            "source_file": source_file, "file_sha256": sha256, "source_row": 0, "raw_text": None,
            "reason": REASON, "reason_detail": _advice(relative), "stage": "ingest",
            "batch_id": batch_id, "quarantined_at": at,
        }], schema=QUARANTINE_SCHEMA)
        with transaction(conn):
            if table_exists(conn, FILE_REGISTRY):
                conn.execute(
                    f"delete from {FILE_REGISTRY} where source_file = ? and status = 'rejected'", [source_file]
                )
            if table_exists(conn, QUARANTINE_ROWS):
                conn.execute(
                    f"delete from {QUARANTINE_ROWS} where source_file = ? and reason = ?", [source_file, REASON]
                )
            append_rows(conn, FILE_REGISTRY, registry)
            append_rows(conn, QUARANTINE_ROWS, note)
        reported.append(source_file)
    return reported
