"""`leadwerk` command line: the main job, the demo data generator and standalone dedup.

Every command checks its arguments and environment before it writes anything, and ends with a
one-line message and a documented exit code (orchestration/exit_codes.py), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import traceback
from datetime import UTC, date, datetime
from pathlib import Path

from ingest.tables import FILE_REGISTRY
from orchestration import exit_codes
from orchestration.exit_codes import UsageError
from orchestration.paths import (
    dagster_home,
    data_dir,
    export_environment,
    ground_truth_dir,
    landing_dir,
    warehouse_path,
)

DEFAULT_DEMO_PEOPLE = 5000
DEFAULT_SEED = 42
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage block) and exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(exit_codes.USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def check_as_of() -> None:
    """LEADWERK_AS_OF pins the scoring date; a bad value must fail now, not inside dbt later."""
    value = os.environ.get("LEADWERK_AS_OF", "")
    if not value:
        return
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"LEADWERK_AS_OF={value!r} is not a date in the form YYYY-MM-DD") from None


def check_writable_data_dir() -> None:
    """The data directory, warehouse and Dagster home must be writable before a run starts."""
    root = data_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        raise UsageError(
            f"data directory {root} is not writable ({error.strerror or error}); "
            "fix its permissions or point LEADWERK_DATA_DIR elsewhere"
        ) from None
    # landing/ may be a read-only mount: the pipeline only reads it.
    for path in (warehouse_path(), dagster_home()):
        if path.exists() and not os.access(path, os.W_OK):
            raise UsageError(f"{path} is not writable; fix its permissions")


def _check_writable(folder: Path, why: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UsageError(f"{why}: {folder} ({error.strerror or error})") from None


def _landing_has_files(folder: Path) -> bool:
    return folder.exists() and any(p.is_file() for p in folder.rglob("*") if not p.name.startswith("."))


def cmd_generate(args: argparse.Namespace) -> int:
    from ingest.generate import generate_increment, generate_landing

    out = Path(args.out) if args.out else landing_dir()
    truth = Path(args.truth_dir) if args.truth_dir else None
    _check_writable(out, "cannot write the demo files")
    if args.increment:
        summary = generate_increment(
            out, people=args.people, seed=args.seed, batch=args.increment, truth_dir=truth
        )
    else:
        summary = generate_landing(out, people=args.people, seed=args.seed, truth_dir=truth)
    print(summary)
    return exit_codes.SUCCESS


def cmd_run(args: argparse.Namespace) -> int:
    check_as_of()
    check_writable_data_dir()
    export_environment()

    from orchestration.pipeline import run_full_refresh_with_progress
    from orchestration.summary import print_run_summary, rejected_files

    if not _landing_has_files(landing_dir()):
        from ingest.generate import generate_landing

        _check_writable(landing_dir(), "the landing folder is empty and demo data cannot be written there")
        people = args.people or DEFAULT_DEMO_PEOPLE
        print(f"Landing folder {landing_dir()} is empty: generating {people:,} demo people.")
        generate_landing(landing_dir(), people=people, seed=args.seed, truth_dir=ground_truth_dir())
    elif args.people:
        print(f"Landing folder {landing_dir()} has files: --people {args.people} is not used.")

    print(f"Run started at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC (data directory {data_dir()})")
    outcome = run_full_refresh_with_progress(
        trigger="cli", verbose=args.verbose, allow_volume_drop=args.allow_volume_drop,
        progress=_printer(sys.stdout),
    )
    for run_id in outcome.stale_runs_failed:
        print(f"  (earlier run {run_id} had died without finishing; marked failed)")
    rejected = rejected_files(outcome.result.run_id)
    print_run_summary(outcome.result, rejected=rejected, blocked=outcome.blocked_reason, verbose=args.verbose)
    print(f"Detailed log: {outcome.log_path}")
    if not outcome.result.success:
        return exit_codes.FAILURE
    if outcome.blocked_reason:
        return exit_codes.PUBLISH_BLOCKED
    if rejected:
        return exit_codes.FILES_REJECTED
    return exit_codes.SUCCESS


def _printer(stream):
    """Progress lines go to the terminal even while other output is sent to the log file."""

    def write(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    return write


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.summary import print_summary

    export_environment()
    print_summary(None)
    return exit_codes.SUCCESS


def republish_after_privacy_change(conn) -> None:
    """Rebuild the serving copy from the changed warehouse, keeping no pre-change version."""
    from ingest.warehouse import table_exists
    from orchestration.paths import serving_dir
    from orchestration.publishing import load_or_create_salt, publish

    if not table_exists(conn, "marts.mart_lead_scores"):
        print("No marts yet: nothing to republish.")
        return
    run_id = "privacy-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    result = publish(
        conn, serving_dir(), run_id=run_id, salt=load_or_create_salt(data_dir()), keep_previous=False
    )
    print(f"Serving copy republished as {result.run_id}.")


PRIVACY_COMMANDS = {
    "erase": "erase a person from every layer (Art. 17) and suppress them",
    "subject-export": "write everything stored about a person to JSON (Art. 15)",
    "object": "record an objection to advertising (Art. 21); never expires",
    "notice": "record that purchased-list leads were informed (Art. 14)",
    "retention": "purge what is past the retention limits in ingest/privacy/policy.yaml",
}

EXIT_CODES_HELP = f"""exit codes:
  0  success
  1  failure (a step failed or an unexpected error; see the log file)
  2  usage error (invalid arguments or environment; nothing was changed)
  3  run completed, but landing files were rejected whole (see {FILE_REGISTRY})
  4  run completed, but publishing was blocked by a gate (the previous copy is still served)
