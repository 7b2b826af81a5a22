"""Normalization throughput: generated landing files -> raw (in memory DuckDB) -> normalize_batch.

Usage: .venv/bin/python benchmarks/bench_normalize.py [--people N] [--landing DIR]
(--landing reuses an already generated landing folder.) Prints raw rows, wall time of
normalize_batch alone (generation and raw ingestion are not timed), rows/s and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.normalize import normalize_batch
from ingest.raw import contract_formats, ingest_source_kind
from ingest.tables import RAW_TABLE_NAMES
from ingest.warehouse import WAREHOUSE_CONFIG, read_table, table_exists


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=600_000, help="about 1.7 raw records per person")
    parser.add_argument("--landing", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        landing = args.landing or Path(tmp) / "landing"
        if args.landing is None:
            subprocess.run([sys.executable, "-m", "ingest.generate", "--people", str(args.people), "--seed", "7",
                            "--out", str(landing)], check=True, capture_output=True)
        conn = duckdb.connect(str(Path(tmp) / "wh.duckdb"), config=WAREHOUSE_CONFIG)
        for kind in ("purchased_list", "web_form", "crm_export"):
            ingest_source_kind(conn, landing, kind, batch_id="bench")
        raw = {name: read_table(conn, name) for name in RAW_TABLE_NAMES if table_exists(conn, name)}
    rows = sum(frame.height for frame in raw.values())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    batch = normalize_batch(raw, formats=contract_formats(), now=datetime(2026, 11, 23))
    wall = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"raw rows            {rows:>12,}")
    print(f"lead records        {batch.lead_records.height:>12,}")
    print(f"consent records     {batch.consent_records.height:>12,}")
    print(f"touchpoints         {batch.touchpoints.height:>12,}")
    print(f"quarantined         {batch.quarantine.height:>12,}")
    print(f"normalize wall time {wall:>12.2f} s")
    print(f"rows/s              {rows / wall:>12,.0f}")
    print(f"CPU time (all cores){cpu:>12.2f} s (wall x cores = {wall * os.cpu_count():.0f} s available)")
    print(f"peak RSS            {peak:>12,.0f} MiB (before normalize: {rss_before:,.0f} MiB)")


if __name__ == "__main__":
    main()
