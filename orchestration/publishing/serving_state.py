"""Read what is being served, without ever writing to it (CLI summaries, tests, health checks)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from orchestration.publishing import layout


def published_version(serving_dir: Path) -> dict | None:
    """Run id, time and row counts of the served DuckDB file, or None when nothing is published."""
    path = Path(serving_dir) / layout.SERVING_FILE
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as conn:
        rows = conn.execute(
            "SELECT run_id, published_at, table_name, row_count "
            "FROM meta.published_version ORDER BY table_name"
        ).fetchall()
    if not rows:
        return None
    run_ids = {row[0] for row in rows}
    if len(run_ids) != 1:
        raise RuntimeError(f"{path} mixes published versions {sorted(run_ids)}")
    return {
        "run_id": rows[0][0],
        "published_at": rows[0][1],
        "row_counts": {row[2]: int(row[3]) for row in rows},
    }


def serving_fingerprint(serving_dir: Path) -> str:
    """SHA-256 over the served DuckDB files, the Parquet link target and every current Parquet file.

    Equal fingerprints mean BI tools see byte-identical data, e.g. after a refused publish.
    """
    serving_dir = Path(serving_dir)
    digest = hashlib.sha256()
    for name in (layout.SERVING_FILE, layout.BI_SERVING_FILE):
        _add_file(digest, name, serving_dir / name)
    link = serving_dir / layout.PARQUET_LINK
    if link.is_symlink():
        digest.update(f"link {os.readlink(link)}\n".encode())
        root = link.resolve()
        for path in sorted(root.rglob("*")):
            if path.is_file():
                _add_file(digest, path.relative_to(root).as_posix(), path)
    else:
        digest.update(b"link absent\n")
    return digest.hexdigest()


def _add_file(digest: "hashlib._Hash", label: str, path: Path) -> None:
    if not path.exists():
        digest.update(f"{label} absent\n".encode())
        return
    digest.update(f"{label} {path.stat().st_size}\n".encode())
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
