"""raw suite: lineage present, every file version reconciles, nothing ingested twice."""

from __future__ import annotations

import duckdb
import pytest
from quality_checks import assert_fails_exactly, ids, run_with_injections, validate

FILE_VERSION = "source_file || '@' || left(file_sha256, 12)"


def _files(conn, k, offset, where="rows_loaded > 0"):
    return ids(conn, f"select {FILE_VERSION} from audit.file_registry where {where} "
                     f"order by source_file limit {k} offset {offset}")


def _null_batch_id(conn):
    rows = conn.execute("select source_file, source_row from raw.crm_records order by source_file, source_row "
                        "limit 3").fetchall()
    for source_file, source_row in rows:
        conn.execute("update raw.crm_records set batch_id = null where source_file = ? and source_row = ?",
                     [source_file, source_row])
    return [f"crm_records:{f}#{r}" for f, r in rows]


def _unbalance(conn):
    chosen = _files(conn, 2, 0)
    conn.execute(f"update audit.file_registry set rows_read = rows_read + 1 where {FILE_VERSION} in (select unnest(?))",
                 [chosen])
    return chosen


def _lose_raw_row(conn):
    chosen = _files(conn, 1, 0, "source_kind = 'web_form'")
    conn.execute(f"delete from raw.web_form_submissions where {FILE_VERSION} = ? and source_row = 1", chosen)
    return chosen


def _lose_quarantine_row(conn):
    chosen = ids(conn, f"select distinct {FILE_VERSION} from quarantine.rows where stage = 'ingest' and source_row > 0")
    conn.execute("delete from quarantine.rows where stage = 'ingest' and source_row > 0 "
                 "and source_row = (select max(source_row) from quarantine.rows where stage = 'ingest')")
    return chosen


def _register_twice(conn):
    chosen = _files(conn, 1, 0, "source_system = 'adressdirekt' and rows_loaded > 0")
    conn.execute(f"insert into audit.file_registry select * from audit.file_registry "
                 f"where {FILE_VERSION} in (select unnest(?))", [chosen])
    return chosen


BLOCKING = {
    "lineage_not_null.batch_id": _null_batch_id,
    "registry_balanced": _unbalance,
    "raw_rows_match_loaded": _lose_raw_row,
    "quarantine_rows_match_quarantined": _lose_quarantine_row,
    "file_ingested_once": _register_twice,
}


@pytest.fixture(scope="module")
def corrupted(template_path, tmp_path_factory):
    return run_with_injections(template_path, tmp_path_factory.mktemp("raw_bad"), "raw", BLOCKING)


def test_clean_raw_layer_passes(warehouse):
    outcome = validate(warehouse, "raw")
    assert outcome.passed, outcome.failures
    assert outcome.severity is None


def test_missing_lineage_value_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "lineage_not_null.batch_id", 3, injected["lineage_not_null.batch_id"])


def test_file_whose_counts_do_not_balance_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "registry_balanced", 2, injected["registry_balanced"])


def test_file_with_fewer_raw_rows_than_loaded_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "raw_rows_match_loaded", 1, injected["raw_rows_match_loaded"])


def test_file_with_fewer_quarantine_rows_than_registered_fails(corrupted):
    outcome, injected = corrupted
    assert len(injected["quarantine_rows_match_quarantined"]) == 1
    assert_fails_exactly(outcome, "quarantine_rows_match_quarantined", 1,
                         injected["quarantine_rows_match_quarantined"])


def test_file_registered_twice_fails(corrupted):
    outcome, injected = corrupted
    assert_fails_exactly(outcome, "file_ingested_once", 1, injected["file_ingested_once"])


def test_same_content_under_a_second_path_is_a_warning(warehouse):
    warehouse.execute("""
        insert into audit.file_registry
        select 'purchased_lists/adressdirekt/copy.csv', file_sha256, source_kind, source_system, contract, encoding,
               delimiter, file_bytes, 0, 0, 0, 0, unmapped_columns, 'loaded', 'batch-2', ingested_at
        from audit.file_registry where source_file = 'purchased_lists/adressdirekt/batch_0.csv'""")
    outcome = validate(warehouse, "raw")
    warning = outcome.outcome("content_ingested_under_one_path")
    assert outcome.passed
    assert outcome.severity == "warn"
    assert warning.unexpected_count == 1


def test_file_rejected_whole_is_a_warning_naming_the_file(warehouse):
    warehouse.execute("""
        insert into audit.file_registry
        select 'crm_exports/salesforce/report.csv', sha256('report'), 'crm_export', 'salesforce', null, 'utf-8',
               ',', 500, 0, 0, 0, 0, '[]', 'rejected', 'batch-2', timestamp '2025-12-02'""")
    warehouse.execute("""
        insert into quarantine.rows
        select 'crm_export', 'salesforce', 'crm_exports/salesforce/report.csv', sha256('report'), 0, 'Lead ID,Name',
               'unknown_format', 'no identifying column', 'ingest', 'batch-2', timestamp '2025-12-02'""")
    outcome = validate(warehouse, "raw")
    rejected = outcome.outcome("no_file_rejected_whole")
    assert outcome.passed and outcome.severity == "warn"
    assert rejected.unexpected_count == 1
    assert rejected.sample_ids[0].startswith("crm_exports/salesforce/report.csv@")


def test_warehouse_without_raw_tables_fails_clearly(tmp_path):
    conn = duckdb.connect(str(tmp_path / "empty.duckdb"))
    outcome = validate(conn, "raw")
    assert not outcome.passed
    missing = outcome.outcome("tables_present")
    assert missing.severity == "error"
    assert "audit.file_registry" in missing.exception
