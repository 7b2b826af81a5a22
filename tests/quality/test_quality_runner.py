"""run_suite behaviour shared by all suites: evidence, exceptions, configuration, privacy."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime

import duckdb
import pytest
from quality_checks import ids, open_copy, validate
from warehouse_fixture import AS_OF

from quality import SUITE_NAMES, SUITE_TARGETS, SuiteOutcome, run_suite
from quality.config import load_checks_config, suite_config
from quality.gx_runner import validate_batches
from quality.runner import SUITES
from quality.specs import Batch, ExpectationSpec

BAD_EMAIL = "kaputt.person@@firma.de"


def test_every_suite_passes_on_clean_data_through_a_read_only_connection(template_path):
    conn = duckdb.connect(str(template_path), read_only=True)
    try:
        outcomes = {suite: validate(conn, suite) for suite in SUITE_NAMES}
    finally:
        conn.close()
    assert {s: o.failures for s, o in outcomes.items() if not o.passed or o.failures} == {}


def test_every_suite_names_the_table_it_is_attached_to():
    assert set(SUITE_TARGETS) == set(SUITE_NAMES)
    assert SUITE_TARGETS["lead_records"] == "core.lead_records"
    assert SUITE_TARGETS["consent"] == "marts.mart_contactability"


def _columns_read(spec: ExpectationSpec, columns: list[str]) -> set[str]:
    named = {spec.kwargs[k] for k in ("column", "column_A", "column_B") if k in spec.kwargs}
    condition = spec.kwargs.get("row_condition") or ""
    return named | {c for c in columns if re.search(rf"\b{re.escape(c)}\b", condition)}


def test_every_batch_selects_only_columns_its_expectations_read(template_path):
    # GX filters a batch's whole frame for every expectation: an unread column costs time on
    # every expectation of its batch (at 1M people, seconds per suite).
    conn = duckdb.connect(str(template_path), read_only=True)
    try:
        unread = {}
        for suite, module in SUITES.items():
            cfg = suite_config(suite, load_checks_config())
            for batch in module.batches(conn, cfg, AS_OF):
                query = conn.execute(f"select * from ({batch.sql}) limit 0", list(batch.params))
                columns = [d[0] for d in query.description]
                read = {batch.id_column}.union(*(_columns_read(spec, columns) for spec in batch.expectations))
                if set(columns) - read:
                    unread[f"{suite}.{batch.name}"] = sorted(set(columns) - read)
    finally:
        conn.close()
    assert unread == {}


def test_expectation_that_raises_inside_gx_counts_as_failed(warehouse):
    spec = ExpectationSpec(name="needs_missing_column", rule="needs_missing_column", severity="error",
                           gx_type="ExpectColumnValuesToNotBeNull", kwargs={"column": "no_such_column"})
    batch = Batch(name="records", sql="select record_id from core.lead_records", id_column="record_id",
                  expectations=[spec])
    outcomes, _, _ = validate_batches(warehouse, "adhoc", [batch], docs_dir=None, run_time=datetime(2026, 1, 1))
    suite = SuiteOutcome(suite="adhoc", target="core.lead_records", expectations=outcomes)
    assert len(outcomes) == 1
    assert not outcomes[0].success
    assert "no_such_column" in outcomes[0].exception
    assert not suite.passed
    assert suite.severity == "error"


def test_suite_whose_query_cannot_run_fails_every_expectation_of_that_batch(warehouse):
    config = copy.deepcopy(load_checks_config())
    config["suites"]["lead_records"]["expectations"]["fill_rate_per_source"]["columns"] = ["no_such_column"]
    outcome = validate(warehouse, "lead_records", config=config)
    fill = outcome.outcome("fill_rate_per_source")
    assert not fill.success
    assert "query failed" in fill.exception
    # A warn-level expectation that raised is failed but does not block on its own.
    assert outcome.passed
    assert outcome.severity == "warn"


def test_blocking_expectation_that_raises_blocks(warehouse):
    config = copy.deepcopy(load_checks_config())
    config["suites"]["marts"]["expectations"]["scores_in_range"]["ranges"] = {"no_such_score": [0, 100]}
    outcome = validate(warehouse, "marts", config=config)
    assert not outcome.passed
    assert outcome.outcome("rating_allowed").exception is not None


def test_results_and_data_docs_are_written_without_personal_data(warehouse, tmp_path):
    bad = ids(warehouse, "select record_id from core.lead_records order by record_id limit 2")
    warehouse.execute("update core.lead_records set email = ? where record_id in (select unnest(?))", [BAD_EMAIL, bad])
    docs_dir = tmp_path / "quality_docs"

    outcome = validate(warehouse, "lead_records", docs_dir=docs_dir)

    assert outcome.docs_path == docs_dir / "lead_records" / "index.html"
    assert outcome.docs_path.is_file()
    assert "lead_records/index.html" in (docs_dir / "index.html").read_text()
    assert outcome.results_paths and all(p.parent == docs_dir / "results" / "lead_records"
                                         for p in outcome.results_paths)
    stored = [json.loads(p.read_text()) for p in outcome.results_paths]
    assert any(not r["success"] for r in stored)
    assert set(outcome.outcome("email_syntax").sample_ids) == set(bad)
    for path in docs_dir.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json"}:
            assert "kaputt.person" not in path.read_text(encoding="utf-8", errors="ignore"), path


def test_metadata_names_failures_with_counts_and_ids_only(warehouse, tmp_path):
    bad = ids(warehouse, "select record_id from core.lead_records order by record_id limit 2")
    warehouse.execute("update core.lead_records set email = ? where record_id in (select unnest(?))", [BAD_EMAIL, bad])

    metadata = validate(warehouse, "lead_records", docs_dir=tmp_path / "docs").to_metadata()

    text = json.dumps(metadata)
    assert "kaputt.person" not in text
    assert metadata["passed"] is False
    assert metadata["severity"] == "error"
    [failed] = metadata["failed_expectations"]
    assert (failed["name"], failed["unexpected_count"], set(failed["sample_ids"])) == ("email_syntax", 2, set(bad))
    assert metadata["docs_url"].startswith("file://")
    assert metadata["statistics"]["blocking_failures"] == 1


def test_unknown_suite_is_rejected(warehouse):
    with pytest.raises(ValueError, match="unknown quality suite"):
        run_suite(warehouse, "everything")


def test_every_expectation_needs_a_known_severity(tmp_path):
    path = tmp_path / "checks.yaml"
    path.write_text("suites:\n  raw:\n    expectations:\n      file_ingested_once: {severity: fatal}\n")
    with pytest.raises(ValueError, match="severity"):
        load_checks_config(path)


def test_sample_ids_are_capped_at_twenty(template_path, tmp_path):
    conn = open_copy(template_path, tmp_path)
    conn.execute("update core.lead_records set phone = 'unbekannt'")
    outcome = validate(conn, "lead_records")
    conn.close()
    phone = outcome.outcome("phone_e164")
    assert phone.unexpected_count > 20
    assert len(phone.sample_ids) == 20
