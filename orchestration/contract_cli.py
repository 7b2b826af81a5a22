"""`leadwerk contract draft|check`: write a contract for a new export, and dry-run a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

KINDS = ("crm_export", "purchased_list", "web_form")


def add_parser(commands: argparse._SubParsersAction) -> None:
    contract = commands.add_parser("contract", help="draft a contract for a new export, or check a file")
    verbs = contract.add_subparsers(dest="contract_command", required=True)

    draft = verbs.add_parser("draft", help="write a commented contract YAML for an export file")
    draft.add_argument("file", type=Path)
    draft.add_argument("--system", required=True, help="source system / folder name, e.g. zoho")
    draft.add_argument("--kind", choices=KINDS, default="crm_export")
    draft.add_argument("--output", type=Path, help="default: ingest/contracts/<system>.yaml")
    draft.add_argument("--force", action="store_true", help="overwrite an existing file")
    draft.set_defaults(func=run_draft)

    check = verbs.add_parser("check", help="how the contracts would read a file (no warehouse is touched)")
    check.add_argument("file", type=Path)
    check.add_argument("--system", help="source system (default: from the file's landing folder)")
    check.add_argument("--kind", choices=KINDS, help="source kind (default: from the landing folder)")
    check.add_argument("--contracts-dir", type=Path, help="default: ingest/contracts/")
    check.set_defaults(func=run_check)


def _fail(message: str) -> int:
    print(f"leadwerk contract: {message}", file=sys.stderr)
    return 2


def run_draft(args: argparse.Namespace) -> int:
    from ingest.raw.contracts import CONTRACTS_DIR
    from ingest.raw.draft import draft_contract

    if not args.file.is_file():
        return _fail(f"{args.file}: no such file")
    output = args.output or CONTRACTS_DIR / f"{args.system}.yaml"
    if output.exists() and not args.force:
        return _fail(f"{output} exists; choose --output or add --force to overwrite it")
    try:
        text = draft_contract(args.file, args.system, args.kind)
    except (ValueError, OSError) as error:
        return _fail(f"{args.file}: {error}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"Wrote {output}. Review the commented lines, then run: leadwerk contract check {args.file}"
          f" --system {args.system}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ingest.contract_check import check_file, render
    from ingest.raw.contracts import ContractError, load_contract_set

    if not args.file.is_file():
        return _fail(f"{args.file}: no such file")
    loaded = load_contract_set(args.contracts_dir)
    for message in loaded.errors.values():
        print(f"invalid contract: {message}", file=sys.stderr)
    try:
        report = check_file(
            args.file, source_kind=args.kind, source_system=args.system, contracts_dir=args.contracts_dir
        )
    except (ValueError, ContractError, OSError) as error:
        return _fail(str(error))
    print(render(report))
    return 3 if report.read.status == "rejected" else 0
