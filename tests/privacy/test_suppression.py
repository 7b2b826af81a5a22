"""Suppression at ingestion: raw rows of erased, objecting or fully opted-out people are dropped."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import duckdb
import polars as pl

from ingest.privacy import erase_person, suppression_filter
from ingest.privacy.objection import record_objection
from privacy.conftest import ANNA, BERND, SALT
from privacy.privacy_warehouse import build_warehouse

RAW_ROWS = pl.DataFrame({
    "first_name": ["Anna", "Anna", "Anna", "Bernd", "Carla"],
    "last_name": ["Schmidt", "Schmidt", "Schmidt", "Keller", "Neu"],
    "email": ["  ANNA.Schmidt+herbst@EXAMPLE.de ", None, "anna.schmidt@example.de", "b.keller@firma.de", None],
    "phone": [None, "0171/234 56 78", None, "030 1234567", "089 123456"],
    "mobile_phone": [None, None, None, None, None],
    "country": ["DE", "Deutschland", None, "DE", "DE"],
})


def test_rows_of_an_erased_person_are_suppressed_whatever_the_spelling(warehouse: duckdb.DuckDBPyConnection) -> None:
    erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    is_suppressed = suppression_filter(warehouse, SALT)
    assert is_suppressed(RAW_ROWS).to_list() == [True, True, True, False, False]


def test_nothing_is_suppressed_before_any_erasure(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert suppression_filter(warehouse, SALT)(RAW_ROWS).to_list() == [False] * 5


def test_mobile_phone_column_is_checked_too(warehouse: duckdb.DuckDBPyConnection) -> None:
    erase_person(warehouse, phone="+491712345678", reason_code="art17_request", salt=SALT)
    rows = pl.DataFrame({"email": [None], "phone": ["030 999999"], "mobile_phone": ["+49 171 2345678"]})
    assert suppression_filter(warehouse, SALT)(rows).to_list() == [True]


def test_a_different_salt_matches_nothing(warehouse: duckdb.DuckDBPyConnection) -> None:
    erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    assert not suppression_filter(warehouse, "another-installation")(RAW_ROWS).any()


def test_an_objection_suppresses_future_rows(warehouse: duckdb.DuckDBPyConnection) -> None:
    record_objection(warehouse, lead_id="L-BERND", salt=SALT)
    assert suppression_filter(warehouse, SALT)(RAW_ROWS).to_list() == [False, False, False, True, False]


def test_an_objection_is_kept_for_the_marts_with_its_lead(warehouse: duckdb.DuckDBPyConnection) -> None:
    record_objection(warehouse, email="b.keller@firma.de", salt=SALT)
    assert warehouse.execute("select lead_id, channel from privacy.objections").fetchall() == [("L-BERND", "all")]


def test_a_person_opted_out_on_every_record_and_channel_is_suppressed(tmp_path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    opted_out = [replace(r, do_not_email=True, do_not_call=True) for r in ANNA]
    build_warehouse(conn, opted_out + BERND)
    assert suppression_filter(conn, SALT)(RAW_ROWS).to_list() == [True, True, True, False, False]


def test_an_opt_out_on_only_some_records_does_not_suppress(warehouse: duckdb.DuckDBPyConnection) -> None:
    # Anna's CRM record opted out of e-mail only; she may still be imported (the channel is blocked).
    assert not suppression_filter(warehouse, SALT)(RAW_ROWS).any()


def test_an_empty_frame_gives_an_empty_mask(warehouse: duckdb.DuckDBPyConnection) -> None:
    erase_person(warehouse, email="anna.schmidt@example.de", reason_code="art17_request", salt=SALT)
    assert suppression_filter(warehouse, SALT)(RAW_ROWS.head(0)).len() == 0


def test_identifier_hashes_are_salt_colon_value_like_the_serving_copys_bi_hashes() -> None:
    """Analysts holding only `bi` hashes (sha256 of 'salt:value') must find suppressed people."""
    from ingest.privacy.identifiers import hash_columns

    hashed = hash_columns(pl.DataFrame({"key": ["anna.schmidt@example.de", None]}), ["key"], SALT)
    expected = hashlib.sha256(f"{SALT}:anna.schmidt@example.de".encode()).hexdigest()
    assert hashed["key_hash"].to_list() == [expected, None]
