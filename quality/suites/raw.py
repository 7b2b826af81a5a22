"""raw.* and audit.file_registry: lineage is complete, every file reconciles, none is loaded twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from ingest.tables import (
    FILE_ERASURES,
    FILE_REGISTRY,
    QUARANTINE_ROWS,
    RAW_TABLE_NAMES,
)
from quality.specs import Batch, expectation
from quality.suites._sql import existing_tables, quote_ident

TABLES = (FILE_REGISTRY, QUARANTINE_ROWS)
# A file version is named by its path and the start of its content hash (no personal data).
FILE_VERSION = "{t}source_file || '@' || left({t}file_sha256, 12)"


def batches(conn: duckdb.DuckDBPyConnection, cfg: dict[str, Any], now: datetime) -> list[Batch]:
    # A source kind that never delivered has no raw table yet; with none at all, the batches
    # name every raw table as missing so the suite fails instead of passing on nothing.
    raw_tables = existing_tables(conn, list(RAW_TABLE_NAMES)) or list(RAW_TABLE_NAMES)
    return [
        _lineage_batch(cfg, raw_tables),
        _reconciliation_batch(cfg, raw_tables, has_erasures=bool(existing_tables(conn, [FILE_ERASURES]))),
        _file_version_batch(cfg),
        _content_batch(cfg),
        _rejected_files_batch(cfg),
    ]


def _lineage_batch(cfg: dict[str, Any], raw_tables: list[str]) -> Batch:
    columns = cfg["expectations"]["lineage_not_null"]["columns"]
    selected = ", ".join(quote_ident(c) for c in columns)
    unions = " union all ".join(
        f"select '{t.split('.')[1]}:' || coalesce(source_file, '?') || '#' || coalesce(source_row::varchar, '?')"
        f" as row_ref, {selected} from {t}"
        for t in raw_tables
    )
    specs = [
        expectation(cfg, "lineage_not_null", "ExpectColumnValuesToNotBeNull",
                    name=f"lineage_not_null.{c}", column=c)
        for c in columns
    ]
    return Batch(name="raw_lineage", sql=unions, id_column="row_ref", expectations=specs,
                 tables=tuple(raw_tables))


# Rows an erasure or retention purge removed later, per file version (written by ingest/privacy).
_NOTHING_ERASED_SQL = (
    "select null::varchar as source_file, null::varchar as file_sha256, "
    "0 as raw, 0 as quarantine, 0 as suppressed where false"
)
_ERASED_SQL = f"""
    select source_file, file_sha256,
           sum(rows_erased) filter (where layer = 'raw') as raw,
           sum(rows_erased) filter (where layer = 'quarantine') as quarantine,
           sum(rows_erased) filter (where layer = 'suppressed') as suppressed
    from {FILE_ERASURES} group by all
"""


def _reconciliation_batch(cfg: dict[str, Any], raw_tables: list[str], *, has_erasures: bool) -> Batch:
    """Per registered file version: the registry balances, raw and quarantine hold what it says."""
    raw_rows = " union all ".join(f"select source_file, file_sha256 from {t}" for t in raw_tables)
    sql = f"""
        with raw_counts as (
            select source_file, file_sha256, count(*) as n from ({raw_rows}) group by all
        ), quarantine_counts as (
            select source_file, file_sha256,
                   count(*) filter (where reason <> 'suppressed') as n,
                   count(*) filter (where reason = 'suppressed') as suppressed
            from {QUARANTINE_ROWS}
            where stage = 'ingest' and source_row > 0 group by all
        ), erased as ({_ERASED_SQL if has_erasures else _NOTHING_ERASED_SQL})
        select {FILE_VERSION.format(t='f.')} as file_version,
               f.rows_read,
               coalesce(f.rows_loaded, 0) + coalesce(f.rows_quarantined, 0)
                   + coalesce(f.rows_suppressed, 0) as rows_accounted,
               f.rows_loaded,
               coalesce(r.n, 0) + coalesce(e.raw, 0) as raw_rows,
               f.rows_quarantined,
               coalesce(q.n, 0) + coalesce(e.quarantine, 0) as quarantine_rows,
               coalesce(f.rows_suppressed, 0) as rows_suppressed,
               coalesce(q.suppressed, 0) + coalesce(e.suppressed, 0) as suppressed_rows
        from {FILE_REGISTRY} f
        left join raw_counts r using (source_file, file_sha256)
        left join quarantine_counts q using (source_file, file_sha256)
        left join erased e using (source_file, file_sha256)
    """
    pair = "ExpectColumnPairValuesToBeEqual"
    specs = [
        expectation(cfg, "registry_balanced", pair, column_A="rows_read", column_B="rows_accounted"),
        expectation(cfg, "raw_rows_match_loaded", pair, column_A="rows_loaded", column_B="raw_rows"),
        expectation(cfg, "quarantine_rows_match_quarantined", pair,
                    column_A="rows_quarantined", column_B="quarantine_rows"),
        expectation(cfg, "suppressed_rows_match_suppressed", pair,
                    column_A="rows_suppressed", column_B="suppressed_rows"),
    ]
    return Batch(name="file_reconciliation", sql=sql, id_column="file_version", expectations=specs,
                 tables=TABLES + tuple(raw_tables))


def _file_version_batch(cfg: dict[str, Any]) -> Batch:
    sql = f"""
        select {FILE_VERSION.format(t='')} as file_version, count(*) as registrations
        from {FILE_REGISTRY} group by source_file, file_sha256
    """
    spec = expectation(cfg, "file_ingested_once", "ExpectColumnValuesToBeBetween",
                       column="registrations", min_value=1, max_value=1)
    return Batch(name="file_versions", sql=sql, id_column="file_version", expectations=[spec],
                 tables=TABLES)


def _content_batch(cfg: dict[str, Any]) -> Batch:
    """Same bytes under several paths; empty files all share one hash, so only files with content count."""
    sql = f"""
        select left(file_sha256, 12) as content, count(distinct source_file) as paths
        from {FILE_REGISTRY} where coalesce(file_bytes, 0) > 0 group by file_sha256
    """
    spec = expectation(cfg, "content_ingested_under_one_path", "ExpectColumnValuesToBeBetween",
                       column="paths", max_value=1)
    return Batch(name="file_contents", sql=sql, id_column="content", expectations=[spec],
                 tables=TABLES)


def _rejected_files_batch(cfg: dict[str, Any]) -> Batch:
    """Files rejected whole (no contract fits, broken contract, outside the source folders):
    nothing of them reached the warehouse, which somebody must notice."""
    sql = f"""
        select {FILE_VERSION.format(t='')} as file_version, status
        from {FILE_REGISTRY}
    """
    spec = expectation(cfg, "no_file_rejected_whole", "ExpectColumnValuesToNotBeInSet",
                       column="status", value_set=["rejected"])
    return Batch(name="rejected_files", sql=sql, id_column="file_version", expectations=[spec],
                 tables=TABLES)
