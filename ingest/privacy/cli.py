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

from ingest.paths import data_dir, landing_dir, warehouse_path
from ingest.privacy.audit import reason_codes
from ingest.privacy.clock import utc_naive
from ingest.privacy.compaction import compact_warehouse
from ingest.privacy.erasure import SubjectNotSpecified, UnknownLead, erase_person, known_lead_ids
from ingest.privacy.notices import CHANNELS, record_notice
from ingest.privacy.objection import record_objection
from ingest.privacy.retention import apply_retention
from ingest.privacy.salt import load_or_create_salt
from ingest.privacy.subject_export import subject_export, write_subject_export


def _salt() -> str:
    """The installation's salt (data_dir/.bi_salt), shared with the serving copy's bi hashes."""
    return load_or_create_salt(data_dir())


@contextmanager
def _warehouse():
    path = warehouse_path()
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


# Exit codes as documented in README.md: 2 = the request was invalid and nothing changed,
# 1 = it could not be carried out (e.g. a held lock: another writer such as a running job).
USAGE, FAILURE = 2, 1
_EXPECTED = (SubjectNotSpecified, UnknownLead, ValueError, FileNotFoundError)


def _fail(command: str, error: Exception) -> int:
    code = FAILURE if isinstance(error, duckdb.Error) else USAGE
    # The first line of the message as it reads (a conversion such as !r would quote it).
    text = str(error).strip()
    line = text.splitlines()[0] if text else repr(error)
    print(f"leadwerk {command}: error: {line}", file=sys.stderr)
    return code


_FREE_TEXT_REFUSED = (
    "--reason (free text) is no longer accepted: the audit log must not hold what a request says "
    "about a person. Use --reason-code CODE and --ticket REFERENCE"
)


def _add_reason(parser: argparse.ArgumentParser, event_kind: str, default: str | None) -> None:
    codes = reason_codes(event_kind)
    parser.add_argument(
        # Not required by argparse, so an old `--reason TEXT` gets the explanation, not "missing".
        "--reason-code", default=default, choices=list(codes),
        help="why, from ingest/privacy/reason_codes.yaml: " + "; ".join(f"{k} = {v}" for k, v in codes.items()),
    )
    parser.add_argument("--ticket", help="ticket reference of the request, e.g. SR-4711 (no names)")
    parser.add_argument("--reason", help=argparse.SUPPRESS)


def _refuse_free_text(command: str, args: argparse.Namespace) -> int | None:
    if getattr(args, "reason", None) is not None:
        print(f"leadwerk {command}: error: {_FREE_TEXT_REFUSED}", file=sys.stderr)
        return USAGE
    if getattr(args, "reason_code", None) is None:
        print(f"leadwerk {command}: error: give --reason-code (see `leadwerk {command} --help`)", file=sys.stderr)
        return USAGE
    return None


def add_arguments_erase(parser: argparse.ArgumentParser) -> None:
    _add_subject(parser)
    _add_reason(parser, "erasure", default=None)


def _compact_and_republish(args: argparse.Namespace) -> None:
    """Deleted rows leave bytes in the file: rewrite it, then rebuild the serving copy from it."""
    compact_warehouse(warehouse_path())
    with _warehouse() as conn:
        _republish(args, conn)


def run_erase(args: argparse.Namespace) -> int:
    if (refused := _refuse_free_text("erase", args)) is not None:
        return refused
    try:
        with _warehouse() as conn:
            report = erase_person(
                conn, **_subject(args), reason_code=args.reason_code, ticket=args.ticket, salt=_salt()
            )
        _compact_and_republish(args)
    except (*_EXPECTED, duckdb.Error) as error:
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
    except (*_EXPECTED, duckdb.Error) as error:
        return _fail("subject-export", error)
    path = write_subject_export(export, Path(args.output))
    counts = {k: len(v) for k, v in export.items() if isinstance(v, list | dict) and k != "consent_history"}
    print(json.dumps({"output": str(path), "sections": counts}))
    return 0


def add_arguments_object(parser: argparse.ArgumentParser) -> None:
    _add_subject(parser)
    _add_reason(parser, "objection", default="art21_objection")


def run_object(args: argparse.Namespace) -> int:
    if (refused := _refuse_free_text("object", args)) is not None:
        return refused
    try:
        with _warehouse() as conn:
            report = record_objection(
                conn, **_subject(args), reason_code=args.reason_code, ticket=args.ticket, salt=_salt()
            )
    except (*_EXPECTED, duckdb.Error) as error:
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


def _notice_time(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--notified-at {text!r} is not an ISO date or time (e.g. 2026-02-01T09:00)") from None
    if utc_naive(moment) > utc_naive(None):
        raise ValueError(f"--notified-at {text!r} lies in the future")
    return moment


def run_notice(args: argparse.Namespace) -> int:
    try:
        ids = list(args.lead_id)
        if args.lead_ids_file:
            try:
                ids += Path(args.lead_ids_file).read_text(encoding="utf-8").split()
            except OSError as error:
                raise ValueError(f"cannot read --lead-ids-file {args.lead_ids_file}: {error.strerror}") from None
        ids = sorted({i.strip() for i in ids if i.strip()})
        if not ids:
            raise ValueError("give --lead-id or --lead-ids-file")
        notified_at = _notice_time(args.notified_at)
        with _warehouse() as conn:
            unknown = sorted(set(ids) - known_lead_ids(conn, ids))
            if unknown:
                raise UnknownLead(
                    f"{len(unknown)} of {len(ids)} lead ids are not in the warehouse "
                    f"(first: {', '.join(unknown[:5])}); nothing recorded"
                )
            count = record_notice(conn, ids, notified_at, args.channel, note=args.note)
    except (*_EXPECTED, duckdb.Error) as error:
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
            report = apply_retention(conn, landing_dir=landing_dir(), policy=policy)
        if report.rows_deleted:
            _compact_and_republish(args)
    except (*_EXPECTED, duckdb.Error) as error:
        return _fail("retention", error)
    print(json.dumps(report.to_metadata()))
    return 0
