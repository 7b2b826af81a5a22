"""Talking to the Dagster webserver's GraphQL endpoint from tests."""

import json
import urllib.request


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


LOCATION_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries {
    locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def location_load_error(url: str) -> str | None:
    """The code location's load error, if the webserver reports one."""
    workspace = graphql(url, LOCATION_QUERY)["data"]["workspaceOrError"]
    for entry in workspace.get("locationEntries", []):
        loaded = entry.get("locationOrLoadError") or {}
        if loaded.get("__typename") == "PythonError":
            return loaded["message"]
    return None
