"""ingest/tables.py is the one declaration of the warehouse tables Python writes.

- every dbt source is a declared table under the same Dagster asset key, and the staging
  models build on a warehouse made from the declaration alone (so they read declared columns);
- no Python module outside the declaration spells a declared table's name;
- the fixture warehouses of the quality and dbt tests have the declared tables and columns;
- drift() finds a missing, an undeclared and a retyped column, and an undeclared table.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest.tables import (
    GOLDEN_LEADS,
    LEAD_MATCH_PAIRS,
    LEAD_RECORDS,
    TABLES,
    create_table,
    drift,
    table,
)

REPO = Path(__file__).resolve().parents[1]
DBT_MODELS = REPO / "dbt_project" / "models"
# Python code that reads or writes the warehouse; tests and fixtures are checked apart.
CODE_DIRS = ("ingest", "quality", "orchestration", "scoring", "benchmarks")
FIXTURES = (
    "tests/dbt/fixture_warehouse.py", "tests/scoring/behaviour_warehouse.py",
    "tests/privacy/privacy_warehouse.py",
)
DECLARATION = REPO / "ingest" / "tables.py"


def dbt_sources() -> list[tuple[Path, str, dict]]:
    """(yml file, schema, table entry) for every table of every dbt source."""
    found = []
    for path in sorted(DBT_MODELS.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or []:
            schema = source.get("schema", source["name"])
            found += [(path, schema, entry) for entry in source.get("tables") or []]
    return found


def test_dbt_sources_are_declared_tables_with_their_asset_keys():
    sources = dbt_sources()
    assert sources, "no dbt sources found"
    problems = []
    for path, schema, entry in sources:
        name = f"{schema}.{entry.get('identifier', entry['name'])}"
        where = path.relative_to(REPO)
        if name not in TABLES:
            problems.append(f"{where}: source {name} is not declared in ingest/tables.py")
            continue
        key = (((entry.get("config") or {}).get("meta") or entry.get("meta") or {}).get("dagster") or {}).get("asset_key")
        if key is not None and list(key) != table(name).asset_key:
            problems.append(f"{where}: {name} has asset key {key}, declared {table(name).asset_key}")
        undeclared = [c["name"] for c in entry.get("columns") or [] if c["name"] not in table(name).columns]
        if undeclared:
            problems.append(f"{where}: {name} documents undeclared columns {undeclared}")
    assert not problems, "\n".join(problems)


def test_staging_models_build_on_a_warehouse_made_from_the_declaration(tmp_path):
    """DuckDB binds a view's columns when it is created: a staging model reading a column the
    declaration lacks (or one the declaration types so a cast fails) fails to build here."""
    sys.path.insert(0, str(REPO / "tests" / "dbt"))
    from dbt_cli import run_dbt

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        for name in TABLES:
            create_table(conn, name)
    # Every model that reads a source directly (the staging models, the privacy notices mart).
    result = run_dbt(["run", "--select", "source:*+1"], warehouse, tmp_path, as_of="2026-01-01")
    assert "Completed successfully" in result.stdout
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        built = {r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        ).fetchall()}
    assert built >= {p.stem for p in (DBT_MODELS / "staging").glob("stg_*.sql")}


def _python_files() -> list[Path]:
    files = [p for d in CODE_DIRS for p in sorted((REPO / d).rglob("*.py"))]
    return [p for p in files if p != DECLARATION] + [REPO / f for f in FIXTURES]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                ids.add(id(value))
    return ids


def table_name_literals(source: str) -> list[tuple[int, str]]:
    """(line, name) of every declared table name spelled in a string literal (docstrings and
    comments aside), and of every [schema, name] pair of literals naming a declared table."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    names = sorted(TABLES, key=len, reverse=True)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value
            for name in names:
                start = text.find(name)
                while start >= 0:
                    end = start + len(name)
                    before = text[start - 1] if start else " "
                    after = text[end] if end < len(text) else " "
                    if not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_"):
                        found.append((node.lineno, name))
                        text = text[:start] + " " * len(name) + text[end:]
                    start = text.find(name, start + 1)
        elif isinstance(node, ast.List | ast.Tuple) and len(node.elts) == 2 and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ):
            name = ".".join(e.value for e in node.elts)
            if name in TABLES:
                found.append((node.lineno, name))
    return sorted(found)


def test_no_table_name_is_spelled_outside_the_declaration():
    problems = [
        f"{path.relative_to(REPO)}:{line}: {name}"
        for path in _python_files()
        for line, name in table_name_literals(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "use the constants of ingest/tables.py instead of:\n" + "\n".join(problems)


def test_the_literal_finder_finds_what_it_must():
    source = (
        '"""core.lead_records in a docstring is prose."""\n'
        'A = "select * from core.lead_records r"\n'
        'B = f"insert into audit.file_registry select {x}"\n'
        'C = ["core", "golden_leads"]\n'
        'D = "core.lead_records_archive and mycore.lead_records"\n'
    )
    assert table_name_literals(source) == [(2, "core.lead_records"), (3, "audit.file_registry"),
                                           (4, "core.golden_leads")]


def test_the_declaration_is_consistent():
    for name, declared in TABLES.items():
        assert name == declared.qualified
        assert set(declared.primary_key) <= set(declared.columns), name
    assert table(GOLDEN_LEADS).columns["lead_id"] == "VARCHAR"


@pytest.fixture
def declared_warehouse():
    with duckdb.connect() as conn:
        for name in TABLES:
            create_table(conn, name)
        yield conn


def test_a_warehouse_made_from_the_declaration_has_no_drift(declared_warehouse):
    assert drift(declared_warehouse, missing_ok=False) == []


def test_drift_names_missing_undeclared_and_retyped_columns(declared_warehouse):
    conn = declared_warehouse
    conn.execute(f"alter table {LEAD_RECORDS} drop column crm_id")
    conn.execute(f"alter table {LEAD_RECORDS} add column shoe_size integer")
    conn.execute(f"alter table {LEAD_RECORDS} alter column source_row type varchar")
    conn.execute(f"alter table {LEAD_MATCH_PAIRS} add column sim_shoe_size double")  # a variable column
    conn.execute("create table core.scratch (x integer)")
    found = {d.table: d for d in drift(conn)}
    assert set(found) == {LEAD_RECORDS, "core.scratch"}
    assert found[LEAD_RECORDS].missing_columns == ["crm_id"]
    assert found[LEAD_RECORDS].undeclared_columns == ["shoe_size"]
    assert found[LEAD_RECORDS].type_changes == {"source_row": ("BIGINT", "VARCHAR")}
    assert found["core.scratch"].undeclared_table


def test_fixture_warehouses_have_the_declared_shape(tmp_path):
    """The quality suites' and the dbt tests' fixture warehouses are built from the declaration."""
    sys.path.insert(0, str(REPO / "tests" / "quality"))
    sys.path.insert(0, str(REPO / "tests" / "dbt"))
    from fixture_warehouse import build_fixture_warehouse
    from warehouse_fixture import build_warehouse

    with duckdb.connect() as conn:
        build_warehouse(conn, n_leads=60)
        assert [str(d) for d in drift(conn)] == []
    build_fixture_warehouse(tmp_path / "dbt.duckdb", n_people=120, min_outcomes=5)
    with duckdb.connect(str(tmp_path / "dbt.duckdb"), read_only=True) as conn:
        assert [str(d) for d in drift(conn)] == []
