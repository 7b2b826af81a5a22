"""The asset graph is reviewed like code: every asset, group, check and dependency is written down.

`asset_graph.txt` beside this file lists the graph of `orchestration/definitions.py`. A change to
the graph (an asset renamed, moved to another group, a dependency or check added or lost) fails
this test with a diff; when the change is intended, regenerate the file and commit it with the
change, so the reviewer sees the structural effect:

    LEADWERK_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/orchestration/test_asset_graph_snapshot.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).with_name("asset_graph.txt")
UPDATE_VARIABLE = "LEADWERK_UPDATE_SNAPSHOT"


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    from orchestration.pipeline import load_definitions

    return load_definitions()


def describe(defs: dg.Definitions) -> str:
    """One block per asset, sorted: key and group, then its upstream assets and its checks."""
    graph = defs.resolve_asset_graph()
    checks: dict[dg.AssetKey, list[str]] = {}
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        checks.setdefault(check_key.asset_key, []).append(
            f"{check_key.name}{' (blocking)' if spec.blocking else ''}"
        )
    lines = [
        "# The asset graph of orchestration/definitions.py, written by",
        "# tests/orchestration/test_asset_graph_snapshot.py (see there to regenerate).",
    ]
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        kind = "asset" if node.is_materializable else "external"
        lines.append(f"{kind} {key.to_user_string()}  group={node.group_name}")
        for parent in sorted(p.to_user_string() for p in node.parent_keys):
            lines.append(f"  <- {parent}")
        for check in sorted(checks.get(key, [])):
            lines.append(f"  check {check}")
    return "\n".join(lines) + "\n"


def test_the_asset_graph_matches_the_reviewed_snapshot(defs):
    current = describe(defs)
    if os.environ.get(UPDATE_VARIABLE):
        SNAPSHOT.write_text(current, encoding="utf-8")
    recorded = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    diff = "".join(
        difflib.unified_diff(
            recorded.splitlines(keepends=True), current.splitlines(keepends=True),
            fromfile=f"{SNAPSHOT.name} (reviewed)", tofile="asset graph (now)",
        )
    )
    assert not diff, (
        f"the asset graph changed; if intended, run\n    {UPDATE_VARIABLE}=1 .venv/bin/python -m pytest "
        f"tests/orchestration/test_asset_graph_snapshot.py\nand commit {SNAPSHOT.name}:\n{diff}"
    )


def test_the_snapshot_names_every_group_and_blocking_check(defs):
    """The snapshot is a full description, not an empty file that trivially matches."""
    text = describe(defs)
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert f" {key.to_user_string()}  group={graph.get(key).group_name}\n" in text
    assert text.count("  check ") == len(list(graph.asset_check_keys))
    assert "check gx_identity (blocking)" in text
