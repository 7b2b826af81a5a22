"""dbt models read downward only: staging, then intermediate, then marts (privacy sits beside them).

A model that reads a later layer hides a cycle of meaning (an intermediate result that depends
on a published mart) and puts it in the wrong Dagster group. Snapshots carry the layer of what
they snapshot, so a model reading a snapshot of a mart counts as reading the mart.
"""

from __future__ import annotations

import json

LAYER_RANK = {"staging": 0, "intermediate": 1, "marts": 2, "privacy": 2}


def _rank(manifest: dict, unique_id: str) -> int:
    node = manifest["nodes"].get(unique_id)
    if node is None or node["resource_type"] == "seed":
        return -1  # sources and seeds: below every layer
    if node["resource_type"] == "snapshot":
        return max((_rank(manifest, parent) for parent in node["depends_on"]["nodes"]), default=-1)
    return LAYER_RANK[node["fqn"][1]]


def upward_reads(manifest: dict) -> list[str]:
    """Each model that reads (directly or through a snapshot) a model of a later layer."""
    found = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model":
            continue
        for parent in node["depends_on"]["nodes"]:
            if _rank(manifest, parent) > _rank(manifest, unique_id):
                found.append(f"{node['fqn'][1]} model {node['name']} reads {parent}")
    return found


def test_every_model_lies_in_a_known_layer(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text())
    layers = {n["fqn"][1] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert layers == set(LAYER_RANK)


def test_no_model_reads_a_later_layer(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text())
    assert upward_reads(manifest) == []


def test_an_intermediate_model_reading_a_mart_is_caught():
    def model(layer, name, *parents):
        return {"resource_type": "model", "fqn": ["leadwerk", layer, name], "name": name,
                "depends_on": {"nodes": list(parents)}}

    manifest = {"nodes": {
        "model.leadwerk.mart_scores": model("marts", "mart_scores"),
        "snapshot.leadwerk.snap_scores": {"resource_type": "snapshot",
                                          "depends_on": {"nodes": ["model.leadwerk.mart_scores"]}},
        "model.leadwerk.int_states": model("intermediate", "int_states", "model.leadwerk.mart_scores"),
        "model.leadwerk.int_entries": model("intermediate", "int_entries", "snapshot.leadwerk.snap_scores"),
    }}
    assert upward_reads(manifest) == [
        "intermediate model int_entries reads snapshot.leadwerk.snap_scores",
        "intermediate model int_states reads model.leadwerk.mart_scores",
    ]
