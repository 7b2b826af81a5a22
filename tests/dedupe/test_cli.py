"""`leadwerk dedupe` on small CSV files, through the subcommand's own parser."""

import argparse

import polars as pl
import pytest

from ingest.dedupe import cli

MESSY = (
    "Kundennr;Vorname;Name;Strasse;PLZ;Ort;Tel\n"
    "1;Jürgen;Müller;Hauptstraße 5;10115;Berlin;030 1234567\n"
    "2;Juergen;Mueller;Hauptstr. 5;10115;Berlin;\n"
    "3;Anna;Schmidt;Ring 1;80331;München;089 7654321\n"
    "4;Anna;Schmidt;;;;+49 89 7654321\n"
    "5;Peter;Müller;Hauptstraße 5;10115;Berlin;\n"
)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(list(argv)))


def clusters_of(path) -> dict[str, str]:
    out = pl.read_csv(path, infer_schema=False)
    assert out.columns == ["record_id", "cluster_id"]
    return dict(out.iter_rows())


def test_cli_writes_one_cluster_per_person_for_a_messy_german_file(tmp_path, capsys):
    source = tmp_path / "kunden.csv"
    source.write_bytes(MESSY.encode("cp1252"))
    output = tmp_path / "out.csv"
    code = run_cli(
        str(source), "--output", str(output), "--id", "Kundennr",
        "--map", "first_name=Vorname", "--map", "last_name=Name", "--map", "street=Strasse",
        "--map", "postcode=PLZ", "--map", "city=Ort", "--map", "phone=Tel",
    )
    assert code == 0
    clusters = clusters_of(output)
    assert clusters["1"] == clusters["2"]
    assert clusters["3"] == clusters["4"]
    assert clusters["5"] not in {clusters["1"], clusters["3"]}
    assert '"records": 5' in capsys.readouterr().out


def test_cli_maps_same_named_columns_without_flags(tmp_path):
    source = tmp_path / "emails.csv"
    source.write_text("id,email\na,Max@Example.de\nb,max@example.de \nc,eva@example.de\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    assert run_cli(str(source), "--output", str(output), "--id", "id") == 0
    clusters = clusters_of(output)
    assert clusters["a"] == clusters["b"] != clusters["c"]


def test_cli_writes_pair_explanations_on_request(tmp_path):
    source = tmp_path / "emails.csv"
    source.write_text("id,email,first_name\na,max@example.de,Max\nb,max@example.de,Max\n", encoding="utf-8")
    pairs = tmp_path / "pairs.csv"
    assert run_cli(str(source), "--output", str(tmp_path / "o.csv"), "--id", "id", "--pairs", str(pairs)) == 0
    explained = pl.read_csv(pairs)
    assert explained.select("record_id_a", "record_id_b", "decision", "sim_email").rows() == [("a", "b", "auto_merge", 1.0)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--id", "nope"], "id column 'nope'"),
        (["--id", "id", "--map", "shoe_size=email"], "unknown canonical field 'shoe_size'"),
        (["--id", "id", "--map", "email=missing"], "no column 'missing'"),
        (["--id", "id", "--map", "email"], "canonical=input_column"),
    ],
)
def test_cli_reports_bad_arguments_clearly(tmp_path, capsys, argv, message):
    source = tmp_path / "in.csv"
    source.write_text("id,email\na,a@b.de\n", encoding="utf-8")
    assert run_cli(str(source), "--output", str(tmp_path / "o.csv"), *argv) == 2
    assert message in capsys.readouterr().err


def test_cli_rejects_rows_without_id(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("id,email\na,a@b.de\n,c@d.de\n", encoding="utf-8")
    assert run_cli(str(source), "--output", str(tmp_path / "o.csv"), "--id", "id") == 2
    assert "no value in the id column" in capsys.readouterr().err


def test_cli_matches_phones_written_in_different_formats(tmp_path):
    source = tmp_path / "calls.csv"
    source.write_text(
        "id,Vorname,Nachname,Telefon\n"
        "1,Eva,Klein,+49 30 1234567\n"
        "2,Eva,Klein,030/123 45 67\n"
        "3,Eva,Klein,+43 1 9876543\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    code = run_cli(str(source), "--output", str(output), "--id", "id", "--map", "first_name=Vorname",
                   "--map", "last_name=Nachname", "--map", "phone=Telefon", "--default-country", "DE")
    assert code == 0
    clusters = clusters_of(output)
    assert clusters["1"] == clusters["2"] != clusters["3"]
