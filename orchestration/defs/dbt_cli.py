"""The dbt CLI resource the marts run through, without start-up work they do not use."""

from functools import cached_property
from importlib.metadata import version

from dagster_dbt import DbtCliResource
from packaging.version import Version


class LeadwerkDbtCliResource(DbtCliResource):
    """dagster-dbt's DbtCliResource, minus two things it does before every dbt command.

    It asks the `dbt` executable for its version: `dbt --version` starts dbt and looks up the
    latest dbt-core and dbt-duckdb releases on PyPI, ~3.5 s and two network calls per nightly
    run. dbt-core is installed beside Dagster (the orchestration puts this interpreter's `dbt`
    first on PATH), so the installed package's version is the same answer.

    It also opens a dbt adapter inside the Dagster process (~2.8 s of imports). Only the
    row-count and column-metadata helpers query through it, and the marts use neither.

    Both methods are dagster-dbt 0.29 internals (pinned in pyproject.toml): on an upgrade,
    tests/orchestration/test_definitions.py tells whether the version is still taken this way.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None
