"""Erasure on the real pipeline: generate → ingest → normalize → dedupe → dbt → publish → erase.

Then every table of the warehouse, both serving databases and every Parquet file under serving/
are scanned for the person's e-mail, phone and name; the same purchased list delivered again
keeps them out, counted as suppressed. One pipeline per module (it costs about a minute).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.dedupe import build_identity
from ingest.generate import generate_landing
from ingest.normalize import build_core
from ingest.privacy import erase_person, suppression_filter
from ingest.privacy.compaction import compact_warehouse
from ingest.privacy.salt import load_or_create_salt
from ingest.privacy.subject_export import subject_export
from ingest.privacy.tables import prepare_privacy_schema
from ingest.raw import ingest_source_kind
from orchestration.publishing.publish import publish
from quality import run_suite
from scoring import load_settings, train_and_score

REPO = Path(__file__).resolve().parents[2]
KINDS = ("purchased_list", "web_form", "crm_export")


@dataclass
class Run:
    root: Path
    person: dict
    needles: list[list[str]]  # a row is a hit when it contains every needle of one group
    export: dict
    suppressed_in_redelivery: int
    redelivered_file: str
    hits_before: dict[str, int]
    lead_rows_before: dict[str, int]
    raw_reconciliation_failures: list[str]


def _pipeline(conn: duckdb.DuckDBPyConnection, landing: Path, batch: str, salt: str) -> None:
    is_suppressed = suppression_filter(conn, salt)
    for kind in KINDS:
        ingest_source_kind(conn, landing, kind, batch_id=batch, is_suppressed=is_suppressed)
    build_core(conn)
    build_identity(conn)
    train_and_score(conn, load_settings(), datetime(2026, 12, 1))
    prepare_privacy_schema(conn)


def _dbt(warehouse: Path, work: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--exclude-resource-type", "test", "unit_test",
         "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(REPO / "dbt_project"),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        env={**os.environ, "LEADWERK_WAREHOUSE": str(warehouse)}, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def _pick_person(truth: Path, conn: duckdb.DuckDBPyConnection) -> dict:
    """Someone with three clean records, one from a purchased list, a phone, a unique name and
    at least one consent record in core."""
    records = pl.read_parquet(truth / "records.parquet")
    people = pl.read_parquet(truth / "people.parquet")
    unique_names = people.group_by("first_name", "last_name").len().filter(pl.col("len") == 1)
    stats = records.group_by("person_id").agg(
        pl.len().alias("n"),
        (pl.col("source_kind") == "purchased_list").sum().alias("purchased"),
        pl.col("defect").is_not_null().sum().alias("defects"),
    ).filter((pl.col("n") == 3) & (pl.col("purchased") == 1) & (pl.col("defects") == 0))
    with_consent = {r[0] for r in conn.execute(
        "select distinct r.email_match_key from core.lead_records r "
        "join core.consent_records c on c.record_id = r.record_id where r.email_match_key is not null").fetchall()}
    chosen = (
        people.join(stats, on="person_id").join(unique_names, on=["first_name", "last_name"])
        .filter(pl.col("true_phone_e164").is_not_null() & pl.col("email").is_not_null()
                & pl.col("household_of").is_null() & pl.col("email").str.to_lowercase().is_in(sorted(with_consent)))
        .sort("person_id").row(0, named=True)
    )
    chosen["records"] = records.filter(pl.col("person_id") == chosen["person_id"]).to_dicts()
    return chosen


def _raw_spellings(conn: duckdb.DuckDBPyConnection, records: list[dict]) -> set[str]:
    """The e-mail and phone texts exactly as the sources wrote them (the scan's needles)."""
    found: set[str] = set()
    for table in ("raw.purchased_list_records", "raw.web_form_submissions", "raw.crm_records"):
        for r in records:
            rows = conn.execute(
                f"select email, phone, mobile_phone from {table} where source_file = ? and source_row = ?",
                [r["source_file"], r["source_row"]]).fetchall()
            found |= {v.strip() for row in rows for v in row if v and v.strip()}
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("privacy_e2e")
    landing = root / "landing"
    generate_landing(landing, people=300, seed=11, truth_dir=root / "ground_truth")
    salt = load_or_create_salt(root)
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        _pipeline(conn, landing, "b1", salt)
        person = _pick_person(root / "ground_truth", conn)
        spellings = _raw_spellings(conn, person["records"])
    needles = [[s] for s in sorted(spellings | {person["email"], person["true_phone_e164"]})]
    needles.append([person["first_name"], person["last_name"]])
    _dbt(warehouse, root)
    with duckdb.connect(str(warehouse)) as conn:
        publish(conn, root / "serving", run_id="before", salt=salt)
        hits_before = _hits(conn, _relations(conn, "warehouse"), needles)
        lead_ids = subject_export(conn, email=person["email"], salt=salt)["lead_ids"]
        lead_rows_before = _lead_rows(conn, _parquet(root), lead_ids)
        export = subject_export(conn, email=person["email"].upper(), salt=salt)
        erase_person(conn, email=person["email"].upper(), reason_code="art17_request", ticket="T-1", salt=salt)
    compact_warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        # Republish without keeping the pre-erasure version for open readers: no served file
        # may hold the person any more.
        publish(conn, root / "serving", run_id="erased", salt=salt, keep_previous=False)
    purchased = next(r for r in person["records"] if r["source_kind"] == "purchased_list")
    redelivered = Path(purchased["source_file"]).with_name("redelivered_" + Path(purchased["source_file"]).name)
    shutil.copyfile(landing / purchased["source_file"], landing / redelivered)
    with duckdb.connect(str(warehouse)) as conn:
        _pipeline(conn, landing, "b2", salt)
        suppressed = conn.execute("select rows_suppressed from audit.file_registry where source_file = ?",
                                  [redelivered.as_posix()]).fetchone()[0]
        reconciliation = run_suite(conn, "raw")
    return Run(root, person, needles, export, suppressed, redelivered.as_posix(), hits_before, lead_rows_before,
               [f"{e.name}: {e.unexpected_count}" for e in reconciliation.failures if e.severity == "error"])


def _hits(conn: duckdb.DuckDBPyConnection, relations: list[tuple[str, str]], needles: list[list[str]]) -> dict[str, int]:
    hits: dict[str, int] = {}
    for relation, label in relations:
        columns = [r[0] for r in conn.execute(f"describe select * from {relation}").fetchall()]
        text = " || '|' || ".join(f"coalesce(lower(cast(\"{c}\" as varchar)), '')" for c in columns)
        groups = " or ".join(
            "(" + " and ".join(f"contains({text}, lower(?))" for _ in group) + ")" for group in needles
        )
        params = [n for group in needles for n in group]
        count = conn.execute(f"select count(*) from {relation} where {groups}", params).fetchone()[0]
        if count:
            hits[label] = count
    return hits


def _lead_rows(conn: duckdb.DuckDBPyConnection, relations: list[tuple[str, str]], lead_ids: list[str]) -> dict[str, int]:
    """Rows keyed by one of the lead ids (marts carry the person only as a pseudonymous lead_id)."""
    rows: dict[str, int] = {}
    for relation, label in relations:
        columns = {r[0] for r in conn.execute(f"describe select * from {relation}").fetchall()}
        if "lead_id" in columns:
            count = conn.execute(f"select count(*) from {relation} where lead_id in (select unnest(?))",
                                 [lead_ids]).fetchone()[0]
            if count:
                rows[label] = count
    return rows


def _parquet(root: Path) -> list[tuple[str, str]]:
    return [(f"read_parquet('{f}')", str(f.relative_to(root))) for f in sorted((root / "serving").rglob("*.parquet"))]


def _relations(conn: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ? "
        "and table_schema not in ('information_schema', 'pg_catalog')", [catalog]).fetchall()
    return [(f'"{catalog}"."{s}"."{t}"', f"{catalog}.{s}.{t}") for s, t in rows]


def test_subject_export_before_erasure_holds_all_three_records_with_consent(run: Run) -> None:
    assert len(run.export["source_records"]) == 3
    assert {(r["source_file"], r["source_row"]) for r in run.export["source_records"]} == {
        (r["source_file"], r["source_row"]) for r in run.person["records"]}
    assert run.export["consent_history"]
    assert any(s["source_kind"] == "purchased_list" for s in run.export["sources"])


def test_the_scan_finds_the_person_in_every_layer_before_erasure(run: Run) -> None:
    layers = {label.split(".")[1] for label in run.hits_before}
    assert {"raw", "core"} <= layers
    assert run.lead_rows_before  # the marts' Parquet files carried the person's lead id


def test_no_served_file_keeps_the_erased_lead_id(run: Run) -> None:
    conn = duckdb.connect()
    assert _lead_rows(conn, _parquet(run.root), run.export["lead_ids"]) == {}
    conn.execute(f"attach '{run.root / 'serving' / 'leadwerk.duckdb'}' as served (read_only)")
    assert _lead_rows(conn, _relations(conn, "served"), run.export["lead_ids"]) == {}


def test_no_table_of_the_warehouse_holds_the_person(run: Run) -> None:
    with duckdb.connect(str(run.root / "warehouse.duckdb"), read_only=True) as conn:
        assert _hits(conn, _relations(conn, "warehouse"), run.needles) == {}


def test_the_warehouse_file_holds_no_bytes_of_the_address(run: Run) -> None:
    assert run.person["email"].lower().encode() not in (run.root / "warehouse.duckdb").read_bytes().lower()


def test_neither_serving_database_holds_the_person(run: Run) -> None:
    conn = duckdb.connect()
    for name in ("leadwerk.duckdb", "leadwerk_bi.duckdb"):
        alias = name.removesuffix(".duckdb")
        conn.execute(f"attach '{run.root / 'serving' / name}' as {alias} (read_only)")
        assert _hits(conn, _relations(conn, alias), run.needles) == {}


def test_no_parquet_file_under_serving_holds_the_person(run: Run) -> None:
    relations = _parquet(run.root)
    assert relations
    assert _hits(duckdb.connect(), relations, run.needles) == {}


def test_files_still_reconcile_after_erasure_and_suppression(run: Run) -> None:
    assert run.raw_reconciliation_failures == []


def test_the_purchased_list_delivered_again_keeps_the_person_out(run: Run) -> None:
    assert run.suppressed_in_redelivery == 1
    with duckdb.connect(str(run.root / "warehouse.duckdb"), read_only=True) as conn:
        read, loaded, quarantined, suppressed = conn.execute(
            "select rows_read, rows_loaded, rows_quarantined, rows_suppressed from audit.file_registry "
            "where source_file = ?", [run.redelivered_file]).fetchone()
        assert read == loaded + quarantined + suppressed
        assert _hits(conn, _relations(conn, "warehouse"), run.needles) == {}


@pytest.mark.parametrize(("channel", "flag"), [("email", "do_not_email"), ("phone", "do_not_call")])
def test_an_opt_out_in_any_source_blocks_the_channel_for_the_golden_lead(run: Run, channel: str, flag: str) -> None:
    with duckdb.connect(str(run.root / "warehouse.duckdb"), read_only=True) as conn:
        opted_out = f"select i.lead_id from core.lead_records r join core.lead_identity i using (record_id) where r.{flag}"
        assert conn.execute(f"select count(*) from ({opted_out})").fetchone()[0] > 0
        contactable = conn.execute(
            f"select count(*) from marts.mart_contactability where channel = ? and is_contactable "
            f"and lead_id in ({opted_out})", [channel]).fetchone()[0]
        assert contactable == 0
