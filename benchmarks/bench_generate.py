"""Benchmark the demo data generator: wall time and peak memory for a base set and one increment.

Usage: .venv/bin/python benchmarks/bench_generate.py [--people 1000000] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ingest.generate import generate_increment, generate_landing


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process so far: comparable when other work shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def folder_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fraction", type=float, default=0.01, help="increment size relative to the base set")
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the output")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_generate_"))
    landing = root / "landing"
    try:
        start, cpu = time.perf_counter(), cpu_seconds()
        base = generate_landing(landing, people=args.people, seed=args.seed)
        base_s, base_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        print(f"base:      people={args.people:,} records={base.records:,} files={len(base.files)} "
              f"landing={folder_mib(landing):,.0f} MiB wall={base_s:.1f}s cpu={base_cpu:.1f}s peak_rss={peak_rss_mib():,.0f} MiB")
        start, cpu = time.perf_counter(), cpu_seconds()
        inc = generate_increment(landing, people=args.people, seed=args.seed, batch=1, fraction=args.fraction)
        inc_s, inc_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        print(f"increment: records={inc.records:,} files={len(inc.files)} wall={inc_s:.1f}s cpu={inc_cpu:.1f}s "
              f"peak_rss={peak_rss_mib():,.0f} MiB")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
