"""Loads the quality thresholds and severities from checks.yaml (config, not code)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG_PATH = Path(__file__).with_name("checks.yaml")
SEVERITIES = ("error", "warn")


@cache
def load_checks_config(path: Path = DEFAULT_CONFIG_PATH) -> dict[str, Any]:
    """The parsed checks.yaml; every expectation must declare a known severity."""
    config = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for suite_name, suite in config["suites"].items():
        for rule, settings in suite["expectations"].items():
            if settings.get("severity") not in SEVERITIES:
                raise ValueError(
                    f"checks.yaml: {suite_name}.{rule} needs severity error or warn, "
                    f"got {settings.get('severity')!r}"
                )
    return config


def suite_config(suite: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
    config = config if config is not None else load_checks_config()
    try:
        return config["suites"][suite]
    except KeyError:
        raise KeyError(f"checks.yaml has no suite {suite!r}") from None


def rule_settings(suite_cfg: dict[str, Any], rule: str) -> dict[str, Any]:
    try:
        return suite_cfg["expectations"][rule]
    except KeyError:
        raise KeyError(f"checks.yaml: rule {rule!r} is not configured") from None
