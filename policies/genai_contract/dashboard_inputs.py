"""The objects besides the server that the dashboard's playground reads, and the rules both sides apply to them.

The program builds them (genai_playground.inputs); the pack reads them back. Names and shapes mirror the gen-ai
BFF of red-hat-data-services/odh-dashboard (packages/gen-ai/bff/internal/), cited per item below. Stdlib only.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from genai_contract import names

# MCP servers (every 3.x release): rhoai-3.0 constants/mcp.go MCPServerName; read in the dashboard's namespace
# (api/aaa_mcps_handler.go: app.dashboardNamespace), each data key a server, its value JSON (models/aaa_mcp.go
# MCPServerConfig; repositories/mcp_client.go GetMCPServersFromConfig: json.Unmarshal per key, Name = the key).
MCP_SERVERS_CONFIG_MAP: Final = "gen-ai-aa-mcp-servers"
DASHBOARD_NAMESPACE: Final = "redhat-ods-applications"
# constants/mcp.go TransportTypeSSE, TransportTypeStreamableHTTP; MCPServerConfig.Transport defaults to the latter.
MCP_TRANSPORTS: Final = ("sse", "streamable-http")
MCP_DEFAULT_TRANSPORT: Final = "streamable-http"
# The browser hands the user's MCP token to the BFF in this header (constants/mcp.go MCPBearerHeader;
# integrations/mcp/factory.go extractMCPToken); the chat passes it on as `Authorization: Bearer` in the mcp tool's
# headers (frontend/src/app/utilities/utils.ts generateMCPServerConfig).
MCP_BEARER_HEADER: Final = "X-MCP-Bearer"

# External model endpoints (3.4 on): rhoai-3.4 constants/external_models.go ExternalModelsConfigMapName, in the
# project; key config.yaml (integrations/kubernetes/token_k8s_client.go GetExternalModelsConfig), shape
# models/external_models.go ExternalModelsConfig.
CUSTOM_ENDPOINTS_CONFIG_MAP: Final = "gen-ai-aa-custom-model-endpoints"
# External vector stores (3.4 on): rhoai-3.4 constants/vectorstores.go VectorStoresConfigMapName,
# VectorStoresYAMLKey; shape models/external_vectorstores.go ExternalVectorStoresDocument.
VECTOR_STORES_CONFIG_MAP: Final = "gen-ai-aa-vector-stores"
CONFIG_YAML_KEY: Final = "config.yaml"
# The ConfigMap a stack key declares, where a dashboard flag shows it (genai_contract.releases: input_flags).
INPUT_CONFIG_MAPS: Final = {"externalEndpoints": CUSTOM_ENDPOINTS_CONFIG_MAP, "vectorStores": VECTOR_STORES_CONFIG_MAP}

# Our component: what it declares (its outputs are all the pack sees of it).
INPUTS_TYPE: Final = f"{names.TYPE_PREFIX}:PlaygroundInputs"

# Keys of a provider config that hold a credential (the BFF takes these from Secrets: custom_gen_ai.credentials).
CREDENTIAL_WORDS: Final = frozenset({"password", "passwd", "token", "secret", "apikey", "credential", "credentials"})


def is_credential_key(key: str) -> bool:
    """`password`, `api_key`, `apiKey`, `token`, `client_secret`...: a key whose value is a credential."""
    words = [w.lower() for w in re.split(r"[_\-.]|(?<=[a-z])(?=[A-Z])", key) if w]
    joined = "".join(words)
    return bool(CREDENTIAL_WORDS.intersection(words)) or "apikey" in joined


# ------------------------------------------------------------------------------------------- MCP URLs


@dataclass(frozen=True)
class UrlProblem:
    rule: str  # short id: scheme, host, userinfo, loopback, short-name, cluster-name, transport-path
    message: str


def mcp_url_problems(url: str, transport: str) -> Iterator[UrlProblem]:
    """Why an MCP server URL in gen-ai-aa-mcp-servers would not be reached.

    Two pods call it: the BFF in the dashboard's namespace (lists the tools, integrations/mcp) and the Llama
    Stack server in the project (calls them during a chat). Both must resolve the host to the same server.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  # a bad port raises here
    except ValueError as error:
        yield UrlProblem("host", f"is no URL ({error})")
        return
    if parts.scheme not in ("http", "https"):
        yield UrlProblem(
            "scheme",
            f"scheme {parts.scheme or '(none)'}: the {transport} transport speaks HTTP, so the URL starts with "
            "http:// or https://",
        )
        return
    if parts.username is not None or parts.password is not None:
        yield UrlProblem(
            "userinfo",
            "carries a user or password: the ConfigMap is readable by every user of the dashboard; the user's "
            f"token travels in {MCP_BEARER_HEADER} instead",
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        yield UrlProblem("host", "has no host")
        return
    if host == "localhost" or _is_loopback(host):
        yield UrlProblem(
            "loopback",
            f"{host} is the calling pod itself (the dashboard's backend, then the Llama Stack server), never the "
            "MCP server: use its Service name, <service>.<namespace>.svc.cluster.local",
        )
    elif "." not in host:
        yield UrlProblem(
            "short-name",
            f"{host} is a bare Service name: the dashboard's backend resolves it in its own namespace and the "
            "Llama Stack server in the project, so they reach different Services (or none): use "
            f"{host}.<namespace>.svc.cluster.local",
        )
    elif (cluster := _cluster_suffix(host)) is not None and len(host.split(".")) != cluster + 2:
        yield UrlProblem(
            "cluster-name",
            f"{host} does not resolve: a Service's cluster name is <service>.<namespace>.svc.cluster.local "
            "(or <service>.<namespace>.svc)",
        )
    last = [part for part in parts.path.split("/") if part][-1:] or [""]
    expected = "sse" if transport == "sse" else "mcp"
    if last[0] in ("sse", "mcp") and last[0] != expected:
        yield UrlProblem(
            "transport-path",
            f"ends in /{last[0]}, the endpoint of the other transport, but transport is {transport} (MCP SDK servers "
            "serve SSE at /sse and streamable HTTP at /mcp)",
        )


def _cluster_suffix(host: str) -> int | None:
    """How many labels the cluster suffix has (svc: 1, svc.cluster.local: 3), None for another name."""
    labels = host.split(".")
    for suffix in (["svc", *names.CLUSTER_DOMAIN.split(".")], ["svc"]):
        if labels[-len(suffix) :] == suffix:
            return len(suffix)
    return None


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
