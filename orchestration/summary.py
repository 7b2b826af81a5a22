"""A short, human-readable account of a run: rows per table, quarantine, checks, publication."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from ingest.raw import rejections
from ingest.raw.rejections import RejectedFile
from ingest.tables import FILE_REGISTRY, QUARANTINE_ROWS
from orchestration.paths import serving_dir, warehouse_path

SUMMARY_SCHEMAS = ("raw", "quarantine", "audit", "core", "marts")


@contextmanager
def read_warehouse() -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to the warehouse, or None (with a printed reason) when there is none.

    A connection a failed step left behind in this process is collected first: DuckDB refuses a
    second, differently configured connection to the same file.
    """
    path = warehouse_path()
    if not path.exists():
        print("No warehouse yet.")
        yield None
        return
    gc.collect()
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except (duckdb.IOException, duckdb.ConnectionException) as error:
        print(f"Warehouse {path} cannot be read now: {str(error).splitlines()[0]}")
        yield None
        return
    try:
        yield conn
    finally:
        conn.close()


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


def rejected_files(run_id: str) -> list[RejectedFile]:
    """Every landing file this run rejected whole, with the reason (audit.file_registry)."""
    with read_warehouse() as conn:
        return [] if conn is None else rejections.rejected_files(conn, run_id)


def print_run_summary(
    result: dg.ExecuteInProcessResult,
    *,
    rejected: list[RejectedFile],
    blocked: str | None,
    verbose: bool,
) -> None:
    """The end of `leadwerk run`: outcome, failed checks, rejected files, what is served."""
    status = "succeeded" if result.success else "FAILED"
    print(f"\nRun {result.run_id} {status}.")
    # Rejected files first: nothing of them reached the warehouse.
    if rejected:
        print(f"Landing files rejected whole: {len(rejected)} (see {FILE_REGISTRY}, {QUARANTINE_ROWS})")
        for file in rejected[:20]:
            print(f"  - {file.source_file}: {file.reason}: {file.detail}")
        if len(rejected) > 20:
            print(f"  ... and {len(rejected) - 20} more")
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    print(f"Quality checks: {len(evaluations) - len(failed)} passed, {len(failed)} failed.")
    for evaluation in failed:
        print(f"  - {evaluation.asset_key.to_user_string()}:{evaluation.check_name} "
              f"({evaluation.severity.value})")
    if blocked:
        print(f"Publishing blocked, previous copy still served: {blocked}")
        print("  (publish anyway: leadwerk run --allow-volume-drop)")
    if verbose:
        print_summary(None)
    else:
        _print_published()


def print_summary(result: dg.ExecuteInProcessResult | None) -> None:
    if result is not None:
        print_run_summary(result, rejected=[], blocked=None, verbose=True)
        return
    with read_warehouse() as conn:
        if conn is not None:
            counts = warehouse_counts(conn)
            print(f"\nWarehouse {warehouse_path()}:")
            for name, rows in counts:
                print(f"  {name:<42} {rows:>10,}")
            if any(name == QUARANTINE_ROWS for name, _ in counts):
                print("Quarantined rows by reason:")
                for reason, stage, rows in conn.execute(
                    f"select reason, stage, count(*) from {QUARANTINE_ROWS} group by all order by 3 desc"
                ).fetchall():
                    print(f"  {stage:<10} {reason:<28} {rows:>10,}")
    _print_published(all_tables=True)


def _print_published(all_tables: bool = False) -> None:
    from orchestration.publishing import published_version

    try:
        version = published_version(serving_dir())
    except (duckdb.Error, RuntimeError) as error:
        print(f"\nServing copy {serving_dir()} cannot be read: {str(error).splitlines()[0]}")
        return
    print(f"\nServing copy: {serving_dir() / 'leadwerk.duckdb'}")
    if not version:
        print("  nothing published yet")
        return
    print(f"  published by run {version['run_id']} at {version['published_at']:%Y-%m-%d %H:%M:%S} UTC")
    if all_tables:
        for table, rows in sorted(version["row_counts"].items()):
            print(f"  {table:<42} {rows:>10,}")
