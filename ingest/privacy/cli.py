"""`leadwerk erase | subject-export | object | notice | retention`: DSGVO requests from the shell.

The lead's CLI mounts each pair `add_arguments_<command>(parser)` / `run_<command>(args)` as a
subcommand. After an erasure or purge the warehouse file is compacted
(deleted rows leave bytes behind otherwise) and the serving copy must be republished: set
`parser.set_defaults(republish=callable(conn))` and `run_erase`/`run_retention` call it with a
fresh connection to the compacted warehouse. Output is counts only; only the export file holds personal data.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingest.privacy.compaction import compact_warehouse
from ingest.privacy.erasure import SubjectNotSpecified, erase_person
from ingest.privacy.notices import CHANNELS, record_notice
from ingest.privacy.objection import record_objection
from ingest.privacy.retention import apply_retention
from ingest.privacy.subject_export import subject_export, write_subject_export


def _data_dir() -> Path:
    from orchestration.paths import data_dir

    return data_dir()


def _salt() -> str:
    """The installation's salt (data_dir/.bi_salt), shared with the serving copy's bi hashes."""
    from orchestration.publishing.salt import load_or_create_salt

    return load_or_create_salt(_data_dir())


def _warehouse_path() -> Path:
    return _data_dir() / "warehouse.duckdb"


@contextmanager
def _warehouse():
    path = _warehouse_path()
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}; run `leadwerk run` first")
    conn = duckdb.connect(str(path))
    try:
        yield conn
    finally:
        conn.close()


def _add_subject(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the person's e-mail address (any spelling)")
    who.add_argument("--phone", help="the person's phone number (any format)")
    who.add_argument("--lead-id", help="the golden lead id")
    parser.add_argument("--country", default="DE", help="region for phone numbers without prefix")


def _subject(args: argparse.Namespace) -> dict[str, Any]:
    return {"email": args.email, "phone": args.phone, "lead_id": args.lead_id, "region": args.country}


def _republish(args: argparse.Namespace, conn: duckdb.DuckDBPyConnection) -> None:
    hook: Callable[[duckdb.DuckDBPyConnection], object] | None = getattr(args, "republish", None)
    if callable(hook):
        hook(conn)


# A held lock (another writer, e.g. a running Dagster job) is a clean failure, not a traceback.
_EXPECTED = (SubjectNotSpecified, ValueError, FileNotFoundError, duckdb.IOException)


def _fail(command: str, error: Exception) -> int:
    print(f"leadwerk {command}: {error}", file=sys.stderr)
    return 2


def add_arguments_erase(parser: argparse.ArgumentParser) -> None:
    _add_subject(parser)
    parser.add_argument("--reason", required=True, help="why (ticket number, 'Art. 17 request'); no names")


def _compact_and_republish(args: argparse.Namespace) -> None:
    """Deleted rows leave bytes in the file: rewrite it, then rebuild the serving copy from it."""
    compact_warehouse(_warehouse_path())
    with _warehouse() as conn:
        _republish(args, conn)


def run_erase(args: argparse.Namespace) -> int:
    try:
        with _warehouse() as conn:
            report = erase_person(conn, **_subject(args), reason=args.reason, salt=_salt())
        _compact_and_republish(args)
    except _EXPECTED as error:
        return _fail("erase", error)
    print(json.dumps(report.to_metadata(), ensure_ascii=False))
    return 0


def add_arguments_subject_export(parser: argparse.ArgumentParser) -> None:
    _add_subject(parser)
    parser.add_argument("--output", required=True, help="JSON file to write (it holds personal data)")


def run_subject_export(args: argparse.Namespace) -> int:
    try:
        with _warehouse() as conn:
            export = subject_export(conn, **_subject(args), salt=_salt())
    except _EXPECTED as error:
        return _fail("subject-export", error)
    path = write_subject_export(export, Path(args.output))
    counts = {k: len(v) for k, v in export.items() if isinstance(v, list | dict) and k != "consent_history"}
    print(json.dumps({"output": str(path), "sections": counts}))
    return 0


def add_arguments_object(parser: argparse.ArgumentParser) -> None:
    _add_subject(parser)
    parser.add_argument("--reason", default="Art. 21 objection", help="free text; no names")


def run_object(args: argparse.Namespace) -> int:
    try:
        with _warehouse() as conn:
            report = record_objection(conn, **_subject(args), reason=args.reason, salt=_salt())
    except _EXPECTED as error:
        return _fail("object", error)
    print(json.dumps({"event_id": report.event_id, "leads": report.leads,
                      "suppression_added": report.suppression_added}))
    return 0


def add_arguments_notice(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lead-id", action="append", default=[], help="lead informed (repeatable)")
    parser.add_argument("--lead-ids-file", help="text file, one lead id per line")
    parser.add_argument("--channel", required=True, choices=CHANNELS)
    parser.add_argument("--notified-at", help="ISO time of the notice (default: now, UTC)")
    parser.add_argument("--note", help="e.g. mailing name; no personal data")


def run_notice(args: argparse.Namespace) -> int:
    ids = list(args.lead_id)
    if args.lead_ids_file:
        ids += Path(args.lead_ids_file).read_text(encoding="utf-8").split()
    if not ids:
        return _fail("notice", ValueError("give --lead-id or --lead-ids-file"))
    notified_at = datetime.fromisoformat(args.notified_at) if args.notified_at else datetime.now(UTC)
    try:
        with _warehouse() as conn:
            count = record_notice(conn, ids, notified_at, args.channel, note=args.note)
    except _EXPECTED as error:
        return _fail("notice", error)
    print(json.dumps({"notices_recorded": count}))
    return 0


def add_arguments_retention(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", help="policy YAML (default ingest/privacy/policy.yaml)")


def run_retention(args: argparse.Namespace) -> int:
    from ingest.privacy.policy import load_policy

    try:
        policy = load_policy(Path(args.policy)) if args.policy else load_policy()
        with _warehouse() as conn:
            report = apply_retention(conn, landing_dir=_data_dir() / "landing", policy=policy)
        if report.rows_deleted:
            _compact_and_republish(args)
    except _EXPECTED as error:
        return _fail("retention", error)
    print(json.dumps(report.to_metadata()))
    return 0
