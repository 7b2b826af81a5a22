"""The dbt marts as Dagster assets; dbt tests become asset checks (severity error = blocking)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.policies import TRANSIENT_RETRY


class LeadwerkDbtTranslator(DagsterDbtTranslator):
    """Keys mirror the warehouse (`marts/mart_funnel`), and every dbt node sits in `marts`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "marts"


translator = LeadwerkDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    retry_policy=TRANSIENT_RETRY,
)
def leadwerk_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    invocation = dbt.cli(["build"], context=context, raise_on_error=False)
    yield from invocation.stream()
    if not invocation.is_successful():
        raise _build_failure(invocation)


def _build_failure(invocation) -> Exception:
    """A failed model or data test is a finding, not a glitch: it fails the step without retries.

    Anything else (dbt not starting, a locked warehouse file) keeps the transient retry policy.
    """
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:
        results = []
    failed = sorted(r["unique_id"] for r in results if r.get("status") in ("error", "fail"))
    if not failed:
        return invocation.get_error() or RuntimeError("dbt build failed")
    return dg.Failure(
        description=f"dbt build failed on {len(failed)} node(s): {', '.join(failed[:10])}",
        metadata={"failed_nodes": failed},
        allow_retries=False,
    )
