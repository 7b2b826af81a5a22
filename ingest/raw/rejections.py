"""Files rejected whole, with the reason, for run summaries and exit codes."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ingest.tables import FILE_REGISTRY, QUARANTINE_ROWS
from ingest.warehouse import table_exists


@dataclass(frozen=True)
class RejectedFile:
    source_file: str
    reason: str
    detail: str


def rejected_files(conn: duckdb.DuckDBPyConnection, batch_id: str | None = None) -> list[RejectedFile]:
    """Files whose latest registration is a whole-file rejection (of one run, when batch_id is given)."""
    if not table_exists(conn, FILE_REGISTRY):
        return []
    notes = (
        f"left join {QUARANTINE_ROWS} q on q.source_file = f.source_file and q.file_sha256 = f.file_sha256"
        " and q.source_row = 0"
        if table_exists(conn, QUARANTINE_ROWS) else
        "left join (select null::varchar as reason, null::varchar as reason_detail) q on false"
    )
    rows = conn.execute(
        f"""
        select f.source_file, coalesce(any_value(q.reason), 'rejected'), coalesce(any_value(q.reason_detail), '')
        from {FILE_REGISTRY} f {notes}
        where f.status = 'rejected' and (? is null or f.batch_id = ?)
        group by f.source_file order by f.source_file
        """,
        [batch_id, batch_id],
    ).fetchall()
    return [RejectedFile(*row) for row in rows]
