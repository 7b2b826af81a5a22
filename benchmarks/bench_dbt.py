"""dbt build time on a large synthetic core warehouse: a full build, then a nightly incremental
build after a load that adds 1% new records (new people) and 1% new touchpoints.

    .venv/bin/python benchmarks/bench_dbt.py [--people 1000000] [--keep DIR] [--threads 2]

The core tables follow docs/data_contracts.md (the column lists of tests/dbt/fixture_warehouse.py)
and are generated in DuckDB SQL from range() with deterministic hashes, so the warehouse takes
seconds to build. Prints generation time, row counts, and for each dbt build the wall time and
dbt's own execution time (without start-up and parsing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.tables import CONSENT_RECORDS, GOLDEN_LEADS, LEAD_IDENTITY, LEAD_RECORDS, TOUCHPOINTS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "dbt"))

from fixture_warehouse import (  # noqa: E402
    CONSENT_RECORD_COLUMNS,
    GOLDEN_COLUMNS,
    LEAD_IDENTITY_COLUMNS,
    LEAD_RECORD_COLUMNS,
    TOUCHPOINT_COLUMNS,
)

DBT_PROJECT_DIR = ROOT / "dbt_project"
AS_OF = "2025-06-30"

INDUSTRIES = "['Software/IT','Maschinenbau','Finanzdienstleistungen','Gesundheitswesen','Handel','Logistik','Bauwesen','Beratung','Medien']"
SENIORITIES = "['c_level','vp_director','head_of','manager','manager','individual','individual','individual']"
COUNTRIES = "['DE','DE','DE','DE','DE','DE','DE','AT','CH','FR']"
LOW_FORMS = "['newsletter','whitepaper','webinar','contact_form']"
STAGES = "['lead','mql','sql','opportunity','customer']"


def _define_hash(conn: duckdb.DuckDBPyConnection) -> None:
    """h(...): a deterministic non-negative BIGINT hash of up to three values."""
    conn.execute("create or replace temp macro h(a, b := null, c := null) as cast(hash(a, b, c) % 1000000007 as bigint)")


def _create_empty(conn: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    body = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
    conn.execute(f"create or replace table {table} ({body})")


def _people_sql(first: int, count: int) -> str:
    """One row per synthetic person with its attributes and a propensity to convert."""
    return f"""
        select
            i,
            'lead-' || lpad(cast(i as varchar), 8, '0') as lead_id,
            case when h(i, 'segment') % 10 < 8 then 'b2b' else 'b2c' end as segment,
            {INDUSTRIES}[1 + h(i, 'industry') % 9] as industry,
            h(i, 'industry') % 9 < 4 as is_target,
            {SENIORITIES}[1 + h(i, 'seniority') % 8] as seniority,
            [5, 20, 80, 150, 400, 1200, 5000][1 + h(i, 'size') % 7] as employee_count,
            {COUNTRIES}[1 + h(i, 'country') % 10] as country_code,
            h(i, 'freemail') % 10 < 3 as is_freemail,
            h(i, 'email') % 100 >= 4 as is_email_valid,
            h(i, 'phone') % 10 < 7 as has_phone,
            (h(i, 'propensity') % 1000) / 1000.0 as propensity
        from range({first}, {first + count}) as t(i)
    """


def _records_sql(first: int, count: int) -> str:
    """1-3 records per person from purchased lists, web forms and CRM exports (about 1.6 per person)."""
    return f"""
        with people as ({_people_sql(first, count)}),
        slots as (
            select people.*, k,
                case
                    when h(i, k, 'kind') % 100 < 45 then 'purchased_list'
                    when h(i, k, 'kind') % 100 < 80 then 'web_form'
                    else 'crm_export'
                end as source_kind,
                timestamp '2024-07-01 08:00:00'
                    + to_days(cast(h(i, 'arrival') % 330 + 30 * k as integer))
                    + to_hours(cast(h(i, k, 'hour') % 10 as integer)) as arrived_at
            from people, range(3) as s(k)
            where k = 0 or (k = 1 and h(i, 'second') % 100 < 45) or (k = 2 and h(i, 'third') % 100 < 15)
        ),
        typed as (
            select *,
                case source_kind
                    when 'purchased_list' then case when h(i, k, 'vendor') % 2 = 0 then 'adressdirekt' else 'leadsource_eu' end
                    when 'web_form' then 'web_forms'
                    else case when h(i, k, 'crm') % 2 = 0 then 'hubspot' else 'salesforce' end
                end as source_system,
                case when source_kind = 'web_form' then
                    case when h(i, k, 'form') % 1000 < propensity * 400 then ['demo_request', 'callback'][1 + h(i, k, 'hf') % 2]
                         else {LOW_FORMS}[1 + h(i, k, 'lf') % 4] end
                end as form_type,
                case when source_kind = 'crm_export' then
                    least(4, cast(floor(propensity * 5 * (h(i, k, 'stage') % 100) / 100.0 + propensity) as integer))
                end as stage_index
            from slots
        )
        select
            source_system || ':' || case when source_kind = 'purchased_list' then 'h:' else '' end
                || cast(i as varchar) || '-' || cast(k as varchar) as record_id,
            lead_id, i, k, source_kind, source_system,
            case source_kind when 'purchased_list' then 'purchased_lists/' || source_system
                 when 'web_form' then 'web_forms' else 'crm_exports/' || source_system end
                || '/' || strftime(arrived_at, '%Y-%m') || '.csv' as source_file,
            k + 1 as source_row, md5(cast(i as varchar)) as file_sha256,
            arrived_at + interval 2 hour as ingested_at, 'batch-bench' as batch_id,
            case when source_kind <> 'purchased_list' then cast(i as varchar) || '-' || cast(k as varchar) end as source_record_id,
            case when source_kind = 'crm_export' then cast(i as varchar) || '-' || cast(k as varchar) end as crm_id,
            'Vorname' as first_name, 'Nachname' || cast(i % 1000 as varchar) as last_name,
            'p' || cast(i as varchar) || '@' || case when is_freemail then 'gmx.de' else 'firma' || cast(i % 50000 as varchar) || '.de' end as email,
            'p' || cast(i as varchar) || '@example.de' as email_raw,
            case when has_phone then '+4930' || lpad(cast(i as varchar), 9, '0') end as phone,
            case when has_phone then '030 ' || cast(i as varchar) end as phone_raw,
            case when has_phone then case when segment = 'b2b' then 'fixed' else 'mobile' end end as phone_type,
            case when source_kind <> 'web_form' then 'Hauptstraße' end as street,
            case when source_kind <> 'web_form' then cast(1 + i % 99 as varchar) end as house_number,
            lpad(cast(10000 + i % 89999 as varchar), 5, '0') as postcode, 'Berlin' as city, country_code,
            case when segment = 'b2b' then 'Firma ' || cast(i % 50000 as varchar) || ' GmbH' end as company,
            case when segment = 'b2b' then 'Titel' end as job_title,
            case when segment = 'b2b' then seniority end as seniority,
            case when segment = 'b2b' then seniority in ('c_level', 'vp_director', 'head_of') end as budget_authority,
            case when segment = 'b2b' and source_kind <> 'web_form' then industry end as industry,
            case when segment = 'b2b' and source_kind <> 'web_form' then employee_count end as employee_count,
            segment,
            case when source_kind = 'purchased_list' then 'outbound' else 'inbound' end as channel,
            coalesce(form_type, case when source_kind = 'purchased_list' then 'list_purchase' else 'website' end) as lead_source_detail,
            form_type,
            case source_system when 'adressdirekt' then 0.45 when 'leadsource_eu' then 0.38 end as list_price,
            case when source_kind <> 'purchased_list' then arrived_at end as created_at,
            {STAGES}[1 + stage_index] as crm_status, {STAGES}[1 + stage_index] as lifecycle_stage,
            case when stage_index >= 3 then arrived_at + to_days(cast(20 * stage_index as integer)) end as converted_at,
            stage_index,
            case when h(i, k, 'consent') % 100 < 55 then 'granted' else 'unknown' end as email_consent,
            case when h(i, k, 'consent') % 100 < 55 then arrived_at end as email_consent_at,
            case when h(i, k, 'consent') % 100 < 55 then source_kind end as email_consent_source,
            case when h(i, k, 'consent') % 100 < 55 and h(i, k, 'proof') % 100 < 70
                 then 'proof-' || cast(i as varchar) || '-' || cast(k as varchar) end as email_consent_proof,
            case when has_phone and h(i, k, 'pc') % 100 < 20 then 'granted' else 'unknown' end as phone_consent,
            'unknown' as postal_consent,
            source_kind = 'crm_export' and h(i, k, 'dne') % 100 < 8 as do_not_email,
            source_kind = 'crm_export' and h(i, k, 'dnc') % 100 < 5 as do_not_call,
            is_email_valid as email_valid, is_freemail as email_is_freemail, false as email_is_role,
            has_phone as phone_valid, true as postcode_valid,
            arrived_at, propensity
        from typed
    """


def _load(conn: duckdb.DuckDBPyConnection, first: int, count: int, touch_share_existing: float = 0.0) -> None:
    """Insert people [first, first+count) with their records, consent, identity, golden rows and
    touchpoints; optionally new touchpoints on existing records (a share of all touchpoints)."""
    conn.execute(f"create or replace temp table new_records as {_records_sql(first, count)}")
    record_columns = [c for c in LEAD_RECORD_COLUMNS if c in {d[0] for d in conn.execute("describe new_records").fetchall()}]
    cols = ", ".join(f'"{c}"' for c in record_columns)
    conn.execute(f"insert into {LEAD_RECORDS} ({cols}) select {cols} from new_records")
    conn.execute(f"""
        insert into {LEAD_IDENTITY}
        select record_id, lead_id, 'bench', 1.0, ingested_at from new_records
    """)
    conn.execute(f"""
        insert into {CONSENT_RECORDS}
        select 'c:' || record_id || ':email', record_id, 'email', 'advertising', 'granted',
               email_consent_at, null, source_kind, source_system,
               case source_kind when 'web_form' then case when email_consent_proof is not null then 'double_opt_in' else 'checkbox' end
                    when 'purchased_list' then 'vendor_proof' else 'crm_flag' end,
               email_consent_proof, 'v3'
        from new_records where email_consent = 'granted'
    """)
    golden_survived = [c[: -len("__record_id")] for c in GOLDEN_COLUMNS if c.endswith("__record_id")]
    survived_present = [c for c in golden_survived if c in record_columns]
    conn.execute(f"""
        insert into {GOLDEN_LEADS} by name
        with ranked as (
            select *, row_number() over (
                partition by lead_id
                order by case source_kind when 'crm_export' then 1 when 'web_form' then 2 else 3 end, record_id
            ) as priority
            from new_records
        ),
        best as (select * from ranked where priority = 1),
        per_lead as (
            select lead_id, count(*) as record_count,
                   string_agg(distinct source_kind, ',') as source_kinds,
                   string_agg(distinct source_system, ',') as source_systems,
                   min(arrived_at) as first_seen_at, max(arrived_at) as last_seen_at,
                   bool_or(do_not_email) as do_not_email, bool_or(do_not_call) as do_not_call,
                   max(industry) as any_industry, max(employee_count) as any_employee_count
            from new_records group by lead_id
        )
        select
            best.lead_id,
            {", ".join(f'best."{c}"' for c in survived_present if c not in ("industry", "employee_count"))},
            per_lead.any_industry as industry, per_lead.any_employee_count as employee_count,
            {", ".join(f'best.record_id as "{c}__record_id"' for c in survived_present)},
            per_lead.record_count, per_lead.source_kinds, per_lead.source_systems,
            per_lead.first_seen_at, per_lead.last_seen_at,
            best.email_consent, best.email_consent_at, best.email_consent_source, best.email_consent_proof,
            case when best.email_consent = 'granted' then best.record_id end as email_consent_record_id,
            best.phone_consent, case when best.phone_consent = 'granted' then best.record_id end as phone_consent_record_id,
            'unknown' as postal_consent,
            per_lead.do_not_email, per_lead.do_not_call
        from best join per_lead using (lead_id)
    """)
    conn.execute(f"""
        insert into {TOUCHPOINTS}
        with base as (
            select record_id, source_kind, source_system,
                   case source_kind when 'purchased_list' then 'list_purchase'
                        when 'web_form' then form_type else 'crm_created' end as touchpoint_type,
                   arrived_at as occurred_at, list_price as cost_eur
            from new_records
        ),
        web_extras as (
            select record_id, source_kind, source_system,
                   {LOW_FORMS}[1 + h(record_id, e, 'x') % 4], arrived_at + to_days(cast(1 + h(record_id, e) % 60 as integer)), null
            from new_records, range(3) as x(e)
            where source_kind = 'web_form' and e < propensity * 4
        ),
        crm_stage_events as (
            select record_id, source_kind, source_system,
                   'crm_' || {STAGES}[1 + s], arrived_at + to_days(cast(15 * s as integer)), null
            from new_records, range(1, 5) as x(s)
            where source_kind = 'crm_export' and s <= stage_index
        ),
        crm_activities as (
            select record_id, source_kind, source_system, 'crm_activity',
                   arrived_at + to_days(cast(h(record_id, a) % 90 as integer)), null
            from new_records, range(3) as x(a)
            where source_kind = 'crm_export' and h(record_id, a, 'act') % 100 < 60
        ),
        unioned as (
            select * from base union all select * from web_extras
            union all select * from crm_stage_events union all select * from crm_activities
        )
        select 'tp:' || record_id || ':' || cast(row_number() over (partition by record_id order by occurred_at, touchpoint_type) as varchar),
               record_id, touchpoint_type, least(occurred_at, timestamp '{AS_OF} 00:00:00'),
               source_kind, source_system, cost_eur, null
        from unioned
    """)
    if touch_share_existing:
        existing = conn.execute(f"select count(*) from {TOUCHPOINTS}").fetchone()[0]
        extra = int(existing * touch_share_existing)
        conn.execute(f"""
            insert into {TOUCHPOINTS}
            select 'tp:nightly:' || cast(n as varchar), record_id,
                   {LOW_FORMS}[1 + h(n, 'type') % 4],
                   timestamp '{AS_OF} 00:00:00' - to_days(cast(h(n, 'age') % 10 as integer)),
                   source_kind, source_system, null, null
            from (select record_id, source_kind, source_system, row_number() over () as n
                  from {LEAD_RECORDS} using sample {extra} rows (reservoir, 42))
        """)


def build_warehouse(path: Path, people: int) -> dict[str, int]:
    from ingest.warehouse import WAREHOUSE_CONFIG

    # The same storage format the pipeline creates its warehouse in.
    with duckdb.connect(str(path), config=WAREHOUSE_CONFIG) as conn:
        conn.execute("create schema if not exists core")
        _define_hash(conn)
        _create_empty(conn, LEAD_RECORDS, LEAD_RECORD_COLUMNS)
        _create_empty(conn, CONSENT_RECORDS, CONSENT_RECORD_COLUMNS)
        _create_empty(conn, TOUCHPOINTS, TOUCHPOINT_COLUMNS)
        _create_empty(conn, LEAD_IDENTITY, LEAD_IDENTITY_COLUMNS)
        _create_empty(conn, GOLDEN_LEADS, GOLDEN_COLUMNS)
        _load(conn, 0, people)
        # The conversion model's tables, which dbt reads as sources (too few outcomes here: empty
        # probabilities; benchmarks/bench_scoring.py times the model with outcomes).
        from scoring import load_settings, train_and_score
        train_and_score(conn, load_settings(), datetime.now())
        return _counts(conn)


def nightly_load(path: Path, people: int) -> dict[str, int]:
    """1% new records (for new people) and 1% new touchpoints on existing records."""
    with duckdb.connect(str(path)) as conn:
        _define_hash(conn)
        records = conn.execute(f"select count(*) from {LEAD_RECORDS}").fetchone()[0]
        new_people = max(1, round(records * 0.01 / 1.6))
        _load(conn, people, new_people, touch_share_existing=0.01)
        return _counts(conn)


def _counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        table: conn.execute(f"select count(*) from core.{table}").fetchone()[0]
        for table in ("golden_leads", "lead_records", "touchpoints", "consent_records")
    }


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_dbt(args: list[str], warehouse: Path, work_dir: Path, threads: int) -> tuple[float, float | None, str]:
    command = [
        str(Path(sys.executable).parent / "dbt"), *args,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
        "--threads", str(threads), "--vars", json.dumps({"as_of": AS_OF}),
    ]
    env = {**os.environ, "LEADWERK_WAREHOUSE": str(warehouse), "DBT_USE_COLORS": "false"}
    started, cpu_before = time.perf_counter(), _children_cpu_seconds()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    cpu = _children_cpu_seconds() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.stdout[-5000:]}")
    match = re.search(r"seconds \(([\d.]+)s\)", result.stdout)
    summary = next((line for line in result.stdout.splitlines() if "Done. PASS=" in line), "")
    return wall, float(match.group(1)) if match else None, f"{cpu:.1f} s CPU; {summary.split('Done. ')[-1]}"


def fresh_warehouse(work_dir: Path, pristine: Path, build: Callable[[Path], str], keep: bool) -> Path:
    """`work_dir`/warehouse.duckdb as `build` makes it, and no dbt target from an earlier run.
    In a kept work folder the first build is saved as `pristine` and copied on later runs."""
    warehouse = work_dir / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    shutil.rmtree(work_dir / "target", ignore_errors=True)
    if pristine.exists():
        shutil.copyfile(pristine, warehouse)
        print(f"reused generated warehouse {pristine}")
        return warehouse
    started = time.perf_counter()
    summary = build(warehouse)
    print(f"generated warehouse in {time.perf_counter() - started:.1f} s: {summary}")
    if keep:
        shutil.copyfile(warehouse, pristine)
    return warehouse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as scratch:
        work_dir = args.keep or Path(scratch)
        work_dir.mkdir(parents=True, exist_ok=True)
        warehouse = fresh_warehouse(work_dir, work_dir / f"core_{args.people}.duckdb",
                                    lambda path: str(build_warehouse(path, args.people)), keep=args.keep is not None)

        print(f"machine load average before dbt: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        wall, _, _ = run_dbt(["parse"], warehouse, work_dir, args.threads)
        print(f"dbt parse (manifest, as the orchestration prepares it): {wall:.1f} s")

        wall, execution, summary = run_dbt(["build"], warehouse, work_dir, args.threads)
        print(f"full dbt build:        {wall:6.1f} s wall, {execution} s dbt execution  [{summary}]")

        started = time.perf_counter()
        counts = nightly_load(warehouse, args.people)
        print(f"nightly load (+1% records, +1% touchpoints) in {time.perf_counter() - started:.1f} s: {counts}")

        wall, execution, summary = run_dbt(["build"], warehouse, work_dir, args.threads)
        print(f"incremental dbt build: {wall:6.1f} s wall, {execution} s dbt execution  [{summary}]")


if __name__ == "__main__":
    main()
