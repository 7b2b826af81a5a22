"""The bi schema: marts an analyst without PII rights may see (DSGVO), joinable by lead_id."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl

from orchestration.publishing import publish

from .settings import SALT
from .synthetic_warehouse import clear_text_pii


def _bi_columns(database: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'bi' ORDER BY table_name, ordinal_position"
        ).fetchall()


def _leaks(database: Path, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) for every bi cell that contains a clear-text personal value."""
    found = []
    with duckdb.connect(str(database), read_only=True) as conn:
        for table, column in _bi_columns(database):
            values = conn.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM bi."{table}"').fetchall()
            for (value,) in values:
                if value is not None and any(needle.lower() in value.lower() for needle in needles):
                    found.append((table, column, value))
    return found


def test_bi_schema_holds_no_clear_text_personal_data(served):
    assert _bi_columns(served / "leadwerk.duckdb")
    assert _leaks(served / "leadwerk.duckdb", clear_text_pii(50)) == []


def test_bi_only_file_holds_no_clear_text_personal_data(served):
    assert _leaks(served / "leadwerk_bi.duckdb", clear_text_pii(50)) == []


def test_bi_only_file_contains_nothing_but_bi_and_meta(served):
    with duckdb.connect(str(served / "leadwerk_bi.duckdb"), read_only=True) as conn:
        schemas = conn.execute(
            "SELECT DISTINCT table_schema FROM information_schema.tables ORDER BY 1"
        ).fetchall()
    assert schemas == [("bi",), ("meta",)]


def test_bi_parquet_files_hold_no_clear_text_personal_data(served):
    frame = pl.read_parquet(served / "parquet" / "bi" / "lead_scores.parquet")
    text = frame.select(pl.all().cast(pl.String)).write_csv()
    assert [needle for needle in clear_text_pii(50) if needle.lower() in text.lower()] == []


def test_bi_keeps_lead_id_and_replaces_contact_columns_by_hashes(served):
    columns = [c for t, c in _bi_columns(served / "leadwerk.duckdb") if t == "lead_scores"]
    assert columns == [
        "lead_id", "email_hash", "phone_hash", "postcode", "score", "email_consent", "created_at", "run_tag",
    ]


def test_hash_is_salted_sha256_of_the_value(served):
    with duckdb.connect(str(served / "leadwerk.duckdb"), read_only=True) as conn:
        email_hash, phone_hash = conn.execute(
            "SELECT email_hash, phone_hash FROM bi.lead_scores WHERE lead_id = 'L000001'"
        ).fetchone()
    assert email_hash == hashlib.sha256(f"{SALT}:lead1@beispiel-gmbh.de".encode()).hexdigest()
    assert phone_hash == hashlib.sha256(f"{SALT}:+4930555" "0001".encode()).hexdigest()


def test_missing_values_stay_missing_instead_of_hashing_to_a_shared_value(served):
    with duckdb.connect(str(served / "leadwerk.duckdb"), read_only=True) as conn:
        hashes = conn.execute("SELECT phone_hash FROM bi.lead_scores WHERE lead_id = 'L000007'").fetchone()
    assert hashes == (None,)


def _email_hashes(serving_dir: Path) -> dict[str, str]:
    with duckdb.connect(str(serving_dir / "leadwerk.duckdb"), read_only=True) as conn:
        return dict(conn.execute("SELECT lead_id, email_hash FROM bi.lead_scores").fetchall())


def test_hashes_are_stable_across_runs_with_the_same_salt(warehouse, serving_dir, data_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    first = _email_hashes(serving_dir)
    publish(warehouse, serving_dir, run_id="r2", salt=SALT)

    assert _email_hashes(serving_dir) == first


def test_a_different_salt_gives_different_hashes(warehouse, serving_dir, data_dir):
    publish(warehouse, serving_dir, run_id="r1", salt=SALT)
    other_dir = data_dir / "other_serving"
    publish(warehouse, other_dir, run_id="r1", salt="another-salt")

    first, other = _email_hashes(serving_dir), _email_hashes(other_dir)
    assert first.keys() == other.keys()
    assert all(first[lead] != other[lead] for lead in first)


def test_salt_is_never_written_to_the_servedectory(served):
    files = [p for p in served.rglob("*") if p.is_file()]
    assert files
    assert [p for p in files if SALT.encode() in p.read_bytes()] == []
