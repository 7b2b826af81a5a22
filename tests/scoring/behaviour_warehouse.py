"""Core warehouses whose outcomes follow known behaviour, for the conversion model's tests."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))

from fixture_warehouse import LEAD_IDENTITY_COLUMNS, LEAD_RECORD_COLUMNS  # noqa: E402

from ingest.tables import LEAD_IDENTITY, LEAD_RECORDS


def _create(conn: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    conn.execute(f"create or replace table {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")


def build_behaviour_warehouse(path: Path, leads: int, *, decided_share: float = 0.8, seed: int = 1,
                              random_outcomes: bool = False) -> Path:
    """`leads` people with one CRM record each (every fifth with a second, web-form record that
    repeats the counters). Conversion follows time on site, occupation and bounced e-mail, unless
    `random_outcomes`; sales fields (status, rating, the CRM's score) are filled with noise."""
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists core")
        _create(conn, LEAD_RECORDS, LEAD_RECORD_COLUMNS)
        _create(conn, LEAD_IDENTITY, LEAD_IDENTITY_COLUMNS)
        conn.execute(f"select setseed({seed / 100})")
        conn.execute(
            f"""
            create temp table people as
            select
                i,
                'lead-' || lpad(i::varchar, 6, '0') as lead_id,
                random() * 40 as minutes,
                (['Student', 'Unemployed', 'Working Professional', NULL])[1 + (random() * 4)::int % 4] as occupation,
                random() < 0.1 as bounced,
                random() as noise,
                random() as decided_draw
            from range({leads}) t(i)
            """
        )
        propensity = (
            "random()" if random_outcomes else
            "1 / (1 + exp(-(-2.5 + minutes / 8 + case occupation when 'Working Professional' then 2 "
            "when 'Student' then -1 else 0 end - case when bounced then 2 else 0 end)))"
        )
        conn.execute(
            f"""
            create temp table labelled as
            select *, case when decided_draw < {decided_share}
                           then case when noise < {propensity} then 'converted' else 'lost' end end as outcome
            from people
            """
        )
        conn.execute(
            f"""
            insert into {LEAD_RECORDS} by name
            select
                'crm:' || i as record_id, 'crm_export' as source_kind, 'hubspot' as source_system,
                'crm_exports/hubspot/leads.csv' as source_file, i as source_row,
                timestamp '2025-06-01 10:00:00' as ingested_at, timestamp '2025-01-01' + to_days(i % 150) as created_at,
                minutes * 60 as time_on_site_seconds, round(minutes / 5) as web_visits, round(minutes / 2) as page_views,
                occupation, case when bounced then 'email_bounced' else 'email_opened' end as last_activity_type,
                'Web' as lead_source, 'Landing Page Submission' as lead_origin,
                outcome, random() * 100 as source_score,
                (['New', 'Working', 'Closed'])[1 + (random() * 3)::int % 3] as crm_status,
                'lead' as lifecycle_stage, 'warm' as rating, 'DE' as country_code
            from labelled
            """
        )
        conn.execute(
            f"""
            insert into {LEAD_RECORDS} by name
            select 'web:' || i as record_id, 'web_form' as source_kind, 'web_forms' as source_system,
                   'web_forms/f.jsonl' as source_file, i as source_row,
                   timestamp '2025-05-01 10:00:00' as ingested_at, timestamp '2024-12-01' as created_at,
                   minutes * 30 as time_on_site_seconds, 1 as web_visits, 'Referral' as lead_source,
                   'Lead Add Form' as lead_origin
            from labelled where i % 5 = 0
            """
        )
        conn.execute(
            f"""
            insert into {LEAD_IDENTITY}
            select record_id, 'lead-' || lpad(source_row::varchar, 6, '0'), 'fixture', 1.0, ingested_at
            from {LEAD_RECORDS}
            """
        )
    return path
