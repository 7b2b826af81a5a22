"""Fuzzed landing files: every row read is loaded, quarantined or suppressed; no file stops another."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.raw import ingest_source_kind

from .hostile_corpus import LS_FOLDER, LS_HEADER, form, lines, ls_row, nested
from .landing_files import put

HOSTILE_CHARS = '"\',;\n\r{}[]\\\x00\ufeffé:'
GOOD_ROWS = 5


@st.composite
def hostile_line(draw, good: str) -> str:
    """A good line with damage, random text with the characters parsers trip over, or deep JSON."""
    choice = draw(st.sampled_from(["good", "insert", "cut", "noise", "deep"]))
    if choice == "good":
        return good
    if choice == "insert":
        at = draw(st.integers(0, len(good)))
        return good[:at] + draw(st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=3)) + good[at:]
    if choice == "cut":
        return good[: draw(st.integers(0, len(good)))]
    if choice == "noise":
        return draw(st.text(alphabet=st.sampled_from(HOSTILE_CHARS + "ab1@. "), max_size=40))
    return nested(draw(st.sampled_from([65, 3_000])))


@st.composite
def hostile_file(draw, number: int) -> tuple[str, bytes]:
    if draw(st.booleans()):
        rows = [draw(hostile_line(ls_row(f"LS-{number}-{i}"))) for i in range(draw(st.integers(0, 6)))]
        return f"{LS_FOLDER}/fuzz_{number}.csv", lines(LS_HEADER, *rows)
    rows = [draw(hostile_line(form(f"F-{number}-{i}"))) for i in range(draw(st.integers(0, 6)))]
    data = lines(*rows) if rows else b""
    if draw(st.booleans()):
        data = data.rstrip(b"\n")
    return f"web_forms/fuzz_{number}.jsonl", data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.integers(0, 10**6), min_size=1, max_size=3, unique=True).flatmap(
    lambda numbers: st.tuples(*(hostile_file(n) for n in numbers))
))
def test_every_fuzzed_file_reconciles_and_never_stops_a_good_one(files):
    with tempfile.TemporaryDirectory() as folder:
        landing = Path(folder) / "landing"
        for relative, data in files:
            put(landing, relative, data)
        put(landing, f"{LS_FOLDER}/zz_good.csv", lines(LS_HEADER, *(ls_row(f"G-{i}") for i in range(GOOD_ROWS))))
        put(landing, "web_forms/zz_good.jsonl", lines(*(form(f"G-{i}") for i in range(GOOD_ROWS))))
        with duckdb.connect(str(Path(folder) / "warehouse.duckdb")) as conn:
            for kind in ("purchased_list", "web_form"):
                ingest_source_kind(conn, landing, kind, batch_id="fuzz")
            registry = conn.sql(
                "select source_file, status, rows_read, rows_loaded, rows_quarantined, rows_suppressed "
                "from audit.file_registry"
            ).pl()
            quarantined = dict(conn.sql(
                "select source_file, count(*) from quarantine.rows where source_row > 0 group by all"
            ).fetchall())

    assert sorted(registry["source_file"]) == sorted(
        [relative for relative, _ in files] + [f"{LS_FOLDER}/zz_good.csv", "web_forms/zz_good.jsonl"]
    )
    for row in registry.iter_rows(named=True):
        assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_suppressed"], row
        assert quarantined.get(row["source_file"], 0) == row["rows_quarantined"], row
        assert row["status"] in {"loaded", "empty", "rejected"}, row
    good = registry.filter(registry["source_file"].str.contains("zz_good"))
    assert good["rows_loaded"].to_list() == [GOOD_ROWS, GOOD_ROWS]
    notes = registry.filter(registry["status"] == "rejected")
    assert notes.height == 0 or set(notes["source_file"]) <= {relative for relative, _ in files}
