"""What the dashboard's playground reads besides the server: MCP servers, external endpoints, vector stores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from genai_contract.dashboard_inputs import INPUTS_TYPE
from genai_contract.releases.profile import ReleaseProfile
from pulumi_kubernetes.core.v1 import ConfigMap, ConfigMapPatch

from genai_playground.input_objects import custom_endpoints_config_map, mcp_servers_patch, vector_stores_config_map
from genai_playground.inputs import ExternalEndpoint, McpServer, VectorStoresConfig, referenced_secrets


@dataclass(frozen=True)
class PlaygroundInputsArgs:
    namespace: str  # the project
    dashboard_namespace: str  # where gen-ai-aa-mcp-servers lives
    profile: ReleaseProfile
    mcp_servers: Sequence[McpServer] = ()
    external_endpoints: Sequence[ExternalEndpoint] = ()
    vector_stores: VectorStoresConfig | None = None
    # What every object waits for: the cluster's release check (components.cluster_release).
    after: Sequence[pulumi.Input[pulumi.Resource]] = ()


class PlaygroundInputs(pulumi.ComponentResource):
    """Our keys of the cluster-wide MCP servers ConfigMap (a server-side apply patch: the provider's
    enablePatchForce takes the keys over, destroy gives back only them), and the project's ConfigMaps of external
    endpoints and vector stores, which the stack owns. Secrets are referenced, never created or read."""

    def __init__(self, name: str, args: PlaygroundInputsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "release": args.profile.release,
            "namespace": args.namespace,
            "dashboardNamespace": args.dashboard_namespace,
            "mcpServers": sorted(server.name for server in args.mcp_servers),
            "externalEndpoints": [endpoint.model_id for endpoint in args.external_endpoints],
            "vectorStores": [s.vector_store_id for s in args.vector_stores.stores] if args.vector_stores else [],
            # Declared pre-existing: the stack file names them and nothing in it creates them.
            "preExistingSecrets": referenced_secrets(args.external_endpoints, args.vector_stores),
        }
        super().__init__(INPUTS_TYPE, name, props, opts)
        child = pulumi.ResourceOptions(parent=self, depends_on=list(args.after) or None)
        if args.mcp_servers:
            patch = mcp_servers_patch(args.mcp_servers, args.dashboard_namespace)
            ConfigMapPatch(f"{name}-mcp-servers", metadata=patch["metadata"], data=patch["data"], opts=child)
        if args.external_endpoints:
            endpoints = custom_endpoints_config_map(args.external_endpoints, args.namespace, args.profile)
            ConfigMap(f"{name}-custom-endpoints", metadata=endpoints["metadata"], data=endpoints["data"], opts=child)
        if args.vector_stores is not None:
            stores = vector_stores_config_map(args.vector_stores, args.namespace, args.profile)
            ConfigMap(f"{name}-vector-stores", metadata=stores["metadata"], data=stores["data"], opts=child)
        self.register_outputs(props)
