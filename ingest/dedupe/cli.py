"""`leadwerk dedupe`: the engine on any CSV. The lead's CLI mounts this as a subcommand."""

from __future__ import annotations

import argparse
import json
import sys

from ingest.dedupe.standalone import CANONICAL_FIELDS, dedupe_csv


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        canonical, sep, column = pair.partition("=")
        if not sep or not canonical or not column:
            raise ValueError(f"--map expects canonical=input_column, got {pair!r}")
        mapping[canonical.strip()] = column
    return mapping


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="CSV file to deduplicate (encoding and delimiter are detected)")
    parser.add_argument("--output", required=True, help="where to write record_id,cluster_id")
    parser.add_argument("--id", dest="id_column", required=True, help="column holding each row's id")
    parser.add_argument(
        "--map", action="append", metavar="CANONICAL=COLUMN",
        help=f"map an input column onto a canonical field ({', '.join(CANONICAL_FIELDS)}); "
        "columns already named like a canonical field map themselves",
    )
    parser.add_argument("--threshold", type=float, help="auto-merge match probability (0..1)")
    parser.add_argument("--default-country", default="DE", help="country for phones without prefix")
    parser.add_argument("--pairs", help="also write the scored pairs with per-field similarities here")


def run(args: argparse.Namespace) -> int:
    try:
        summary = dedupe_csv(
            args.input, args.output, id_column=args.id_column, mapping=_mapping(args.map),
            threshold=args.threshold, default_country=args.default_country, pairs_path=args.pairs,
        )
    except (ValueError, FileNotFoundError) as error:
        print(f"leadwerk dedupe: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary.as_dict(), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leadwerk dedupe", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
