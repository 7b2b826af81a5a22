import duckdb

from ingest.normalize import build_core
from ingest.warehouse import append_rows


def test_build_core_writes_core_tables_and_replaces_its_quarantine_rows(tmp_path, make_raw, formats, now):
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    append_rows(conn, "raw.purchased_list_records", make_raw("purchased_list", "adressdirekt", "adressdirekt", [
        {"last_name": "Koch", "email": "k@firma.de", "consent_email": "ja", "consent_proof": "P1"}, {"list_price": "1"}]))
    first = build_core(conn, now=now, formats=formats)
    second = build_core(conn, now=now, formats=formats)
    assert first == second
    assert conn.sql("select count(*) from core.lead_records").fetchone()[0] == 1
    assert conn.sql("select count(*) from core.consent_records").fetchone()[0] == 1
    assert conn.sql("select count(*) from core.touchpoints").fetchone()[0] == 1
    assert conn.sql("select count(*) from quarantine.rows where stage = 'normalize'").fetchone()[0] == 1
    assert second.to_metadata()["quarantined"] == 1 and second.to_metadata()["unknown_phone_consent"] == 1
