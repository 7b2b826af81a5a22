import duckdb
import polars as pl
import pytest

from ingest.normalize import build_core
from ingest.tables import NORMALIZED_FILE_VERSIONS
from ingest.warehouse import append_rows

CORE_TABLES = ("core.lead_records", "core.consent_records", "core.touchpoints")


def _contents(conn) -> dict[str, list[tuple]]:
    """Every core table and the normalize-stage quarantine, sorted, without run times."""
    tables = {t: conn.sql(f"select * from {t}").pl() for t in CORE_TABLES}
    tables["quarantine"] = conn.sql(
        "select * exclude (quarantined_at) from quarantine.rows where stage = 'normalize'"
    ).pl()
    return {name: frame.sort(frame.columns, nulls_last=True).rows() for name, frame in tables.items()}


def _new_version(frame: pl.DataFrame, sha: str, batch: str, day: int) -> pl.DataFrame:
    from datetime import datetime

    return frame.with_columns(
        file_sha256=pl.lit(sha * 64), batch_id=pl.lit(batch), ingested_at=pl.lit(datetime(2026, 11, day, 8))
    )


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def test_build_core_writes_core_tables_and_replaces_its_quarantine_rows(conn, make_raw, formats, now):
    append_rows(conn, "raw.purchased_list_records", make_raw("purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": "Koch", "email": "k@firma.de", "consent_email": "ja", "consent_proof": "P1"}, {"list_price": "1"}]))
    first = build_core(conn, now=now, formats=formats)
    before = _contents(conn)
    second = build_core(conn, now=now, formats=formats)
    assert _contents(conn) == before
    assert (first.mode, second.mode, second.normalized_raw_rows) == ("full", "incremental", 0)
    assert conn.sql("select count(*) from core.lead_records").fetchone()[0] == 1
    assert conn.sql("select count(*) from core.consent_records").fetchone()[0] == 1
    assert conn.sql("select count(*) from core.touchpoints").fetchone()[0] == 1
    assert conn.sql("select count(*) from quarantine.rows where stage = 'normalize'").fetchone()[0] == 1
    assert second.to_metadata()["quarantined"] == 1 and second.to_metadata()["unknown_phone_consent"] == 1


def test_a_run_normalizes_only_new_file_versions(conn, make_raw, formats, now):
    append_rows(conn, "raw.purchased_list_records", make_raw("purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": f"Person{i}", "email": f"p{i}@firma.de"} for i in range(50)]))
    build_core(conn, now=now, formats=formats)
    append_rows(conn, "raw.purchased_list_records", _new_version(make_raw(
        "purchased_list", "adressdirekt", "adressdirekt", [{"last_name": "Neu", "email": "neu@firma.de"}],
        source_file="purchased_lists/adressdirekt/new.csv"), "e", "b2", 20))
    report = build_core(conn, now=now, formats=formats)
    assert (report.mode, report.normalized_raw_rows, report.lead_records) == ("incremental", 1, 51)
    assert conn.sql(f"select count(*) from {NORMALIZED_FILE_VERSIONS}").fetchone()[0] == 2


def test_incremental_run_gives_what_a_full_rebuild_gives(conn, make_raw, formats, now):
    crm = lambda rows, **kw: make_raw("crm_export", "hubspot", "hubspot_contacts", rows, **kw)  # noqa: E731
    forms = lambda rows, **kw: make_raw("web_form", "web_forms", "web_forms", rows, **kw)  # noqa: E731
    append_rows(conn, "raw.crm_records", crm([
        {"source_record_id": "1", "crm_id": "1", "email": "old@firma.de", "consent_email": "ja"},
        {"source_record_id": "2", "crm_id": "2", "email": "stays@firma.de"},
    ]))
    append_rows(conn, "raw.web_form_submissions", forms([
        {"source_record_id": "w1", "form_type": "newsletter"},  # no contact data: quarantined
        {"source_record_id": "w2", "email": "w2@firma.de", "form_type": "webinar", "consent_email": "ja"},
        {"source_record_id": "w3", "form_type": "whitepaper"},  # quarantined, and no newer copy
    ]))
    build_core(conn, now=now, formats=formats)
    # New versions: CRM record 1 changed, form w1 now reachable, form w2 lost its contact data.
    append_rows(conn, "raw.crm_records", _new_version(crm(
        [{"source_record_id": "1", "crm_id": "1", "email": "new@firma.de", "lifecycle_stage": "customer"}],
        source_file="crm_exports/hubspot/later.csv"), "e", "b2", 20))
    append_rows(conn, "raw.web_form_submissions", _new_version(forms([
        {"source_record_id": "w1", "email": "w1@firma.de", "form_type": "demo_request"},
        {"source_record_id": "w2", "form_type": "webinar"},
    ], source_file="web_forms/later.csv"), "d", "b2", 21))

    incremental = build_core(conn, now=now, formats=formats)
    after_incremental = _contents(conn)
    full = build_core(conn, now=now, formats=formats, full_rebuild=True)

    assert (incremental.mode, full.mode) == ("incremental", "full")
    assert _contents(conn) == after_incremental
    emails = dict(conn.sql("select record_id, email from core.lead_records").fetchall())
    assert emails == {"hubspot:1": "new@firma.de", "hubspot:2": "stays@firma.de", "web_forms:w1": "w1@firma.de"}
    assert conn.sql("select count(*) from quarantine.rows where stage = 'normalize'").fetchone()[0] == 2


def test_changed_parsing_rules_rebuild_every_record(conn, make_raw, formats, now):
    append_rows(conn, "raw.purchased_list_records", make_raw("purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": "Koch", "email": "k@firma.de"}]))
    build_core(conn, now=now, formats=formats)
    changed = formats.with_columns(
        date_order=pl.when(pl.col("contract") == "adressdirekt").then(pl.lit("MDY")).otherwise("date_order")
    )
    report = build_core(conn, now=now, formats=changed)
    assert (report.mode, report.normalized_raw_rows) == ("full", 1)
    assert "rules" in report.reason


def test_raw_rows_removed_by_an_erasure_rebuild_every_record(conn, make_raw, formats, now):
    append_rows(conn, "raw.purchased_list_records", make_raw("purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": "Koch", "email": "k@firma.de"}, {"last_name": "Roth", "email": "r@firma.de"}]))
    build_core(conn, now=now, formats=formats)
    conn.execute("delete from raw.purchased_list_records where last_name = 'Roth'")
    report = build_core(conn, now=now, formats=formats)
    assert (report.mode, report.normalized_raw_rows, report.lead_records) == ("full", 1, 1)
    assert "erasure" in report.reason
