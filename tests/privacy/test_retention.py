"""Retention: leads past the limit are purged everywhere; proof and objections outlive them."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.privacy.objection import record_objection
from ingest.privacy.policy import load_policy
from ingest.privacy.retention import apply_retention
from privacy.conftest import SALT
from privacy.privacy_warehouse import Consent, Record, build_warehouse

NOW = datetime(2026, 11, 23, 2, 0)


def lead(lead_id: str, row: int, *, activity: datetime, consents=(), touchpoints=()) -> Record:
    name = lead_id.split("-", 1)[1].lower()
    return Record(
        f"adressdirekt:h:{name}", lead_id, "purchased_list", "adressdirekt", "Vorname", f"Nach{name}",
        f"{name}@example.de", None, f"{name}@example.de", None, source_row=row,
        created_at=activity, ingested_at=activity, consents=list(consents),
        touchpoints=[("list_purchase", activity), *touchpoints],
    )


LEADS = [
    lead("L-OLD", 1, activity=datetime(2022, 1, 1)),
    lead("L-RECENT", 2, activity=datetime(2025, 6, 1)),
    lead("L-CONSENT", 3, activity=datetime(2021, 1, 1),
         consents=[Consent("email", "granted", datetime(2021, 1, 1), "DOI-1")]),
    lead("L-PROOF", 4, activity=datetime(2022, 6, 1),
         consents=[Consent("phone", "withdrawn", datetime(2022, 6, 1), "TEL-1", datetime(2023, 1, 1))]),
    lead("L-USED", 5, activity=datetime(2019, 1, 1),
         consents=[Consent("phone", "withdrawn", datetime(2019, 1, 1), "TEL-2", datetime(2023, 1, 1))],
         touchpoints=[("crm_activity", datetime(2022, 1, 5))]),
    lead("L-EXPIRED", 6, activity=datetime(2020, 1, 1),
         consents=[Consent("phone", "withdrawn", datetime(2020, 1, 1), "TEL-3", datetime(2020, 6, 1))]),
]


@pytest.fixture
def aged(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    build_warehouse(conn, LEADS)
    yield conn
    conn.close()


def leads_left(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in conn.execute("select lead_id from core.golden_leads").fetchall()}


def test_retention_purges_exactly_the_leads_past_the_limit(aged: duckdb.DuckDBPyConnection) -> None:
    report = apply_retention(aged, landing_dir=None, now=NOW)
    assert leads_left(aged) == {"L-RECENT", "L-CONSENT", "L-PROOF", "L-USED"}
    assert report.leads_purged == 2


def test_retention_removes_purged_leads_from_every_layer(aged: duckdb.DuckDBPyConnection) -> None:
    report = apply_retention(aged, landing_dir=None, now=NOW)
    assert report.rows_deleted["raw.purchased_list_records"] == 2
    assert report.rows_deleted["core.consent_records"] == 1
    assert report.rows_deleted["marts.mart_contactability"] == 4
    assert aged.execute("select count(*) from raw.purchased_list_records where email like 'old@%'").fetchone()[0] == 0


def test_phone_consent_proof_inside_five_years_from_grant_or_use_is_kept(aged: duckdb.DuckDBPyConnection) -> None:
    report = apply_retention(aged, landing_dir=None, now=NOW)
    assert report.leads_kept_for_proof == 2
    assert {"L-PROOF", "L-USED"} <= leads_left(aged)
    proofs = {r[0] for r in aged.execute("select proof_ref from core.consent_records").fetchall()}
    assert {"TEL-1", "TEL-2"} <= proofs and "TEL-3" not in proofs


def test_a_longer_limit_in_the_policy_file_purges_less(aged: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = Path(load_policy.__defaults__[0]).read_text(encoding="utf-8").replace("inactive_months: 24", "inactive_months: 120")
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    report = apply_retention(aged, landing_dir=None, now=NOW, policy=load_policy(tmp_path / "policy.yaml"))
    assert report.leads_purged == 0 and len(leads_left(aged)) == 6


def test_retention_never_removes_objections_from_the_suppression_list(aged: duckdb.DuckDBPyConnection) -> None:
    record_objection(aged, lead_id="L-OLD", salt=SALT, now=datetime(2022, 2, 1))
    apply_retention(aged, landing_dir=None, now=NOW)
    assert "L-OLD" not in leads_left(aged)
    assert aged.execute("select reason_kind, count(*) from privacy.suppression_list group by 1").fetchall() == [("objection", 1)]


def test_retention_purge_is_audited_with_counts(aged: duckdb.DuckDBPyConnection) -> None:
    apply_retention(aged, landing_dir=None, now=NOW)
    kind, counts, subject = aged.execute("select event_kind, counts, subject_hash from audit.privacy_log").fetchone()
    assert kind == "retention_purge" and subject is None
    assert json.loads(counts)["leads_purged"] == 2
    assert json.loads(counts)["core.lead_records"] == 2


def test_landing_files_are_kept_unless_a_maximum_age_is_configured(aged, tmp_path: Path) -> None:
    landing = tmp_path / "landing" / "purchased_lists" / "adressdirekt"
    landing.mkdir(parents=True)
    old, new = landing / "2024.csv", landing / "2026.csv"
    for path, at in ((old, datetime(2024, 1, 1)), (new, datetime(2026, 11, 1))):
        path.write_text("x\n", encoding="utf-8")
        os.utime(path, (at.timestamp(), at.timestamp()))
    assert apply_retention(aged, landing_dir=tmp_path / "landing", now=NOW).landing_files_deleted == 0
    policy = replace(load_policy(), landing_max_age_days=365)
    assert apply_retention(aged, landing_dir=tmp_path / "landing", now=NOW, policy=policy).landing_files_deleted == 1
    assert not old.exists() and new.exists()


def test_a_policy_that_lets_objections_expire_is_refused(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("objections:\n  expire: true\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Art. 21"):
        load_policy(tmp_path / "policy.yaml")
