"""Which landing-file versions the core tables already hold, so a nightly run normalizes only
the new ones.

Raw rows never change once loaded, so a file version normalized under the same rules gives the
same core rows every night. The core tables are rebuilt from all raw rows only when that stops
being true: the rules or contracts changed, or NORMALIZE_LOGIC_VERSION was bumped (their
fingerprint differs), a version's raw row count changed (an erasure or retention purge), or someone asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.fingerprint import fingerprint
from ingest.normalize.rulebook import RULES_DIR
from ingest.tables import NORMALIZED_FILE_VERSIONS, table
from ingest.warehouse import append_rows, overwrite_table, table_exists

VERSION_KEY = ["raw_table", "source_file", "file_sha256"]
VERSIONS_SCHEMA = table(NORMALIZED_FILE_VERSIONS).polars_schema()
# Bump when a change to the normalization code (ingest/normalize/) changes what a raw row
# becomes; the next run then rebuilds the core tables from all raw rows. Edits that keep every
# result (comments, docstrings, refactoring, speed) leave it alone and cost no rebuild. Rule
# files are data and count by their content, without a bump.
NORMALIZE_LOGIC_VERSION = 2
# Libraries whose behaviour is part of the result (parsing, phone numbers).
_LIBRARIES = ("polars", "phonenumbers")


def rules_fingerprint(
    formats: pl.DataFrame, *, logic_version: int = NORMALIZE_LOGIC_VERSION, rules_dir: Path = RULES_DIR
) -> str:
    """sha256 over everything that decides how a raw row is normalized: the contracts' formats,
    the rule files' contents, the logic version and the libraries' versions."""
    return fingerprint(
        texts=[formats.sort("contract").write_csv(), f"normalize logic v{logic_version}"],
        files=sorted(path for path in rules_dir.rglob("*") if path.is_file()),
        libraries=_LIBRARIES,
    )


def raw_versions(conn: duckdb.DuckDBPyConnection, raw_tables: tuple[str, ...]) -> pl.DataFrame:
    """Rows per landing-file version in each raw table, as they are now."""
    selects = [
        f"select '{table}' as raw_table, source_file, file_sha256, count(*) as raw_rows "
        f"from {table} group by all"
        for table in raw_tables
        if table_exists(conn, table)
    ]
    if not selects:
        return pl.DataFrame(schema={k: VERSIONS_SCHEMA[k] for k in (*VERSION_KEY, "raw_rows")})
    return conn.sql(" union all ".join(selects)).pl().cast({"raw_rows": pl.Int64})


@dataclass(frozen=True)
class NormalizePlan:
    """Full rebuild or only new versions, and why."""

    mode: str  # "full" | "incremental"
    reason: str
    current: pl.DataFrame  # every raw version now
    new: pl.DataFrame  # versions to normalize in an incremental run


def plan_normalization(
    conn: duckdb.DuckDBPyConnection,
    raw_tables: tuple[str, ...],
    core_tables: tuple[str, ...],
    fingerprint: str,
    *,
    full_rebuild: bool = False,
) -> NormalizePlan:
    current = raw_versions(conn, raw_tables)

    def full(reason: str) -> NormalizePlan:
        return NormalizePlan("full", reason, current, current)

    if full_rebuild:
        return full("full rebuild requested")
    if not all(table_exists(conn, t) for t in (NORMALIZED_FILE_VERSIONS, *core_tables)):
        return full("first run")
    done = conn.sql(f"select * from {NORMALIZED_FILE_VERSIONS}").pl()
    if done.height and (done["rules_fingerprint"] != fingerprint).any():
        return full("rules, contracts or normalization logic version changed")
    compared = done.join(current, on=VERSION_KEY, how="left", suffix="_now")
    changed = compared.filter(pl.col("raw_rows_now").is_null() | (pl.col("raw_rows_now") != pl.col("raw_rows")))
    if changed.height:
        return full(f"{changed.height} normalized file version(s) lost raw rows (erasure or purge)")
    new = current.join(done, on=VERSION_KEY, how="anti")
    return NormalizePlan("incremental", f"{new.height} new file version(s)", current, new)


def _version_rows(versions: pl.DataFrame, fingerprint: str, now: datetime) -> pl.DataFrame:
    return versions.select(
        *VERSION_KEY, "raw_rows",
        rules_fingerprint=pl.lit(fingerprint),
        normalized_at=pl.lit(now),
    ).cast(VERSIONS_SCHEMA)


def record_normalized(
    conn: duckdb.DuckDBPyConnection, plan: NormalizePlan, fingerprint: str, now: datetime
) -> None:
    """Remember the versions this run normalized, in the caller's transaction."""
    if plan.mode == "full":
        overwrite_table(conn, NORMALIZED_FILE_VERSIONS, _version_rows(plan.current, fingerprint, now))
    else:
        append_rows(conn, NORMALIZED_FILE_VERSIONS, _version_rows(plan.new, fingerprint, now))
