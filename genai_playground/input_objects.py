"""The objects of the dashboard's other inputs (genai_playground.inputs), as plain manifests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from genai_contract.dashboard_inputs import (
    CONFIG_YAML_KEY,
    CUSTOM_ENDPOINTS_CONFIG_MAP,
    MCP_SERVERS_CONFIG_MAP,
    VECTOR_STORES_CONFIG_MAP,
)
from genai_contract.names import RELEASE_ANNOTATION
from genai_contract.releases.profile import ReleaseProfile

from genai_playground.inputs import (
    ExternalEndpoint,
    McpServer,
    VectorStoresConfig,
    custom_endpoints_document,
    mcp_server_entry,
    vector_stores_document,
)


def mcp_servers_patch(servers: Sequence[McpServer], namespace: str) -> dict[str, Any]:
    """Our keys of the cluster-wide gen-ai-aa-mcp-servers ConfigMap, server-side applied: other keys (other
    projects' servers) stay untouched and ours are given back on destroy. No labels or annotations: two stacks
    with different values for one would take the field from each other."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": MCP_SERVERS_CONFIG_MAP, "namespace": namespace},
        "data": {server.name: mcp_server_entry(server) for server in sorted(servers, key=lambda s: s.name)},
    }


def config_yaml_map(name: str, namespace: str, document: Mapping[str, Any], profile: ReleaseProfile) -> dict[str, Any]:
    """A project ConfigMap the dashboard reads under key config.yaml; the stack owns the whole object (the BFF
    rewrites the whole key when a user adds an entry in the UI: the next `pulumi up` puts the stack's back)."""
    text = yaml.safe_dump(dict(document), sort_keys=False, default_flow_style=False, width=1 << 16)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "annotations": {RELEASE_ANNOTATION: profile.release}},
        "data": {CONFIG_YAML_KEY: text},
    }


def custom_endpoints_config_map(
    endpoints: Sequence[ExternalEndpoint], namespace: str, profile: ReleaseProfile
) -> dict[str, Any]:
    return config_yaml_map(CUSTOM_ENDPOINTS_CONFIG_MAP, namespace, custom_endpoints_document(endpoints), profile)


def vector_stores_config_map(config: VectorStoresConfig, namespace: str, profile: ReleaseProfile) -> dict[str, Any]:
    return config_yaml_map(VECTOR_STORES_CONFIG_MAP, namespace, vector_stores_document(config), profile)
