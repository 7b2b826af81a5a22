"""BI-like reader processes for the concurrency tests: open, query everything, close, repeat.

Each iteration checks that everything it saw belongs to one published version: every table's
`run_tag` equals the run id in meta.published_version and every row count matches meta.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import duckdb


def main(argv: list[str]) -> None:
    """`python -m serving.readers duckdb|parquet TARGET STOP_FILE PROGRESS_FILE`.

    Loops until STOP_FILE exists, writing the finished iteration count to PROGRESS_FILE after
    each iteration, then prints a JSON report.
    """
    kind, target, stop_file, progress_file = argv
    check = {"duckdb": lambda: _check_duckdb(target), "parquet": lambda: _check_parquet(Path(target))}[kind]
    iterations, failures, inconsistent, seen, errors = 0, 0, 0, [], []
    while not os.path.exists(stop_file):
        try:
            run_ids = check()
        except Exception:
            failures += 1
            errors.append(traceback.format_exc(limit=3))
        else:
            if len(run_ids) != 1:
                inconsistent += 1
                errors.append(f"mixed versions in one iteration: {sorted(run_ids)}")
            elif not seen or seen[-1] != next(iter(run_ids)):
                seen.append(next(iter(run_ids)))
        iterations += 1
        _write_atomic(progress_file, str(iterations))
    report = {"kind": kind, "iterations": iterations, "failures": failures,
              "inconsistent": inconsistent, "versions_seen": seen, "errors": errors[:5]}
    print(json.dumps(report))


def _write_atomic(path: str, text: str) -> None:
    with open(path + ".tmp", "w") as handle:
        handle.write(text)
    os.replace(path + ".tmp", path)


def _check_duckdb(database: str) -> set[str]:
    with duckdb.connect(database, read_only=True, config={"threads": 1}) as conn:
        meta = conn.execute("SELECT run_id, table_name, row_count FROM meta.published_version").fetchall()
        run_ids = {run_id for run_id, _, _ in meta}
        for _, table, row_count in meta:
            schema, name = table.split(".")
            count, tags = conn.execute(
                f'SELECT count(*), list(DISTINCT run_tag) FROM "{schema}"."{name}"'
            ).fetchone()
            run_ids.update(tags or [])
            if count != row_count:
                run_ids.add(f"{table} has {count} rows, meta says {row_count}")
    return run_ids


def _check_parquet(serving_dir: Path) -> set[str]:
    root = Path(os.path.realpath(serving_dir / "parquet"))
    with duckdb.connect(config={"threads": 1}) as conn:
        meta = conn.execute(
            f"SELECT run_id, table_name, row_count FROM read_parquet('{root / 'meta' / 'published_version.parquet'}')"
        ).fetchall()
        run_ids = {run_id for run_id, _, _ in meta}
        for _, table, row_count in meta:
            schema, name = table.split(".")
            path = root / (f"{name}.parquet" if schema == "marts" else f"{schema}/{name}.parquet")
            count, tags = conn.execute(
                f"SELECT count(*), list(DISTINCT run_tag) FROM read_parquet('{path}')"
            ).fetchone()
            run_ids.update(tags or [])
            if count != row_count:
                run_ids.add(f"{table} has {count} rows, meta says {row_count}")
    return run_ids


if __name__ == "__main__":
    main(sys.argv[1:])