"""


def build_parser() -> argparse.ArgumentParser:
    from ingest.dedupe import cli as dedupe_cli
    from ingest.privacy import cli as privacy_cli
    from orchestration import contract_cli

    parser = _Parser(
        prog="leadwerk", description=__doc__.splitlines()[0], epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="materialize every asset once (the nightly job)", epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--people", type=positive_int, default=None,
                     help=f"demo people to generate when landing/ is empty (default {DEFAULT_DEMO_PEOPLE})")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED)
    run.add_argument("--verbose", "-v", action="store_true",
                     help="print every step's log on the console (always written to the log file)")
    run.add_argument("--allow-volume-drop", action="store_true",
                     help="publish even when the volume gate (orchestration/publishing/volume_gate.yaml) "
                     "would block it")
    run.set_defaults(func=cmd_run)

    generate = commands.add_parser("generate", help="write realistic demo landing files")
    generate.add_argument("--people", type=positive_int, required=True)
    generate.add_argument("--seed", type=int, default=DEFAULT_SEED)
    generate.add_argument("--out", help="landing folder (default $LEADWERK_DATA_DIR/landing)")
    generate.add_argument("--truth-dir", help="ground truth folder (default: beside --out)")
    generate.add_argument("--increment", type=positive_int, default=0,
                          help="write follow-up batch K (about 1%% new records) instead")
    generate.set_defaults(func=cmd_generate)

    dedupe = commands.add_parser("dedupe", help="deduplicate any CSV with the lead engine")
    dedupe_cli.add_arguments(dedupe)
    dedupe.set_defaults(func=dedupe_cli.run)

    status = commands.add_parser("status", help="rows per table, quarantine and published version")
    status.set_defaults(func=cmd_status)

    contract_cli.add_parser(commands)

    from orchestration import score_report
    report = commands.add_parser("score-report", help="how well each lead score predicts conversion")
    report.set_defaults(func=_with_environment(score_report.run))

    for name, help_text in PRIVACY_COMMANDS.items():
        command = commands.add_parser(name, help=help_text)
        suffix = name.replace("-", "_")
        getattr(privacy_cli, f"add_arguments_{suffix}")(command)
        command.set_defaults(
            func=_with_environment(getattr(privacy_cli, f"run_{suffix}")),
            republish=republish_after_privacy_change,
        )
    return parser


def _with_environment(command):
    def run(args: argparse.Namespace) -> int:
        check_writable_data_dir()
        export_environment()
        return command(args)

    return run


def _error_log(command: str) -> Path | None:
    """Keep the traceback of an unexpected error for the maintainers; None when unwritable."""
    try:
        path = data_dir() / "logs" / "cli-errors.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat()} leadwerk {command}\n{traceback.format_exc()}\n")
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as error:
        print(f"leadwerk {args.command}: error: {error}", file=sys.stderr)
        return exit_codes.USAGE
    except KeyboardInterrupt:
        print(f"leadwerk {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the promise: one line, never a traceback
        where = _error_log(args.command)
        first = (str(error).strip().splitlines() or [""])[0][:400]
        print(
            f"leadwerk {args.command}: failed: {type(error).__name__}: {first}"
            + (f" (details in {where})" if where else ""),
            file=sys.stderr,
        )
        return exit_codes.FAILURE


if __name__ == "__main__":
    sys.exit(main())
