"""Training time of the conversion model, and the dbt build with it, on the synthetic core
warehouse of bench_dbt.py with activity columns and outcomes added.

    .venv/bin/python benchmarks/bench_scoring.py [--people 100000] [--threads 2] [--skip-dbt] [--keep DIR]
    .venv/bin/python benchmarks/bench_scoring.py --public Leads.csv:leadsquared Lead.csv:salesforce

With --public, each export goes the way a user's file goes instead: into
`landing/crm_exports/<system>/` of a fresh data directory, `leadwerk run` (the shipped contracts
pick it by folder and header), then `leadwerk score-report` (out-of-fold AUC, lift and Brier of
the rule score, the learned probability and the export's own score; the ratings). The public
files used in docs/benchmarks.md are named there with their origin.

Every record gets visits, time on site, page views, e-mail opens and clicks and a last
activity drawn from a hidden intent per lead; CRM records get a decided outcome (converted with a
probability that rises with intent, else lost; a fifth stay open). Prints the training step's
wall time, its out-of-fold AUC, the full dbt build's time (after a `dbt parse`, as the nightly
run's setup prepares the manifest) and the slowest dbt nodes from dbt's run_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.tables import LEAD_IDENTITY, LEAD_RECORDS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_dbt import build_warehouse, fresh_warehouse, run_dbt  # noqa: E402

from scoring import load_settings, train_and_score  # noqa: E402
from scoring.model import roc_auc  # noqa: E402


def add_behaviour(conn: duckdb.DuckDBPyConnection) -> None:
    """Activity columns and outcomes, deterministic per lead (hash-based, no random state)."""
    conn.execute("create or replace temp macro u(a, b) as (hash(a, b) % 1000003) / 1000003.0")
    conn.execute(
        f"""
        create or replace temp table behaviour as
        select record_id, z,
               floor(exp(0.6 + 0.7 * z + 1.2 * (u(lead_id, 'v') - 0.5))) as visits,
               u(lead_id, 'outcome') as draw, u(lead_id, 'open') as open_draw,
               (['email_opened', 'page_visited_on_website', 'form_submitted_on_website', 'email_link_clicked',
                 'email_bounced', 'unsubscribed'])[1 + cast(floor(least(5.99, greatest(0, 2.5 + z + 2 * (u(lead_id, 'la') - 0.5)))) as integer)] as last_activity
        from (
            select r.record_id, i.lead_id,
                   (u(i.lead_id, 'z1') + u(i.lead_id, 'z2') + u(i.lead_id, 'z3') - 1.5) * 2 as z
            from {LEAD_RECORDS} r join {LEAD_IDENTITY} i using (record_id)
        )
        """
    )
    conn.execute(
        f"""
        update {LEAD_RECORDS} as r set
            web_visits = b.visits,
            time_on_site_seconds = round(b.visits * exp(4.6 + 0.5 * b.z)),
            page_views = b.visits * 3,
            email_opens = greatest(0, floor(exp(0.7 + 0.6 * b.z)) - 1),
            email_clicks = greatest(0, floor(exp(0.6 * b.z)) - 1),
            form_submissions = case when b.z > 1 then 1 else 0 end,
            last_activity_type = b.last_activity,
            last_activity_at = r.created_at,
            occupation = case when b.z > 0.8 then 'Working Professional' when b.z < -1 then 'Student' end,
            outcome = case
                when r.source_kind <> 'crm_export' or b.open_draw < 0.2 then null
                when b.draw < 1 / (1 + exp(-(-0.5 + 1.5 * b.z))) then 'converted'
                else 'lost'
            end
        from behaviour as b
        where r.record_id = b.record_id
        """
    )


def build_with_behaviour(path: Path, people: int) -> str:
    """bench_dbt's core warehouse with activity columns and outcomes; its row counts."""
    counts = build_warehouse(path, people)
    with duckdb.connect(str(path)) as conn:
        add_behaviour(conn)
    return f"{counts}, with behaviour"


def train(path: Path) -> str:
    with duckdb.connect(str(path)) as conn:
        report = train_and_score(conn, load_settings(), datetime(2025, 6, 30))
    return f"{report.message}; {report.seconds:.1f} s"


