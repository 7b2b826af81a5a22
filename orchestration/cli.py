"""`leadwerk` command line: the main job, the demo data generator and standalone dedup."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.paths import export_environment, ground_truth_dir, landing_dir

DEFAULT_DEMO_PEOPLE = 5000
DEFAULT_SEED = 42


def _landing_has_files(folder: Path) -> bool:
    return folder.exists() and any(p.is_file() for p in folder.rglob("*") if not p.name.startswith("."))


def cmd_generate(args: argparse.Namespace) -> int:
    from ingest.generate import generate_increment, generate_landing

    out = Path(args.out) if args.out else landing_dir()
    truth = Path(args.truth_dir) if args.truth_dir else None
    if args.increment:
        summary = generate_increment(
            out, people=args.people, seed=args.seed, batch=args.increment, truth_dir=truth
        )
    else:
        summary = generate_landing(out, people=args.people, seed=args.seed, truth_dir=truth)
    print(summary)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration.pipeline import run_full_refresh
    from orchestration.summary import print_summary

    export_environment()
    if not _landing_has_files(landing_dir()):
        from ingest.generate import generate_landing

        people = args.people or DEFAULT_DEMO_PEOPLE
        print(f"Landing folder {landing_dir()} is empty: generating {people} demo people.")
        generate_landing(landing_dir(), people=people, seed=args.seed, truth_dir=ground_truth_dir())
    result = run_full_refresh(trigger="cli")
    print_summary(result)
    return 0 if result.success else 1


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.summary import print_summary

    export_environment()
    print_summary(None)
    return 0


def republish_after_privacy_change(conn) -> None:
    """Rebuild the serving copy from the changed warehouse, keeping no pre-change version."""
    from datetime import UTC, datetime

    from ingest.warehouse import table_exists
    from orchestration.paths import data_dir, serving_dir
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


def build_parser() -> argparse.ArgumentParser:
    from ingest.dedupe import cli as dedupe_cli
    from ingest.privacy import cli as privacy_cli
    from orchestration import contract_cli

    parser = argparse.ArgumentParser(prog="leadwerk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="materialize every asset once (the nightly job)")
    run.add_argument("--people", type=int, default=None,
                     help=f"demo people to generate when landing/ is empty (default {DEFAULT_DEMO_PEOPLE})")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED)
    run.set_defaults(func=cmd_run)

    generate = commands.add_parser("generate", help="write realistic demo landing files")
    generate.add_argument("--people", type=int, required=True)
    generate.add_argument("--seed", type=int, default=DEFAULT_SEED)
    generate.add_argument("--out", help="landing folder (default $LEADWERK_DATA_DIR/landing)")
    generate.add_argument("--truth-dir", help="ground truth folder (default: beside --out)")
    generate.add_argument("--increment", type=int, default=0,
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
        export_environment()
        return command(args)

    return run


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
