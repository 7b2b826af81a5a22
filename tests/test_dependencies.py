"""Declared dependencies match the imports: nothing used undeclared, nothing declared unused.

A package that arrives only as a dependency of a dependency can vanish with that package's next
release; one declared but never used is weight every install carries.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = ("orchestration", "ingest", "quality", "scoring")

# Runtime dependencies that no module imports by name, and why they are declared anyway.
USED_WITHOUT_IMPORT = {
    # The dbt CLI, run by dagster-dbt's DbtCliResource and by `leadwerk` through it.
    "dbt-core",
    # The dbt adapter, loaded by dbt from profiles.yml (`type: duckdb`).
    "dbt-duckdb",
    # The Dagster UI behind `make ui` / `dagster dev`.
    "dagster-webserver",
    # GX's pandas datasource: quality/gx_runner.py hands it frames through pyarrow's to_pandas.
    "pandas",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_canonical(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _top_level_imports() -> dict[str, str]:
    """Third-party top-level module -> the first file importing it (anywhere in a module body)."""
    found: dict[str, str] = {}
    for layer in FIRST_PARTY:
        for path in sorted((REPO_ROOT / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in FIRST_PARTY and top != "__future__":
                        found.setdefault(top, str(path.relative_to(REPO_ROOT)))
    return found


def _distributions(imports: dict[str, str]) -> dict[str, set[str]]:
    by_module = packages_distributions()
    return {module: {_canonical(d) for d in by_module.get(module, [])} for module in imports}


def test_every_third_party_import_is_a_declared_dependency():
    imports = _top_level_imports()
    declared = _declared()
    undeclared = {
        f"{module} ({imports[module]})": sorted(dists) or "not installed"
        for module, dists in _distributions(imports).items()
        if not dists & declared
    }
    assert undeclared == {}


def test_every_declared_dependency_is_imported_or_listed_as_used_without_import():
    imported = set().union(*_distributions(_top_level_imports()).values())
    unused = _declared() - imported - USED_WITHOUT_IMPORT
    assert unused == set()


def test_the_allow_list_names_only_declared_dependencies_that_nothing_imports():
    imported = set().union(*_distributions(_top_level_imports()).values())
    assert USED_WITHOUT_IMPORT <= _declared()
    assert USED_WITHOUT_IMPORT & imported == set()
