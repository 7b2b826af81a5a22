"""End to end: generated landing files -> raw -> core, compared with the generator's ground truth."""

from datetime import datetime

import duckdb
import polars as pl
import pytest

from ingest.normalize.email import email_match_key_expr

generate = pytest.importorskip("ingest.generate.api", reason="the demo generator (ingest.generate) is not available")
raw = pytest.importorskip("ingest.raw", reason="raw ingestion (ingest.raw) is not available")


@pytest.fixture(scope="module")
def normalized(tmp_path_factory):
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("gen")
    subprocess.run([sys.executable, "-m", "ingest.generate", "--people", "300", "--seed", "7",
                    "--out", str(out / "landing")], check=True, capture_output=True)
    conn = duckdb.connect(str(out / "warehouse.duckdb"))
    for kind in ("purchased_list", "web_form", "crm_export"):
        raw.ingest_source_kind(conn, out / "landing", kind, batch_id="b1")
    from ingest.normalize import build_core

    build_core(conn, now=datetime(2026, 11, 23))
    leads = conn.sql("select * from core.lead_records").pl()
    truth = pl.read_parquet(out / "ground_truth" / "records.parquet")
    return leads.join(truth, on=["source_file", "source_row"], how="inner")


def test_personal_email_match_keys_equal_the_true_address(normalized):
    personal = normalized.filter(pl.col("email_valid") & ~pl.col("email_is_role"))
    assert personal.height > 100
    # The true address, spelled the one way its provider knows it (ingest/rules/email_aliases.csv).
    true_key = pl.col("true_email").str.to_lowercase()
    expected = personal.select(email_match_key_expr(true_key, pl.lit(True)))
    assert personal["email_match_key"].to_list() == expected.to_series().to_list()
    gmail = personal.filter(pl.col("email_match_key").str.ends_with("@gmail.com"))
    assert gmail.height > 0 and not gmail["email_match_key"].str.contains(r"\.[^@]*@").any()


def test_broken_emails_are_flagged_invalid(normalized):
    broken = normalized.filter(pl.col("defect") == "invalid_email")
    assert broken.height > 0 and not broken["email_valid"].any()


def test_phone_text_of_the_true_number_parses_to_exactly_that_number(normalized):
    digits = pl.col("phone_raw").str.replace_all(r"\D", "")
    subscriber = pl.col("true_phone_e164").str.slice(4)  # beyond any 2-3 digit country code
    denotes_truth = digits.str.ends_with(subscriber) & pl.col("true_phone_e164").is_not_null()
    rows = normalized.filter(denotes_truth)
    assert rows.height > 100
    assert rows["phone"].to_list() == rows["true_phone_e164"].to_list()