def score_public_export(path: Path, system: str, data_dir: Path) -> None:
    """`leadwerk run` on the export alone, then `leadwerk score-report`; prints both."""
    landing = data_dir / "landing" / "crm_exports" / system
    landing.mkdir(parents=True)
    shutil.copy(path, landing / path.name)
    env = {**os.environ, "LEADWERK_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(data_dir / "dagster_home"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    (data_dir / "dagster_home").mkdir()
    leadwerk = [sys.executable, "-m", "orchestration.cli"]
    started = time.perf_counter()
    run = subprocess.run([*leadwerk, "run"], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    print(f"== {path} as crm_exports/{system}: leadwerk run exit {run.returncode}, "
          f"{time.perf_counter() - started:.1f} s wall")
    print(run.stdout)
    report = subprocess.run([*leadwerk, "score-report"], env=env, cwd=ROOT, capture_output=True, text=True,
                            check=False)
    print(report.stdout or report.stderr)
    print(all_leads_auc(data_dir / "warehouse.duckdb"))


def all_leads_auc(warehouse: Path) -> str:
    """AUC over every lead of the export, converted against all others (open leads included),
    as a reader of the export without its lost/disqualified statuses would measure it."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        frame = conn.execute(
            """
            select s.lead_score, s.conversion_probability, a.source_score,
                   coalesce(a.decided_outcome = 'converted', false) as is_converted
            from marts.mart_lead_scores s join intermediate.int_lead_activity a using (lead_id)
            """
        ).pl()
    parts = []
    for column in ("lead_score", "conversion_probability", "source_score"):
        scored = frame.drop_nulls(column)
        auc = roc_auc(scored.get_column(column).to_numpy(), scored.get_column("is_converted").to_numpy())
        parts.append(f"{column} {auc:.3f} ({scored.height} leads)" if auc is not None else f"{column} -")
    return "all leads, converted vs the rest: " + ", ".join(parts)


def slowest_nodes(work_dir: Path, count: int = 15) -> list[str]:
    """The dbt nodes that took longest in the last command, as dbt itself timed them."""
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    ranked = sorted(results, key=lambda result: result["execution_time"], reverse=True)
    return [f"{result['execution_time']:6.1f} s  {result['unique_id']}" for result in ranked[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-dbt", action="store_true")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (the core warehouse is reused next time)")
    parser.add_argument("--public", nargs="+", metavar="FILE:SYSTEM", default=[],
                        help="public CRM exports with outcomes, each with its landing folder's system")
    args = parser.parse_args()
    if args.public:
        for item in args.public:
            file_name, _, system = item.rpartition(":")
            if not file_name or not system:
                parser.error(f"--public takes FILE:SYSTEM, e.g. Leads.csv:leadsquared (got {item!r})")
            with tempfile.TemporaryDirectory(prefix="bench_scoring_public_") as scratch:
                score_public_export(Path(file_name).resolve(), system, Path(scratch))
        return
    with tempfile.TemporaryDirectory(prefix="bench_scoring_") as scratch:
        work_dir = args.keep or Path(scratch)
        work_dir.mkdir(parents=True, exist_ok=True)
        warehouse = fresh_warehouse(work_dir, work_dir / f"core_with_behaviour_{args.people}.duckdb",
                                    lambda path: build_with_behaviour(path, args.people), keep=args.keep is not None)
        started = time.perf_counter()
        message = train(warehouse)
        print(f"training step: {time.perf_counter() - started:.1f} s wall ({message})")
        if not args.skip_dbt:
            wall, _, _ = run_dbt(["parse"], warehouse, work_dir, args.threads)
            print(f"dbt parse (manifest, as the nightly run's setup prepares it): {wall:.1f} s")
            wall, execution, summary = run_dbt(["build"], warehouse, work_dir, args.threads)
            print(f"full dbt build:        {wall:6.1f} s wall, {execution} s dbt execution  [{summary}]")
            print("slowest dbt nodes:")
            print("\n".join(slowest_nodes(work_dir)))

if __name__ == "__main__":
    main()
