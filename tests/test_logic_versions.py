"""Cache keys follow explicit logic versions and rule data, never the source files.

Normalization, the match memory and the golden-lead refresh each remember their results under
a fingerprint. A docstring edit must not force a full rebuild, while a bumped logic version or
an edited rule file must.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

from ingest.normalize.rulebook import RULES_DIR
from ingest.normalize.versions import NORMALIZE_LOGIC_VERSION, rules_fingerprint

REPO_ROOT = Path(__file__).resolve().parents[1]
FINGERPRINTS = """
import json
import polars as pl
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.engine import memory_fingerprint
from ingest.dedupe.golden_refresh import survivorship_fingerprint
from ingest.dedupe.survivorship import SurvivorshipConfig
from ingest.normalize.versions import rules_fingerprint
print(json.dumps({
    "normalize": rules_fingerprint(pl.DataFrame({"contract": ["a"], "hint": ["x"]})),
    "matching": memory_fingerprint(DedupeConfig.load()),
    "survivorship": survivorship_fingerprint(SurvivorshipConfig.load()),
}))
"""
CODE_FILES = ("ingest/normalize/core.py", "ingest/normalize/text.py", "ingest/dedupe/engine.py",
              "ingest/dedupe/compare.py", "ingest/dedupe/survivorship.py", "ingest/dedupe/golden_refresh.py")
FORMATS = pl.DataFrame({"contract": ["b", "a"], "hint": ["y", "x"]})


def _fingerprints(root: Path) -> dict[str, str]:
    result = subprocess.run([sys.executable, "-c", FINGERPRINTS], cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_a_docstring_edit_in_the_code_keeps_every_fingerprint(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "ingest", copy / "ingest", ignore=shutil.ignore_patterns("__pycache__"))
    before = _fingerprints(copy)
    for name in CODE_FILES:
        path = copy / name
        text = path.read_text(encoding="utf-8")
        assert text.startswith('"""')
        path.write_text("# An edited comment.\n" + text.replace('"""', '"""An edited docstring. ', 1),
                        encoding="utf-8")
    assert _fingerprints(copy) == before


def test_an_edited_rule_file_changes_the_normalization_fingerprint(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    before = rules_fingerprint(FORMATS, rules_dir=rules)
    assert rules_fingerprint(FORMATS, rules_dir=rules) == before
    with (rules / "role_mailboxes.csv").open("a", encoding="utf-8") as handle:
        handle.write("zentrale2\n")
    assert rules_fingerprint(FORMATS, rules_dir=rules) != before


def test_a_bumped_logic_version_changes_the_normalization_fingerprint():
    current = rules_fingerprint(FORMATS)
    assert rules_fingerprint(FORMATS, logic_version=NORMALIZE_LOGIC_VERSION) == current
    assert rules_fingerprint(FORMATS, logic_version=NORMALIZE_LOGIC_VERSION + 1) != current
