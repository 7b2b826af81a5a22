"""Load landing files of one source kind into raw.*, quarantine.rows and audit.file_registry.

Each file version is written in its own transaction together with its registry row, so a
crash never leaves a partly loaded file, and a re-run skips what is already registered.

A file that cannot be read (a link, a pipe, a parser failure) is registered as rejected with
its reason and the other files go on. Each file gets its own ingestion time, later than the
previous file's, so the order of files in time is the order they were ingested in: a run
killed half-way and run again orders every record exactly as one uninterrupted run does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from ingest.raw.contracts import ContractSet, load_contract_set
from ingest.raw.landing import LandingFile, discover_landing_files, read_regular_file, sha256_of
from ingest.raw.limits import limits
from ingest.raw.parsed import QUARANTINE_ROW_SCHEMA
from ingest.raw.quarantine_suppression import file_countries, suppressed_texts
from ingest.raw.reader import FileRead, read_landing_file
from ingest.raw.report import FileStats, IngestReport
from ingest.raw.tables import (
    LINEAGE_SCHEMA,
    QUARANTINE_SCHEMA,
    RAW_TABLES,
    REGISTRY_SCHEMA,
    raw_schema,
)
from ingest.tables import FILE_REGISTRY, QUARANTINE_ROWS
from ingest.warehouse import append_rows, deferred_checkpoint, table_exists, transaction

SuppressionCheck = Callable[[pl.DataFrame], pl.Series]
Progress = Callable[[FileStats], None]
ONE_TICK = timedelta(microseconds=1)


def _utc_naive(moment: datetime | None) -> datetime:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def registered_versions(conn: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(source_file, file_sha256) of every file version already ingested.

    A version rejected whole is not counted: it is read again on the next run (a fixed or new
    contract may fit it now), and reported again until it loads.
    """
    if not table_exists(conn, FILE_REGISTRY):
        return set()
    rows = conn.execute(
        f"select source_file, file_sha256 from {FILE_REGISTRY} where status <> 'rejected'"
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


def _forget_rejection(conn: duckdb.DuckDBPyConnection, source_file: str, sha256: str) -> None:
    """Drop an earlier whole-file rejection of this version (its registry row and file note)."""
    if not table_exists(conn, FILE_REGISTRY):
        return
    conn.execute(
        f"delete from {FILE_REGISTRY} where source_file = ? and file_sha256 = ? and status = 'rejected'",
        [source_file, sha256],
    )
    conn.execute(
        f"delete from {QUARANTINE_ROWS} where source_file = ? and file_sha256 = ? and stage = 'ingest'"
        " and source_row = 0",
        [source_file, sha256],
    )


def ensure_ingest_tables(conn: duckdb.DuckDBPyConnection, source_kind: str) -> None:
    """Create the kind's raw table, quarantine and registry (empty) so readers always find them."""
    _append_together(conn, [
        (RAW_TABLES[source_kind], pl.DataFrame(schema=raw_schema(source_kind))),
        (QUARANTINE_ROWS, pl.DataFrame(schema=QUARANTINE_SCHEMA)),
        (FILE_REGISTRY, pl.DataFrame(schema=REGISTRY_SCHEMA)),
    ])


def ingest_source_kind(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    source_kind: str,
    *,
    batch_id: str,
    ingested_at: datetime | None = None,
    only_files: list[str] | None = None,
    is_suppressed: SuppressionCheck | None = None,
    contracts_dir: Path | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest every new file version of one source kind; already registered versions are skipped.

    `ingested_at` is the first file's ingestion time (default: now); each further file gets the
    later of now and one microsecond after the previous file. `progress` is told about each
    file once it is written.
    """
    if source_kind not in RAW_TABLES:
        raise ValueError(f"unknown source_kind {source_kind!r}; expected one of {sorted(RAW_TABLES)}")
    contracts = load_contract_set(contracts_dir)
    fixed_start = ingested_at is not None
    moment = _utc_naive(ingested_at) - ONE_TICK
    report = IngestReport(source_kind=source_kind, batch_id=batch_id)
    ensure_ingest_tables(conn, source_kind)
    done = registered_versions(conn)
    wanted = None if only_files is None else set(only_files)
    pending = []
    for landing in discover_landing_files(Path(landing_dir), source_kind):
        if wanted is not None and landing.source_file not in wanted:
            continue
        if (landing.source_file, landing.sha256) in done:
            report.skipped_files.append(landing.source_file)
        else:
            pending.append(landing)
    # The next file is parsed in a worker thread while this one is written (Polars and DuckDB
    # release the GIL); writes stay in this thread, one transaction per file, in path order.
    with (
        deferred_checkpoint(conn),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadwerk-read") as reader,
    ):
        reads = [reader.submit(_read_file, pending[0], contracts)] if pending else []
        for position, landing in enumerate(pending):
            if position + 1 < len(pending):
                reads.append(reader.submit(_read_file, pending[position + 1], contracts))
            outcome = reads[position].result()
            reads[position] = None  # let the frames go once written
            if outcome is None:  # removed since the folder was listed: nothing to ingest
                report.vanished_files.append(landing.source_file)
                continue
            data, sha256, read = outcome
            if (landing.source_file, sha256) in done:  # replaced by a registered version meanwhile
                report.skipped_files.append(landing.source_file)
                continue
            moment = max(moment + ONE_TICK, moment if fixed_start else _utc_naive(None))
            stats = _write_file(
                conn, landing, data, sha256, read,
                batch_id=batch_id, ingested_at=moment, is_suppressed=is_suppressed,
            )
            done.add((landing.source_file, sha256))
            report.files.append(stats)
            if progress is not None:
                progress(stats)
    return report


def _read_file(
    landing: LandingFile, contracts: ContractSet
) -> tuple[bytes, str, FileRead] | None:
    """The file's bytes, their hash and what was read from them; never raises for a bad file."""
    if landing.refused is not None:
        return b"", landing.sha256, _rejected_read(landing.refused, landing.refused_detail)
    try:
        data = read_regular_file(landing.path)
    except FileNotFoundError:
        return None
    except OSError as error:  # became a link or a special file, or cannot be opened
        detail = f"{landing.source_file} could not be opened safely: {error.strerror or error}"
        return b"", sha256_of(detail.encode()), _rejected_read("unreadable_file", detail)
    # Hash the bytes actually read: the file may have been replaced since discovery.
    sha256 = sha256_of(data)
    try:
        read = read_landing_file(
            data, landing.source_kind, landing.source_system, contracts.contracts, contracts.broken_folders
        )
    except Exception as error:  # noqa: BLE001 - one unreadable file must not stop the others
        detail = f"{landing.source_file} could not be parsed ({type(error).__name__}: {error})"
        read = _rejected_read("unreadable_file", detail[:2000])
    return data, sha256, read


def _rejected_read(reason: str, detail: str | None) -> FileRead:
    note = pl.DataFrame(
        {"source_row": [0], "raw_text": [None], "reason": [reason], "reason_detail": [detail]},
        schema=QUARANTINE_ROW_SCHEMA,
    )
    return FileRead(status="rejected", rows=pl.DataFrame(), rejected=note, note=reason)


def _lineage(landing: LandingFile, sha256: str, batch_id: str) -> list[pl.Expr]:
    return [
        pl.lit(landing.source_kind, pl.String).alias("source_kind"),
        pl.lit(landing.source_system, pl.String).alias("source_system"),
        pl.lit(landing.source_file, pl.String).alias("source_file"),
        pl.lit(sha256, pl.String).alias("file_sha256"),
        pl.lit(batch_id, pl.String).alias("batch_id"),
    ]


def _raw_frame(
    read: FileRead, landing: LandingFile, sha256: str, batch_id: str, at: datetime
) -> pl.DataFrame:
    schema = raw_schema(landing.source_kind)
    if read.rows.height == 0 and not read.rows.columns:
        return pl.DataFrame(schema=schema)
    frame = read.rows.with_columns(
        *_lineage(landing, sha256, batch_id),
        pl.lit(at, pl.Datetime("us")).alias("ingested_at"),
        pl.lit(read.contract, pl.String).alias("contract"),
    )
    return frame.select(
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    )


def _quarantine_frame(
    rejected: pl.DataFrame, landing: LandingFile, sha256: str, batch_id: str, at: datetime
) -> pl.DataFrame:
    keep = limits().max_quarantined_chars
    cut = pl.col("raw_text").str.len_chars() > keep
    frame = rejected.with_columns(
        raw_text=pl.when(cut).then(pl.col("raw_text").str.slice(0, keep)).otherwise("raw_text"),
        reason_detail=pl.when(cut)
        .then(pl.format(f"{{}} (text cut to {keep} characters)", "reason_detail"))
        .otherwise("reason_detail"),
    ).with_columns(
        *_lineage(landing, sha256, batch_id),
        pl.lit("ingest", pl.String).alias("stage"),
        pl.lit(at, pl.Datetime("us")).alias("quarantined_at"),
    )
    return frame.select(pl.col(name).cast(dtype) for name, dtype in QUARANTINE_SCHEMA.items())


def _suppress(raw: pl.DataFrame, is_suppressed: SuppressionCheck | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off rows the privacy hook flags; their content is not kept anywhere."""
    if is_suppressed is None or raw.height == 0:
        return raw, raw.clear()
    flags = pl.Series(is_suppressed(raw), dtype=pl.Boolean).fill_null(False)
    if flags.len() != raw.height:
        raise ValueError(f"is_suppressed returned {flags.len()} flags for {raw.height} rows")
    return raw.filter(~flags), raw.filter(flags)


SUPPRESSED_DETAIL = "matched the suppression list; content not kept"


def _suppress_rejected(
    rejected: pl.DataFrame, is_suppressed: SuppressionCheck | None, rows: pl.DataFrame
) -> tuple[pl.DataFrame, int]:
    """Rejected rows with an erased person's text blanked, and how many data rows that hit.

    A data row becomes a `suppressed` note like a parsed row would; a file-level note (row 0)
    keeps its reason and loses only its text.
    """
    rejected = rejected.cast(QUARANTINE_ROW_SCHEMA)
    hit = suppressed_texts(rejected["raw_text"], is_suppressed, file_countries(rows))
    if not hit.any():
        return rejected, 0
    data_row = pl.col("source_row") > 0
    blanked = rejected.with_columns(hit=hit).with_columns(
        raw_text=pl.when("hit").then(pl.lit(None, pl.String)).otherwise("raw_text"),
        reason=pl.when(pl.col("hit") & data_row).then(pl.lit("suppressed")).otherwise("reason"),
        reason_detail=pl.when(pl.col("hit") & data_row)
        .then(pl.lit(SUPPRESSED_DETAIL))
        .when("hit")
        .then(pl.format("{}; text not kept: matched the suppression list", "reason_detail"))
        .otherwise("reason_detail"),
    )
    count = blanked.filter(pl.col("hit") & data_row).height
    return blanked.drop("hit"), count


def _without_empty_columns(raw: pl.DataFrame) -> pl.DataFrame:
    """Leave out fields the file never fills: the table has them and stores NULL, for less work."""
    if raw.height == 0:
        return raw
    return raw.select(c for c in raw.columns if c in LINEAGE_SCHEMA or raw[c].null_count() < raw.height)


def _write_file(
    conn: duckdb.DuckDBPyConnection,
    landing: LandingFile,
    data: bytes,
    sha256: str,
    read: FileRead,
    *,
    batch_id: str,
    ingested_at: datetime,
    is_suppressed: SuppressionCheck | None,
) -> FileStats:
    """Write one file version's rows, rejects and registry row together, or nothing at all."""
    raw, suppressed = _suppress(_raw_frame(read, landing, sha256, batch_id, ingested_at), is_suppressed)
    suppressed_notes = suppressed.select(
        "source_row",
        raw_text=pl.lit(None, pl.String),
        reason=pl.lit("suppressed"),
        reason_detail=pl.lit(SUPPRESSED_DETAIL),
    )
    quarantined, suppressed_rejects = _suppress_rejected(read.rejected, is_suppressed, read.rows)
    rejected = pl.concat([quarantined, suppressed_notes.cast(QUARANTINE_ROW_SCHEMA)])
    stats = FileStats(
        source_file=landing.source_file,
        file_sha256=sha256,
        source_kind=landing.source_kind,
        source_system=landing.source_system,
        contract=read.contract,
        encoding=read.encoding,
        delimiter=read.delimiter,
        file_bytes=len(data),
        rows_read=read.rows_read,
        rows_loaded=raw.height,
        rows_quarantined=quarantined.filter(
            (pl.col("source_row") > 0) & (pl.col("reason") != "suppressed")
        ).height,
        rows_suppressed=suppressed.height + suppressed_rejects,
        status=read.status,
        unmapped_columns=read.unmapped,
        missing_columns=read.missing_columns,
        note=read.note,
    )
    if not stats.balanced():
        raise RuntimeError(f"{landing.source_file}: row counts do not reconcile: {stats}")
    _append_together(conn, [
        (RAW_TABLES[landing.source_kind], _without_empty_columns(raw)),
        (QUARANTINE_ROWS, _quarantine_frame(rejected, landing, sha256, batch_id, ingested_at)),
        (FILE_REGISTRY, _registry_frame(stats, batch_id, ingested_at)),
    ], before=lambda: _forget_rejection(conn, landing.source_file, sha256))
    return stats


def _registry_frame(stats: FileStats, batch_id: str, ingested_at: datetime) -> pl.DataFrame:
    row = {name: getattr(stats, name, None) for name in REGISTRY_SCHEMA}
    row.update(
        unmapped_columns=json.dumps(stats.unmapped_columns, ensure_ascii=False),
        batch_id=batch_id,
        ingested_at=ingested_at,
    )
    return pl.DataFrame([row], schema=REGISTRY_SCHEMA)


def _append_together(
    conn: duckdb.DuckDBPyConnection,
    frames: list[tuple[str, pl.DataFrame]],
    before: Callable[[], None] | None = None,
) -> None:
    """One transaction, so a crash never leaves a partly loaded file behind."""
    with transaction(conn):
        if before is not None:
            before()
        for table, frame in frames:
            append_rows(conn, table, frame)


__all__ = ["ensure_ingest_tables", "ingest_source_kind", "registered_versions"]
