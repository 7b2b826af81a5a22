"""``python -m ingest.generate --people N --seed S --out DIR [--increment K]``."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from .api import ANCHOR_DATE, generate_increment, generate_landing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.generate", description=__doc__)
    parser.add_argument("--people", type=int, required=True, help="number of true people in the population")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write into")
    parser.add_argument("--truth", type=Path, default=None, help="ground-truth folder (default: OUT/../ground_truth)")
    parser.add_argument("--increment", type=int, default=None, metavar="K", help="write nightly increment batch K instead")
    parser.add_argument("--fraction", type=float, default=0.01, help="increment size relative to the base set")
    parser.add_argument("--anchor", type=dt.date.fromisoformat, default=ANCHOR_DATE, help="reference date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if args.increment is None:
        summary = generate_landing(args.out, people=args.people, seed=args.seed, truth_dir=args.truth, anchor=args.anchor)
    else:
        summary = generate_increment(args.out, people=args.people, seed=args.seed, batch=args.increment,
                                     fraction=args.fraction, truth_dir=args.truth, anchor=args.anchor)
    print(f"wrote {len(summary.files)} files, {summary.records} records for {summary.people} people to {summary.landing_dir}")
    for source, count in summary.records_per_source.items():
        print(f"  {source}: {count}")
    print(f"dirt: {summary.defects}; ground truth in {summary.truth_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
