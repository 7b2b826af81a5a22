"""An erased Gmail user does not come back under googlemail.com, without dots or with a plus tag."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl
import pytest

from ingest.privacy import erase_person, suppression_filter
from ingest.privacy.identifiers import hash_value, lookup_keys
from privacy.conftest import ANNA, BERND, SALT
from privacy.privacy_warehouse import build_warehouse, text_hits

SPELLINGS = ["x.y@googlemail.com", "xy@gmail.com", "X.Y+news@GMail.com", " x.y@gmail.com "]
OTHERS = ["xy.z@gmail.com", "x.y@example.de", "xy@example.de"]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("x.y@gmail.com", "xy@gmail.com"),
        ("X.Y@GoogleMail.com", "xy@gmail.com"),
        ("x.y+promo@googlemail.com", "xy@gmail.com"),
        ("a.b@me.com", "a.b@icloud.com"),  # Apple keeps dots but me.com is icloud.com
        ("anna.schmidt+x@example.de", "anna.schmidt@example.de"),  # other providers keep their dots
    ],
)
def test_match_key_folds_provider_aliases_by_the_rules_file(typed: str, key: str) -> None:
    assert lookup_keys(typed, None)[0] == key


def test_every_spelling_of_an_erased_gmail_address_is_suppressed(warehouse: duckdb.DuckDBPyConnection) -> None:
    erase_person(warehouse, email="x.y@gmail.com", reason_code="art17_request", salt=SALT)
    rows = pl.DataFrame({"email": SPELLINGS + OTHERS})
    assert suppression_filter(warehouse, SALT)(rows).to_list() == [True] * len(SPELLINGS) + [False] * len(OTHERS)


def test_entries_made_before_aliases_were_folded_still_suppress(warehouse: duckdb.DuckDBPyConnection) -> None:
    """An older list holds the hash of 'x.y@gmail.com' (plus tag removed, dots kept)."""
    warehouse.execute("create schema if not exists privacy")
    erase_person(warehouse, email="nobody@example.org", reason_code="art17_request", salt=SALT)
    warehouse.execute(
        "insert into privacy.suppression_list values ('email', ?, 'erasure', ?)",
        [hash_value("x.y@gmail.com", SALT), datetime(2025, 1, 1)],
    )
    assert suppression_filter(warehouse, SALT)(pl.DataFrame({"email": ["x.y+a@gmail.com"]})).to_list() == [True]


def test_erasure_removes_quarantined_lines_with_an_alias_spelling(tmp_path) -> None:
    quarantined = {
        "source_kind": "web_form", "source_system": "web_forms", "source_file": "web_forms/web_forms/bad.jsonl",
        "file_sha256": "d" * 64, "source_row": 3, "raw_text": '{"email": "X.Y@GoogleMail.com", "name": "Xaver Yilmaz"',
        "reason": "invalid_json", "reason_detail": None, "stage": "ingest", "batch_id": "b9",
        "quarantined_at": datetime(2025, 1, 2),
    }
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    build_warehouse(conn, ANNA + BERND, quarantine=[quarantined])
    report = erase_person(conn, email="xy@gmail.com", reason_code="art17_request", salt=SALT)
    assert report.rows_deleted.get("quarantine.rows") == 1
    assert text_hits(conn, ["Yilmaz", "googlemail"]) == {}
