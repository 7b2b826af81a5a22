"""Benchmark raw ingestion: wall time, rows/s and peak memory per source kind.

Generates a landing set with the demo generator (unless --landing points at one), ingests it
into a fresh DuckDB file and prints one line per source kind plus the total.

    .venv/bin/python benchmarks/bench_ingest.py --people 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from ingest.raw import ingest_source_kind
from ingest.warehouse import WAREHOUSE_CONFIG

KINDS = ("purchased_list", "web_form", "crm_export")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(people: int, seed: int, out: Path) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ingest.generate", "--people", str(people), "--seed", str(seed),
         "--out", str(out)],
        check=True, stdout=subprocess.DEVNULL,
    )
    print(f"generated {people:,} people in {time.perf_counter() - started:.1f} s -> {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--landing", type=Path, help="use an existing landing folder")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="leadwerk_bench_ingest_"))
    landing = args.landing or workdir / "landing"
    if args.landing is None:
        _generate(args.people, args.seed, landing)
    landing_bytes = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    print(f"landing: {landing_bytes / 2**20:,.0f} MiB in {sum(1 for p in landing.rglob('*') if p.is_file())} files")

    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(cpu s = this process's CPU time, all threads)")
    conn = duckdb.connect(str(workdir / "warehouse.duckdb"), config=WAREHOUSE_CONFIG)
    total_rows = 0
    total_started = time.perf_counter()
    print(f"{'source_kind':<16}{'files':>7}{'rows':>11}{'loaded':>11}{'quarant.':>10}"
          f"{'seconds':>9}{'cpu s':>8}{'rows/s':>11}{'MiB/s':>8}{'peak RSS MiB':>14}")
    total_cpu = time.process_time()
    for kind in KINDS:
        started, cpu_started = time.perf_counter(), time.process_time()
        report = ingest_source_kind(conn, landing, kind, batch_id="bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        kind_bytes = sum(
            (landing / f.source_file).stat().st_size for f in report.files
        )
        total_rows += report.rows_read
        print(f"{kind:<16}{len(report.files):>7}{report.rows_read:>11,}{report.rows_loaded:>11,}"
              f"{report.rows_quarantined:>10,}{seconds:>9.2f}{cpu:>8.2f}{report.rows_read / seconds:>11,.0f}"
              f"{kind_bytes / 2**20 / seconds:>8.1f}{_peak_rss_mib():>14,.0f}")
    seconds = time.perf_counter() - total_started
    cpu = time.process_time() - total_cpu
    print(f"{'total':<16}{'':>7}{total_rows:>11,}{'':>11}{'':>10}{seconds:>9.2f}{cpu:>8.2f}"
          f"{total_rows / seconds:>11,.0f}{landing_bytes / 2**20 / seconds:>8.1f}{_peak_rss_mib():>14,.0f}")

    started = time.perf_counter()
    for kind in KINDS:
        ingest_source_kind(conn, landing, kind, batch_id="bench-rerun")
    print(f"re-run (all files already registered): {time.perf_counter() - started:.2f} s")
    conn.close()
    if args.keep:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
