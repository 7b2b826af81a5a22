"""Layers import downward only: ingest/, quality/ and scoring/ know nothing of the orchestration.

Dagster wiring lives in orchestration/, which imports the lower layers; an import the other way
(even one hidden inside a function to dodge an import cycle) fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LOWER_LAYERS = ("ingest", "quality", "scoring")
FORBIDDEN = ("orchestration", "dagster", "dagster_dbt", "dagster_duckdb", "dagster_webserver")


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
              and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def _forbidden_imports(root: Path) -> list[str]:
    offences = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, module in _imported_modules(tree):
            if module.split(".")[0] in FORBIDDEN:
                offences.append(f"{path.relative_to(root.parent)}:{lineno} imports {module}")
    return offences


@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_lower_layers_never_import_the_orchestration_or_dagster(layer):
    assert _forbidden_imports(REPO_ROOT / layer) == []


def test_the_scan_finds_a_function_level_import(tmp_path):
    """The check itself can fail: an import hidden in a function body is found."""
    module = tmp_path / "ingest" / "sneaky.py"
    module.parent.mkdir()
    module.write_text(
        "def data_dir():\n"
        "    from orchestration.paths import data_dir\n"
        "    import importlib\n"
        "    importlib.import_module('dagster')\n"
        "    return data_dir()\n",
        encoding="utf-8",
    )
    found = [offence.split(" imports ")[1] for offence in _forbidden_imports(tmp_path)]
    assert found == ["orchestration.paths", "dagster"]
