"""Reading the playground's other inputs back from a stack: the MCP servers ConfigMap (or our patch of it), the
external endpoints and vector stores ConfigMaps, the Secrets they name (genai_contract.dashboard_inputs)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from genai_contract.dashboard_inputs import (
    CONFIG_YAML_KEY,
    CUSTOM_ENDPOINTS_CONFIG_MAP,
    MCP_SERVERS_CONFIG_MAP,
    VECTOR_STORES_CONFIG_MAP,
)
from genai_contract.names import CONFIG_MAP, CONFIG_MAP_PATCH

from genai_policies._common import as_list, as_map, get, object_key, parse_run_yaml

CONFIG_MAP_TYPES = (CONFIG_MAP, CONFIG_MAP_PATCH)
# The config.yaml ConfigMaps the 3.4 dashboard reads in a project.
CONFIG_YAML_MAPS = (CUSTOM_ENDPOINTS_CONFIG_MAP, VECTOR_STORES_CONFIG_MAP)


def is_input(resource_type: str, props: Mapping[str, Any], names: tuple[str, ...]) -> bool:
    return resource_type in CONFIG_MAP_TYPES and get(props, "metadata", "name") in names


@dataclass(frozen=True)
class McpEntry:
    key: str
    value: Mapping[str, Any] | None  # None: not a JSON object
    error: str | None


def mcp_entries(props: Mapping[str, Any]) -> Iterator[McpEntry]:
    """Each server of gen-ai-aa-mcp-servers, parsed as the BFF parses it (json.Unmarshal per key)."""
    for key, text in as_map(get(props, "data")).items():
        try:
            value = json.loads(text) if isinstance(text, str) else None
        except ValueError as error:
            yield McpEntry(str(key), None, f"is no JSON ({error})")
            continue
        if not isinstance(value, Mapping):
            yield McpEntry(str(key), None, "is no JSON object")
        else:
            yield McpEntry(str(key), value, None)


@dataclass(frozen=True)
class SecretUse:
    name: str
    key: str
    where: str  # which entry names it


def config_yaml(props: Mapping[str, Any]) -> tuple[Any, str | None]:
    text = get(props, "data", CONFIG_YAML_KEY)
    if not isinstance(text, str):
        return None, f"has no {CONFIG_YAML_KEY} key"
    parsed = parse_run_yaml(text)
    return parsed.document, parsed.error


def secret_uses(config_map_name: str, document: Any) -> Iterator[SecretUse]:
    """The Secrets a config.yaml names: an endpoint's custom_gen_ai.api_key.secretRef (name "" is none: the
    endpoint takes no key), a vector store provider's custom_gen_ai.credentials.secretRefs."""
    if config_map_name == CUSTOM_ENDPOINTS_CONFIG_MAP:
        for provider in as_list(get(document, "providers", "inference")):
            ref = get(provider, "config", "custom_gen_ai", "api_key", "secretRef")
            if get(ref, "name"):
                yield SecretUse(
                    str(get(ref, "name")), str(get(ref, "key") or ""), f"provider {get(provider, 'provider_id')}"
                )
    elif config_map_name == VECTOR_STORES_CONFIG_MAP:
        for provider in as_list(get(document, "providers", "vector_io")):
            for ref in as_list(get(provider, "config", "custom_gen_ai", "credentials", "secretRefs")):
                if get(ref, "name"):
                    where = f"vector_io provider {get(provider, 'provider_id')}"
                    yield SecretUse(str(get(ref, "name")), str(get(ref, "key") or ""), where)


def title(props: Mapping[str, Any]) -> str:
    namespace, name = object_key(props)
    return f"ConfigMap {namespace}/{name}" if namespace else f"ConfigMap {name}"


MCP_NAMES = (MCP_SERVERS_CONFIG_MAP,)
