"""A small warehouse shaped like Leadwerk's marts, with personal data in clear text.

Every row carries `run_tag`, the run that built it, so readers can tell which published
version they are looking at; row counts grow with `size` so versions also differ in counts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FIRST_NAMES = ("Anna", "Jürgen", "Özlem", "Søren", "Marie-Luise")
LAST_NAMES = ("Schmidt", "Müller", "Yılmaz", "Kowalski", "Oberhuber")
EMAIL_DOMAIN = "beispiel-gmbh.de"
PHONE_PREFIX = "+4930555"
STREET = "Musterstraße"


def clear_text_pii(leads: int) -> list[str]:
    """Every personal value the warehouse contains, to search the bi schema for."""
    values = [*FIRST_NAMES, *LAST_NAMES, EMAIL_DOMAIN, STREET, PHONE_PREFIX]
    values += [f"lead{i}@{EMAIL_DOMAIN}" for i in range(leads)]
    return values


def build_marts(conn: duckdb.DuckDBPyConnection, run_tag: str, *, leads: int = 50, events: int = 0) -> None:
    """(Re)build `marts` as a dbt run would: lead scores with PII, a funnel, a view, events."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    conn.execute(
        f"""
        CREATE OR REPLACE TABLE marts.lead_scores AS
        SELECT
            'L' || lpad(i::VARCHAR, 6, '0')                       AS lead_id,
            {_pick(FIRST_NAMES)}                                  AS first_name,
            {_pick(LAST_NAMES)}                                   AS last_name,
            'lead' || i || '@{EMAIL_DOMAIN}'                      AS email,
            'Lead' || i || '@{EMAIL_DOMAIN.upper()}'              AS email_raw,
            CASE WHEN i % 7 = 0 THEN NULL ELSE '{PHONE_PREFIX}' || lpad(i::VARCHAR, 4, '0') END AS phone,
            '{STREET} ' || (i % 90 + 1)                           AS street,
            DATE '1970-01-01' + INTERVAL (i * 97) DAY             AS birth_date,
            lpad((10115 + i)::VARCHAR, 5, '0')                    AS postcode,
            (i * 13) % 100                                        AS score,
            CASE WHEN i % 3 = 0 THEN 'granted' ELSE 'unknown' END AS email_consent,
            TIMESTAMP '2026-01-01 08:00:00' + INTERVAL (i) HOUR   AS created_at,
            '{run_tag}'                                           AS run_tag
        FROM range({leads}) AS r(i)
        """
    )
    conn.execute(
        f"""
        CREATE OR REPLACE TABLE marts.funnel AS
        SELECT stage, count(*) AS leads, '{run_tag}' AS run_tag
        FROM (SELECT CASE WHEN score >= 70 THEN 'mql' ELSE 'lead' END AS stage FROM marts.lead_scores)
        GROUP BY stage
        """
    )
    conn.execute(
        "CREATE OR REPLACE VIEW marts.contactable_leads AS "
        "SELECT lead_id, email, score, run_tag FROM marts.lead_scores WHERE email_consent = 'granted'"
    )
    conn.execute(
        f"""
        CREATE OR REPLACE TABLE marts.touch_events AS
        SELECT i AS event_id, 'L' || substr((1000000 + i % {max(leads, 1)})::VARCHAR, 2) AS lead_id,
               (i * 31) % 1000 AS cost_cents, '{run_tag}' AS run_tag
        FROM range({events}) AS r(i)
        """
    )


def make_warehouse(path: Path, run_tag: str, **sizes: int) -> None:
    """Create or rebuild a warehouse file and close it again (for publishes in other processes)."""
    with duckdb.connect(str(path)) as conn:
        build_marts(conn, run_tag, **sizes)


def _pick(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + f"][i % {len(values)} + 1]"
