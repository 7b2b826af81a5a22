"""Times every quality suite on a generated warehouse of (by default) one million leads.

    .venv/bin/python benchmarks/bench_quality.py [--leads 1000000] [--docs] [--db PATH]

The warehouse is built with DuckDB SQL by the same generator the quality tests use, so its
tables follow docs/data_contracts.md. Target: all suites together under 30 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from ingest.tables import GOLDEN_LEADS, LEAD_RECORDS

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "quality"))

from warehouse_fixture import AS_OF, build_warehouse  # noqa: E402

from quality import SUITE_NAMES, run_suite  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--docs", action="store_true", help="also write results JSON and Data Docs")
    parser.add_argument("--db", type=Path, help="reuse/keep the warehouse file here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench_quality_"))
    db = args.db or workdir / "warehouse.duckdb"
    fresh = not db.exists()
    conn = duckdb.connect(str(db))
    if fresh:
        started = time.perf_counter()
        build_warehouse(conn, args.leads)
        print(f"build warehouse ({args.leads:,} leads): {time.perf_counter() - started:6.1f} s")
    rows = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in (LEAD_RECORDS, GOLDEN_LEADS, "marts.mart_contactability")}
    print("rows:", ", ".join(f"{t}={n:,}" for t, n in rows.items()))

    started = time.perf_counter()
    import great_expectations  # noqa: F401  (import cost reported separately)
    print(f"import great_expectations: {time.perf_counter() - started:6.1f} s")

    total = 0.0
    for suite in SUITE_NAMES:
        started = time.perf_counter()
        outcome = run_suite(conn, suite, now=AS_OF, docs_dir=workdir / "docs" if args.docs else None)
        seconds = time.perf_counter() - started
        total += seconds
        verdict = "passed" if outcome.passed else "FAILED"
        print(f"{suite:13s} {seconds:6.1f} s  {verdict}  "
              f"{outcome.statistics['evaluated_expectations']} expectations")
    print(f"{'all suites':13s} {total:6.1f} s  (target < 30 s)")
    conn.close()


if __name__ == "__main__":
    main()
