"""Training time of the conversion model, and the dbt build with it, on the synthetic core
warehouse of bench_dbt.py with activity columns and outcomes added.

    .venv/bin/python benchmarks/bench_scoring.py [--people 100000] [--threads 2] [--skip-dbt]

Every record gets visits, time on site, page views, e-mail opens and clicks and a last
activity drawn from a hidden intent per lead; CRM records get a decided outcome (converted with a
probability that rises with intent, else lost; a fifth stay open). Prints the training step's
wall time, its out-of-fold AUC, and the full dbt build's time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_dbt import build_warehouse, run_dbt  # noqa: E402

from scoring import load_settings, train_and_score  # noqa: E402


def add_behaviour(conn: duckdb.DuckDBPyConnection) -> None:
    """Activity columns and outcomes, deterministic per lead (hash-based, no random state)."""
    conn.execute("create or replace temp macro u(a, b) as (hash(a, b) % 1000003) / 1000003.0")
    conn.execute(
        """
        create or replace temp table behaviour as
        select record_id, z,
               floor(exp(0.6 + 0.7 * z + 1.2 * (u(lead_id, 'v') - 0.5))) as visits,
               u(lead_id, 'outcome') as draw, u(lead_id, 'open') as open_draw,
               (['email_opened', 'page_visited_on_website', 'form_submitted_on_website', 'email_link_clicked',
                 'email_bounced', 'unsubscribed'])[1 + cast(floor(least(5.99, greatest(0, 2.5 + z + 2 * (u(lead_id, 'la') - 0.5)))) as integer)] as last_activity
        from (
            select r.record_id, i.lead_id,
                   (u(i.lead_id, 'z1') + u(i.lead_id, 'z2') + u(i.lead_id, 'z3') - 1.5) * 2 as z
            from core.lead_records r join core.lead_identity i using (record_id)
        )
        """
    )
    conn.execute(
        """
        update core.lead_records as r set
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


def train(path: Path) -> str:
    with duckdb.connect(str(path)) as conn:
        report = train_and_score(conn, load_settings(), datetime(2025, 6, 30))
    return f"{report.message}; {report.seconds:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-dbt", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_scoring_") as scratch:
        work_dir = Path(scratch)
        warehouse = work_dir / "warehouse.duckdb"
        started = time.perf_counter()
        counts = build_warehouse(warehouse, args.people)
        with duckdb.connect(str(warehouse)) as conn:
            add_behaviour(conn)
        print(f"generated core warehouse with behaviour in {time.perf_counter() - started:.1f} s: {counts}")
        started = time.perf_counter()
        message = train(warehouse)
        print(f"training step: {time.perf_counter() - started:.1f} s wall ({message})")
        if not args.skip_dbt:
            wall, execution, summary = run_dbt(["build"], warehouse, work_dir, args.threads)
            print(f"full dbt build:        {wall:6.1f} s wall, {execution} s dbt execution  [{summary}]")


if __name__ == "__main__":
    main()
