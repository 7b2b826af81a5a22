"""The dbt marts as Dagster assets; dbt tests become asset checks (severity error = blocking)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.policies import TRANSIENT_RETRY

# The Dagster group of each dbt model is its layer, the folder under dbt_project/models/.
MODEL_LAYERS = ("staging", "intermediate", "marts", "privacy")
# Seeds (the rules marketing ops edit) and snapshots (history) are groups named like their schemas.
RESOURCE_GROUPS = {"seed": "rules", "snapshot": "snapshots"}


class LeadwerkDbtTranslator(DagsterDbtTranslator):
    """Keys mirror the warehouse (`marts/mart_funnel`); groups follow the dbt layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            # Sources are the warehouse's own tables: their Python assets own key and group.
            return spec
        return spec.replace_attributes(group_name=dbt_group(props))


def dbt_group(props: Mapping[str, Any]) -> str:
    """The layer of a model (from its folder: models/<layer>/...), or the kind of a seed or snapshot."""
    if props["resource_type"] == "model":
        layer = props["fqn"][1]
        if layer not in MODEL_LAYERS:
            raise ValueError(
                f"dbt model {props['original_file_path']} lies outside the layers {', '.join(MODEL_LAYERS)}: "
                "move it into one of dbt_project/models/<layer>/"
            )
        return layer
    if props["resource_type"] not in RESOURCE_GROUPS:
        raise ValueError(f"dbt {props['resource_type']} {props['unique_id']} has no Dagster group: add one to RESOURCE_GROUPS")
    return RESOURCE_GROUPS[props["resource_type"]]


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
