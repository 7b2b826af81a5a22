"""End-to-end nightly run on a generated landing set: full refresh, then 1% new files.

Runs the real `full_refresh` Dagster job in-process (ingest → normalize → dedupe → dbt →
quality checks → publish) and prints wall time and peak memory (this process and its dbt
children). Targets: full under 5 minutes, incremental under 1 minute on 2 cores.

    python benchmarks/bench_pipeline.py --people 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def peak_rss_gib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory afterwards")
    args = parser.parse_args()

    root = (args.data_dir or REPO_ROOT / "benchmarks" / "results" / f"pipeline_{args.people}").resolve()
    if root.exists():
        shutil.rmtree(root)
    os.environ["LEADWERK_DATA_DIR"] = str(root)
    os.environ["LEADWERK_WAREHOUSE"] = str(root / "warehouse.duckdb")
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")

    from ingest.generate import generate_increment, generate_landing
    from orchestration.pipeline import load_definitions, run_full_refresh

    load_definitions()
    # As `make run`'s setup and `dagster dev` do: parse the dbt project for this warehouse, so the
    # nightly builds reuse the parse instead of parsing the project again (dbt re-parses whenever
    # the profile, here the warehouse path, differs from the one the parse was made for).
    from orchestration.defs.dbt_project import dbt_project

    dbt_project.preparer.prepare(dbt_project)
    started = time.perf_counter()
    generate_landing(root / "landing", people=args.people, seed=args.seed)
    print(f"generate {args.people:,} people: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    full = run_full_refresh(trigger="benchmark")
    full_seconds = time.perf_counter() - started
    own, children = peak_rss_gib()
    print(f"full refresh: {full_seconds:.1f} s, success={full.success}, "
          f"peak RSS {own:.2f} GiB (pipeline), {children:.2f} GiB (dbt)")

    generate_increment(root / "landing", people=args.people, seed=args.seed, batch=1)
    started = time.perf_counter()
    incremental = run_full_refresh(trigger="benchmark")
    inc_seconds = time.perf_counter() - started
    own, children = peak_rss_gib()
    print(f"incremental refresh (1% new files): {inc_seconds:.1f} s, success={incremental.success}, "
          f"peak RSS {own:.2f} GiB (pipeline), {children:.2f} GiB (dbt)")

    for result, label in ((full, "full"), (incremental, "incremental")):
        steps = {}
        for event in result.all_events:
            if event.event_type_value == "STEP_SUCCESS":
                steps[event.step_key] = event.event_specific_data.duration_ms / 1000
        print(f"{label} step times: " + ", ".join(f"{k} {v:.1f}s" for k, v in steps.items()))
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
