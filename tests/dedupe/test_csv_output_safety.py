"""`leadwerk dedupe` output opened in a spreadsheet never runs a formula from the input file."""

import argparse
import csv

import polars as pl

from ingest.dedupe import cli
from ingest.dedupe.standalone import spreadsheet_safe

HOSTILE_IDS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "ok-1"]


def test_cells_starting_with_formula_triggers_are_quoted_the_owasp_way(tmp_path):
    rows = ["id;first_name;last_name;email"]
    rows += [f'"{i.replace(chr(34), chr(34) * 2)}";Anna;Schmidt;anna{n}@example.de' for n, i in enumerate(HOSTILE_IDS)]
    source = tmp_path / "in.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    output, pairs = tmp_path / "out.csv", tmp_path / "pairs.csv"
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args([str(source), "--output", str(output), "--id", "id", "--pairs", str(pairs)])
    assert cli.run(args) == 0

    with output.open(encoding="utf-8", newline="") as handle:
        ids = [row["record_id"] for row in csv.DictReader(handle)]
    assert sorted(ids) == sorted(["'" + i for i in HOSTILE_IDS[:-1]] + ["ok-1"])
    for path in (output, pairs):
        with path.open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
        assert not [c for c in cells if c.startswith("-") and not _is_number(c)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_tab_and_carriage_return_at_the_start_are_quoted_and_numbers_are_left_alone():
    frame = pl.DataFrame({"text": ["\tx", "\rx", "a=b", None, "-"], "number": [-1, 2, 3, 4, 5]})
    safe = spreadsheet_safe(frame)
    assert safe["text"].to_list() == ["'\tx", "'\rx", "a=b", None, "'-"]
    assert safe["number"].to_list() == [-1, 2, 3, 4, 5]
