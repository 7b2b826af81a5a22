"""Fixtures: a warehouse with Anna Schmidt (three source records) and Bernd Keller (one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from privacy.privacy_warehouse import Consent, Record, build_warehouse

SALT = "test-salt-0123456789"

ANNA = [
    Record("adressdirekt:h:aaa1", "L-ANNA", "purchased_list", "adressdirekt", "Anna", "Schmidt",
           "Anna.Schmidt+promo@Example.de", "0171 2345678", "anna.schmidt@example.de", "+491712345678",
           source_row=1, consents=[Consent("phone", "granted", datetime(2024, 5, 1), "VEND-PROOF-77")],
           touchpoints=[("list_purchase", datetime(2025, 1, 10))]),
    Record("web_forms:sub-1", "L-ANNA", "web_form", "web_forms", "Anna", "Schmidt",
           "anna.schmidt@example.de", "+49 171 2345678", "anna.schmidt@example.de", "+491712345678",
           source_row=4, consents=[Consent("email", "granted", datetime(2025, 2, 1), "DOI-123")],
           touchpoints=[("whitepaper", datetime(2025, 2, 1))]),
    Record("hubspot:9001", "L-ANNA", "crm_export", "hubspot", "Anna", "Schmidt",
           " ANNA.SCHMIDT@example.de ", None, "anna.schmidt@example.de", None,
           source_row=2, do_not_email=True,
           consents=[Consent("email", "withdrawn", datetime(2025, 3, 1), None, datetime(2025, 6, 1))],
           touchpoints=[("crm_created", datetime(2025, 3, 1))]),
]
BERND = [
    Record("adressdirekt:h:bbb1", "L-BERND", "purchased_list", "adressdirekt", "Bernd", "Keller",
           "b.keller@firma.de", "030 1234567", "b.keller@firma.de", "+49301234567", source_row=2),
]
ANNA_QUARANTINE = [
    {"source_kind": "purchased_list", "source_system": "adressdirekt",
     "source_file": "purchased_lists/adressdirekt/old.csv", "file_sha256": "e" * 64, "source_row": 7,
     "raw_text": "Frau;;Anna;Schmidt;ANNA.SCHMIDT+x@example.de;extra;;", "reason": "wrong_field_count",
     "reason_detail": None, "stage": "ingest", "batch_id": "b0", "quarantined_at": datetime(2025, 1, 1)},
    {"source_kind": "purchased_list", "source_system": "adressdirekt",
     "source_file": "purchased_lists/adressdirekt/old.csv", "file_sha256": "e" * 64, "source_row": 8,
     "raw_text": "Frau;;A.;Schmidt;+49 (171) 234-5678", "reason": "truncated_row",
     "reason_detail": None, "stage": "ingest", "batch_id": "b0", "quarantined_at": datetime(2025, 1, 1)},
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    build_warehouse(conn, ANNA + BERND, quarantine=ANNA_QUARANTINE)
    yield conn
    conn.close()
