"""A short, human-readable account of a run: rows per table, quarantine, checks, publication."""

from __future__ import annotations

import duckdb
import dagster as dg

from ingest.raw.rejections import rejected_files
from orchestration.paths import serving_dir, warehouse_path

SUMMARY_SCHEMAS = ("raw", "quarantine", "audit", "core", "marts")


def warehouse_counts(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    tables = conn.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in (select unnest(?)) and table_type = 'BASE TABLE' "
        "order by table_schema, table_name",
        [list(SUMMARY_SCHEMAS)],
    ).fetchall()
    return [
        (f"{schema}.{name}", int(conn.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]))
        for schema, name in tables
    ]


def print_summary(result: dg.ExecuteInProcessResult | None) -> None:
    if result is not None:
        status = "succeeded" if result.success else "FAILED"
        print(f"\nRun {result.run_id} {status}.")
        evaluations = result.get_asset_check_evaluations()
        failed = [e for e in evaluations if not e.passed]
        print(f"Quality checks: {len(evaluations) - len(failed)} passed, {len(failed)} failed.")
        for evaluation in failed:
            print(f"  - {evaluation.asset_key.to_user_string()}:{evaluation.check_name} "
                  f"({evaluation.severity.value})")
        for event in result.all_events:
            if event.is_step_failure:
                print(f"  step failed: {event.step_key}: {event.event_specific_data.error.message.strip()[:300]}")
    if not warehouse_path().exists():
        print("No warehouse yet.")
        return
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        # Rejected files first: nothing of them reached the warehouse.
        rejected = rejected_files(conn, result.run_id if result is not None else None)
        if rejected:
            print(f"\nFiles rejected whole: {len(rejected)} (nothing of them was loaded)")
            for file in rejected:
                print(f"  {file.source_file}: {file.reason}: {file.detail}")
        counts = warehouse_counts(conn)
        print(f"\nWarehouse {warehouse_path()}:")
        for name, rows in counts:
            print(f"  {name:<42} {rows:>10,}")
        if any(name == "quarantine.rows" for name, _ in counts):
            print("Quarantined rows by reason:")
            for reason, stage, rows in conn.execute(
                "select reason, stage, count(*) from quarantine.rows group by all order by 3 desc"
            ).fetchall():
                print(f"  {stage:<10} {reason:<28} {rows:>10,}")
    from orchestration.publishing import published_version

    version = published_version(serving_dir())
    print(f"\nServing copy: {serving_dir() / 'leadwerk.duckdb'}")
    if not version:
        print("  nothing published yet")
        return
    print(f"  published by run {version['run_id']} at {version['published_at']:%Y-%m-%d %H:%M:%S} UTC")
    for table, rows in sorted(version["row_counts"].items()):
        print(f"  {table:<42} {rows:>10,}")
