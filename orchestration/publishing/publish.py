"""Write-audit-publish for BI: copy the audited marts into new files, then swap them in by rename.

BI tools never read the warehouse itself (its single writer would lock them out, and they would
see half-built marts). They read `serving/`, which changes only here, and only by atomic renames
of complete, flushed files, so a reader sees the last good version or the new one, never a mix
inside one artefact and never a partial file.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.publishing import layout
from orchestration.publishing.bi_values import BiVocabularies, Vocabulary, load_bi_vocabularies
from orchestration.publishing.pii_rules import PiiRules, load_pii_rules

BI_SCHEMA = "bi"
META_SCHEMA = "meta"
META_TABLE = "published_version"
# The serving files' storage format, whatever the warehouse connection's own: docs/bi.md
# promises BI tools that any DuckDB >= 1.0 opens them.
SERVING_STORAGE_VERSION = "v1.0.0"
# Column types published to `bi` as they are: numbers, dates and flags carry no free text.
_SAFE_TYPE = re.compile(
    r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
    r"|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|DATE|TIME|TIMESTAMP.*|INTERVAL|UUID)$"
)


class PublishError(RuntimeError):
    """Publishing refused or failed; the served version is untouched."""


@dataclass(frozen=True)
class PublishResult:
    """What a publish put in front of BI tools, for the run log and asset metadata."""

    run_id: str
    published_at: datetime
    path: Path
    bi_path: Path
    parquet_dir: Path
    row_counts: dict[str, int]
    bytes: int
    parquet_bytes: int
    removed_leftovers: tuple[str, ...] = field(default=())
    bi_left_out: tuple[str, ...] = field(default=())

    def to_metadata(self) -> dict[str, object]:
        """Plain JSON-able values (Dagster metadata, CLI summaries)."""
        return {
            "run_id": self.run_id,
            "published_at": self.published_at.isoformat(),
            "path": str(self.path),
            "bi_path": str(self.bi_path),
            "parquet_dir": str(self.parquet_dir),
            "row_counts": dict(self.row_counts),
            "tables": len(self.row_counts),
            "bytes": self.bytes,
            "parquet_bytes": self.parquet_bytes,
            "removed_leftovers": list(self.removed_leftovers),
            "bi_left_out": list(self.bi_left_out),
        }


def publish(
    conn: duckdb.DuckDBPyConnection,
    serving_dir: Path,
    *,
    run_id: str,
    published_at: datetime | None = None,
    schemas: Sequence[str] = ("marts",),
    salt: str,
    pii_rules: PiiRules | None = None,
    bi_vocabularies: BiVocabularies | None = None,
    on_progress: Callable[[str], None] | None = None,
    keep_previous: bool = True,
) -> PublishResult:
    """Publish every table and view of `schemas` from the warehouse behind `conn` to `serving_dir`.

    The previous version's Parquet directory is kept for readers still using it, except with
    `keep_previous=False` (after an erasure: no copy of the erased person may stay behind).

    `conn` is the pipeline's open writer connection: the copies are made through it (ATTACH) because
    DuckDB refuses a second, differently configured connection to the warehouse in one process.
    Call this only after every blocking quality check passed. On any error nothing is swapped in.
    """
    layout.check_run_id(run_id)
    if not salt:
        raise PublishError("an empty salt would make the bi hashes reversible by guessing")
    progress = on_progress or (lambda _step: None)
    rules = pii_rules or load_pii_rules()
    vocabularies = bi_vocabularies or load_bi_vocabularies()
    published_at = _utc_naive(published_at or datetime.now(UTC))
    serving_dir = Path(serving_dir)
    serving_dir.mkdir(parents=True, exist_ok=True)
    link = serving_dir / layout.PARQUET_LINK
    if link.exists() and not link.is_symlink():
        raise PublishError(f"{link} is a real directory; move it away so it can become a version link")

    with _publish_lock(serving_dir):
        progress("clean up leftovers")
        removed = layout.remove_leftovers(serving_dir)
        tables = _source_tables(conn, schemas)
        if not tables:
            raise PublishError(f"nothing to publish: no tables or views in schemas {list(schemas)}")

        old_current = layout.current_version(serving_dir)
        version = layout.new_version_name(run_id, {old_current, layout.previous_version(serving_dir)})
        version_dir = serving_dir / layout.VERSIONS_DIR / version
        parquet_dir = version_dir / "parquet"
        full_tmp = serving_dir / layout.tmp_name(layout.SERVING_FILE, run_id)
        bi_tmp = serving_dir / layout.tmp_name(layout.BI_SERVING_FILE, run_id)
        left_out: list[str] = []
        try:
            row_counts = _build(
                conn, tables, full_tmp, bi_tmp, parquet_dir,
                run_id=run_id, published_at=published_at, salt=salt, rules=rules,
                vocabularies=vocabularies, left_out=left_out, progress=progress,
            )
            progress("flush to disk")
            for path in (full_tmp, bi_tmp):
                layout.fsync_path(path)
            layout.fsync_tree(version_dir)
            layout.fsync_path(version_dir.parent)
        except BaseException:
            _discard(serving_dir, full_tmp, bi_tmp, keep={old_current, layout.previous_version(serving_dir)})
            raise
        _swap_in(serving_dir, full_tmp, bi_tmp, version, old_current if keep_previous else None, progress)

        progress("published")
        return PublishResult(
            run_id=run_id,
            published_at=published_at,
            path=serving_dir / layout.SERVING_FILE,
            bi_path=serving_dir / layout.BI_SERVING_FILE,
            parquet_dir=parquet_dir,
            row_counts=row_counts,
            bytes=(serving_dir / layout.SERVING_FILE).stat().st_size,
            parquet_bytes=sum(p.stat().st_size for p in parquet_dir.rglob("*.parquet")),
            removed_leftovers=tuple(removed),
            bi_left_out=tuple(left_out),
        )


def _swap_in(
    serving_dir: Path, full_tmp: Path, bi_tmp: Path, version: str, old_current: str | None,
    progress: Callable[[str], None],
) -> None:
    """Three renames back to back: each artefact flips whole, and meta in each names its run."""
    progress("swap in duckdb files")
    os.replace(full_tmp, serving_dir / layout.SERVING_FILE)
    os.replace(bi_tmp, serving_dir / layout.BI_SERVING_FILE)
    progress("swap in parquet link")
    layout.swap_symlink(serving_dir / layout.PARQUET_LINK, f"{layout.VERSIONS_DIR}/{version}/parquet")
    layout.fsync_path(serving_dir)

    progress("keep previous version, remove older ones")
    marker = serving_dir / layout.VERSIONS_DIR / layout.PREVIOUS_MARKER
    if old_current and old_current != version:
        layout.write_text_atomic(marker, old_current + "\n")
    elif old_current is None:
        marker.unlink(missing_ok=True)
    layout.prune_versions(serving_dir, keep={version, old_current})


def _discard(serving_dir: Path, full_tmp: Path, bi_tmp: Path, keep: set[str | None]) -> None:
    """Remove what a failed publish wrote; the served files were never touched."""
    for path in (full_tmp, bi_tmp):
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
    layout.prune_versions(serving_dir, keep=keep)


def _build(
    conn: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str]],
    full_tmp: Path,
    bi_tmp: Path,
    parquet_dir: Path,
    *,
    run_id: str,
    published_at: datetime,
    salt: str,
    rules: PiiRules,
    vocabularies: BiVocabularies,
    left_out: list[str],
    progress: Callable[[str], None],
) -> dict[str, int]:
    """Fill the two temporary DuckDB files and the Parquet version directory; return row counts.

    The bi file is written first and copied byte for byte as the start of the full file, which
    then only gains the marts: each table is encoded once, not once per file.
    """
    source = _current_catalog(conn)
    full = f"leadwerk_publish_{secrets.token_hex(4)}"
    bi = f"leadwerk_publish_bi_{secrets.token_hex(4)}"
    marts_counts: dict[str, int] = {}
    bi_counts: dict[str, int] = {}
    with _attached(conn, bi_tmp, bi):
        # One transaction per file: DuckDB lets a transaction write to one database only, and
        # a commit per statement would cost a WAL sync each.
        with _transaction(conn):
            conn.execute(f"CREATE SCHEMA {_q(bi)}.{BI_SCHEMA}")
            for schema, table in tables:
                bi_table = table if schema == "marts" else f"{schema}__{table}"
                progress(f"bi {BI_SCHEMA}.{bi_table}")
                select = _bi_select(
                    conn, source, schema, table, salt=salt, rules=rules, vocabularies=vocabularies,
                    left_out=left_out,
                )
                target = f"{_q(bi)}.{BI_SCHEMA}.{_q(bi_table)}"
                conn.execute(f"CREATE TABLE {target} AS SELECT {select} FROM {_q(source)}.{_q(schema)}.{_q(table)}")
                bi_counts[f"{BI_SCHEMA}.{bi_table}"] = _count(conn, target)
            _write_meta(conn, bi, bi_counts, run_id=run_id, published_at=published_at)
        progress("bi file")
        conn.execute(f"CHECKPOINT {_q(bi)}")

    progress("full file")
    shutil.copyfile(bi_tmp, full_tmp)
    with _attached(conn, full_tmp, full):
        with _transaction(conn):
            for schema in dict.fromkeys(s for s, _ in tables):
                conn.execute(f"CREATE SCHEMA {_q(full)}.{_q(schema)}")
            for schema, table in tables:
                progress(f"copy {schema}.{table}")
                target = f"{_q(full)}.{_q(schema)}.{_q(table)}"
                conn.execute(f"CREATE TABLE {target} AS SELECT * FROM {_q(source)}.{_q(schema)}.{_q(table)}")
                marts_counts[f"{schema}.{table}"] = _count(conn, target)
            row_counts = {**marts_counts, **bi_counts}
            conn.execute(f"DROP TABLE {_q(full)}.{META_SCHEMA}.{META_TABLE}")
            _write_meta(conn, full, row_counts, run_id=run_id, published_at=published_at)

        parquet_dir.mkdir(parents=True)
        for name in [*row_counts, f"{META_SCHEMA}.{META_TABLE}"]:
            schema, table = name.split(".", 1)
            progress(f"parquet {name}")
            out = parquet_dir / (f"{table}.parquet" if schema == "marts" else f"{schema}/{table}.parquet")
            out.parent.mkdir(exist_ok=True)
            conn.execute(
                f"COPY {_q(full)}.{_q(schema)}.{_q(table)} TO {_literal(str(out))} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )

        progress("checkpoint")
        conn.execute(f"CHECKPOINT {_q(full)}")
    return row_counts


def _write_meta(
    conn: duckdb.DuckDBPyConnection, catalog: str, row_counts: dict[str, int], *, run_id: str, published_at: datetime
) -> None:
    """meta.published_version of one file: the run, its time and a row count per published table."""
    meta = f"{_q(catalog)}.{META_SCHEMA}.{META_TABLE}"
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(catalog)}.{META_SCHEMA}")
    conn.execute(
        f"CREATE TABLE {meta} (run_id VARCHAR NOT NULL, published_at TIMESTAMP NOT NULL, "
        "table_name VARCHAR NOT NULL, row_count BIGINT NOT NULL)"
    )
    values = ", ".join(
        f"({_literal(run_id)}, TIMESTAMP {_literal(published_at.isoformat(sep=' '))}, {_literal(name)}, {count:d})"
        for name, count in row_counts.items()
    )
    conn.execute(f"INSERT INTO {meta} VALUES {values}")


def _bi_select(
    conn: duckdb.DuckDBPyConnection,
    catalog: str,
    schema: str,
    table: str,
    *,
    salt: str,
    rules: PiiRules,
    vocabularies: BiVocabularies,
    left_out: list[str],
) -> str:
    """Select list for the PII-free copy of one table.

    Personal columns are hashed or left out (pii_columns.yaml); numbers, dates and flags are
    kept; text is kept only through its vocabulary (bi_vocabularies.yaml), other values become
    `other`, and text without a vocabulary is left out and reported in `left_out`.
    """
    described = conn.execute(f"DESCRIBE {_q(catalog)}.{_q(schema)}.{_q(table)}").fetchall()
    kept: list[tuple[str, str]] = []  # (published name, select expression), in the table's order
    for column, column_type, *_ in described:
        action = rules.action(column)
        if action == "hash":
            kept.append((
                column + "_hash",
                f"CASE WHEN {_q(column)} IS NULL THEN NULL "
                f"ELSE sha256({_literal(salt + ':')} || CAST({_q(column)} AS VARCHAR)) END "
                f"AS {_q(column + '_hash')}",
            ))
        elif action == "keep":
            if _SAFE_TYPE.match(str(column_type)):
                kept.append((column, _q(column)))
            elif (vocabulary := vocabularies.get(column)) is not None:
                kept.append((column, f"{_categorical(column, vocabulary, vocabularies.other_value)} AS {_q(column)}"))
            else:
                left_out.append(f"{schema}.{table}.{column}")
    names = [name for name, _ in kept]
    if len({n.lower() for n in names}) != len(names):
        raise PublishError(f"{schema}.{table}: a hashed column's name collides with an existing column")
    if not names:
        raise PublishError(f"{schema}.{table}: every column is personal data or free text; nothing left for bi")
    return ", ".join(sql for _, sql in kept)


def _categorical(column: str, vocabulary: Vocabulary, other: str) -> str:
    """SQL keeping a text value that is in the vocabulary (or matches its pattern), else `other`."""

    def known(value: str) -> str:
        terms = []
        if vocabulary.values:
            terms.append(f"{value} IN ({', '.join(_literal(v) for v in sorted(vocabulary.values))})")
        if vocabulary.pattern:
            terms.append(f"regexp_full_match({value}, {_literal(vocabulary.pattern)})")
        return " OR ".join(terms) or "false"

    text = f"CAST({_q(column)} AS VARCHAR)"
    if vocabulary.separator:
        sep = _literal(vocabulary.separator)
        return (
            f"CASE WHEN {_q(column)} IS NULL THEN NULL ELSE array_to_string(list_transform("
            f"string_split({text}, {sep}), x -> CASE WHEN {known('x')} THEN x ELSE {_literal(other)} END), {sep}) END"
        )
    return f"CASE WHEN {_q(column)} IS NULL THEN NULL WHEN {known(text)} THEN {text} ELSE {_literal(other)} END"


def _source_tables(conn: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> list[tuple[str, str]]:
    """Tables and views (dbt may build marts as views) of the warehouse, in `schemas` order."""
    if BI_SCHEMA in schemas or META_SCHEMA in schemas:
        raise PublishError(f"schemas {BI_SCHEMA!r} and {META_SCHEMA!r} are written by publish itself")
    rows = conn.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database()"
    ).fetchall()
    order = {schema: i for i, schema in enumerate(schemas)}
    return sorted(((s, t) for s, t in rows if s in order), key=lambda st: (order[st[0]], st[1]))


@contextmanager
def _attached(conn: duckdb.DuckDBPyConnection, path: Path, alias: str) -> Iterator[None]:
    conn.execute(f"ATTACH {_literal(str(path))} AS {_q(alias)} (STORAGE_VERSION {_literal(SERVING_STORAGE_VERSION)})")
    try:
        yield
    finally:
        conn.execute(f"DETACH {_q(alias)}")


@contextmanager
def _transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def _publish_lock(serving_dir: Path) -> Iterator[None]:
    """One publish at a time per serving directory; the kernel drops the lock if we are killed."""
    fd = os.open(serving_dir / layout.LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _current_catalog(conn: duckdb.DuckDBPyConnection) -> str:
    return conn.execute("SELECT current_database()").fetchone()[0]


def _count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _utc_naive(moment: datetime) -> datetime:
    """Contracts store UTC as plain TIMESTAMP so BI drivers see unshifted values."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
