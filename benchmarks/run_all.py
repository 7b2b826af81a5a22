"""`make bench`: every benchmark, one after another, each printing its own figures.

Sizes follow the issues' targets (1,000,000 people). Pass `--quick` for a smoke run at small
sizes. Record the figures in docs/benchmarks.md together with this command.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = [
    ["bench_generate.py", "--people", "1000000"],
    ["bench_ingest.py", "--people", "1000000"],
    # About 1.7 records per person: 600,000 people give the 1,000,000 records of the target.
    ["bench_normalize.py", "--people", "600000"],
    # 600,000 people give the 1,000,000 records of the dedup target; 1M people show the growth.
    ["bench_dedupe.py", "--people", "10000", "100000", "600000", "1000000"],
    ["bench_dbt.py", "--people", "1000000"],
    # The training step, then the full dbt build on leads with activity columns and outcomes
    # (bench_dbt.py times the build without them, and the incremental build).
    ["bench_scoring.py", "--people", "1000000"],
    ["bench_quality.py", "--leads", "1000000"],
    ["bench_pipeline.py", "--people", "1000000"],
]
QUICK = [
    ["bench_generate.py", "--people", "20000"],
    ["bench_ingest.py", "--people", "20000"],
    ["bench_normalize.py", "--people", "12000"],
    ["bench_dedupe.py", "--people", "10000"],
    ["bench_dbt.py", "--people", "20000"],
    ["bench_scoring.py", "--people", "20000"],
    ["bench_quality.py", "--leads", "20000"],
    ["bench_pipeline.py", "--people", "20000"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", help="script names to run (default: all)")
    args = parser.parse_args()
    failed = []
    for script, *script_args in QUICK if args.quick else FULL:
        if args.only and script not in args.only:
            continue
        print(f"\n=== {script} {' '.join(script_args)}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *script_args])
        print(f"=== {script}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
