"""Leadwerk uses only the public APIs of Dagster, dagster-dbt, dbt and Great Expectations.

A patched internal (a private method overridden, a module constant reassigned) keeps working
until an upgrade renames it, and then stops silently: the run gets slower or behaves
differently, and nothing fails. So no code or test of ours reads or writes a private name of
these libraries, imports from their private modules, or reassigns anything of theirs.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ("dagster", "dagster_dbt", "dagster_duckdb", "dbt", "great_expectations")
CODE_DIRS = ("ingest", "orchestration", "quality", "scoring", "benchmarks", "tests")
# Private-looking names of the standard library or of our own other dependencies, used on their
# documented terms (namedtuple's API is underscore-prefixed by design).
STANDARD_PRIVATE_NAMES = {"_asdict", "_replace", "_fields", "_make", "_SubParsersAction"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _is_library(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in LIBRARIES


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _python_files() -> list[Path]:
    return sorted(path for folder in CODE_DIRS for path in (REPO_ROOT / folder).rglob("*.py"))


def _names_defined_by_us(trees: dict[Path, ast.Module]) -> set[str]:
    """Every private name our own code defines: functions, classes, attributes it assigns."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.keyword) and node.arg:
                names.add(node.arg)
    return {name for name in names if _is_private(name)}


def _library_bindings(tree: ast.Module) -> dict[str, str]:
    """Local name -> the library object it refers to, from the file's imports."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_library(alias.name) and alias.asname:
                    bound[alias.asname] = alias.name
                elif _is_library(alias.name):
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_library(node.module):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _resolve(bound: dict[str, str], node: ast.AST):
    """The library object an expression such as `dg.ConfigurableResource` names."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.insert(0, node.attr)
        node = node.value
    module, _, name = bound[node.id].rpartition(".")
    try:
        value = getattr(importlib.import_module(module), name) if module else importlib.import_module(name)
    except (ImportError, AttributeError):
        value = importlib.import_module(bound[node.id])
    for attr in attrs:
        value = getattr(value, attr)
    return value


def _findings_in(path: Path, tree: ast.Module, ours: set[str]) -> list[Finding]:
    relative = str(path.relative_to(REPO_ROOT))
    bound = _library_bindings(tree)
    findings: list[Finding] = []

    def found(node: ast.AST, what: str) -> None:
        findings.append(Finding(relative, node.lineno, what))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _is_library(node.module):
            if any(_is_private(part) for part in node.module.split(".")):
                found(node, f"imports from the private module {node.module}")
            for alias in node.names:
                if _is_private(alias.name):
                    found(node, f"imports the private name {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_library(alias.name) and any(_is_private(p) for p in alias.name.split(".")):
                    found(node, f"imports the private module {alias.name}")
        elif isinstance(node, ast.Attribute):
            root = _root_name(node)
            if root in bound and _is_private(node.attr):
                found(node, f"reads the private attribute {node.attr} of {bound[root]}")
            elif _is_private(node.attr) and node.attr not in ours and node.attr not in STANDARD_PRIVATE_NAMES:
                found(node, f"uses {node.attr}, a private name our code does not define")
            if isinstance(node.ctx, (ast.Store, ast.Del)) and root in bound:
                found(node, f"reassigns {node.attr} of {bound[root]}")
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if function in ("setattr", "delattr") and node.args and _root_name(node.args[0]) in bound:
                found(node, f"{function} on {bound[_root_name(node.args[0])]}")
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                root = _root_name(base)
                if root not in bound or not isinstance(base, (ast.Name, ast.Attribute)):
                    continue
                library_class = _resolve(bound, base)
                for member in node.body:
                    name = getattr(member, "name", None) or next(
                        (t.id for t in getattr(member, "targets", []) if isinstance(t, ast.Name)), None
                    )
                    if name and _is_private(name) and hasattr(library_class, name):
                        found(member, f"{node.name} overrides the private {name} of {bound[root]}")
    return findings


def private_library_uses() -> list[Finding]:
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in _python_files()}
    ours = _names_defined_by_us(trees)
    return [finding for path, tree in trees.items() for finding in _findings_in(path, tree, ours)]


def test_no_code_touches_a_private_name_of_dagster_dbt_or_great_expectations():
    findings = private_library_uses()
    assert not findings, "private library internals used (use a public API instead):\n" + "\n".join(
        map(str, findings)
    )


def test_the_check_catches_the_patches_it_forbids(tmp_path):
    """The patterns this file exists to keep out are found, so the check above can fail."""
    sample = ast.parse(
        "from dagster_dbt import DbtCliResource\n"
        "from great_expectations.execution_engine import pandas_execution_engine\n"
        "from dagster._core.definitions import AssetKey\n"
        "class Fast(DbtCliResource):\n"
        "    def _initialize_dbt_core_adapter(self, args):\n"
        "        return None\n"
        "pandas_execution_engine.HASH_THRESHOLD = 0\n"
        "resource = DbtCliResource(project_dir='.')\n"
        "print(resource._cli_version)\n"
    )
    findings = [f.what for f in _findings_in(REPO_ROOT / "sample.py", sample, ours=set())]
    assert set(findings) == {
        "imports from the private module dagster._core.definitions",
        "Fast overrides the private _initialize_dbt_core_adapter of dagster_dbt.DbtCliResource",
        "reassigns HASH_THRESHOLD of great_expectations.execution_engine.pandas_execution_engine",
        "uses _cli_version, a private name our code does not define",
    }
