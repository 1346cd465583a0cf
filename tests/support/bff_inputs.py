"""The gen-ai BFF's readers of the playground's other inputs, replayed in Python (stricter: a key the Go struct
lacks, which Go would ignore, is an error here, so nothing we write is silently dropped).

red-hat-data-services/odh-dashboard, packages/gen-ai/bff/internal/:
- rhoai-3.0 (and later) repositories/mcp_client.go GetMCPServersFromConfig: each data key of gen-ai-aa-mcp-servers
  json.Unmarshal'ed into models/aaa_mcp.go MCPServerConfig, Name set to the key; a value that does not parse is
  skipped with a warning (here: an error).
- rhoai-3.4 integrations/kubernetes/token_k8s_client.go GetExternalModelsConfig + validateExternalModelsConfig:
  key config.yaml of gen-ai-aa-custom-model-endpoints into models/external_models.go ExternalModelsConfig.
- rhoai-3.4 token_k8s_client.go getVectorStoresConfig, validateVectorStores, extractCredentialSecretRef: key
  config.yaml of gen-ai-aa-vector-stores into models/external_vectorstores.go ExternalVectorStoresDocument.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

# models/aaa_mcp.go MCPServerConfig json tags.
MCP_SERVER_CONFIG = {"name": str, "url": str, "transport": str, "description": str, "logo": str}

# models/external_models.go: the yaml tags of ExternalModelsConfig and the structs under it.
_SECRET_REF = {"name": str, "key": str}
_EXTERNAL_MODELS = {
    "providers": {
        "inference": [
            {
                "provider_id": str,
                "provider_type": str,
                "config": {
                    "base_url": str,
                    "allowed_models": [str],
                    "custom_gen_ai": {"api_key": {"secretRef": _SECRET_REF}},
                },
            }
        ]
    },
    "registered_resources": {
        "models": [
            {
                "provider_id": str,
                "model_id": str,
                "model_type": str,
                "metadata": {"display_name": str, "embedding_dimension": int, "custom_gen_ai": {"use_cases": str}},
            }
        ]
    },
}
# models/external_vectorstores.go: VectorIOProviderConfig keeps every other key inline (passed to Llama Stack).
INLINE = object()
_VECTOR_STORES = {
    "providers": {
        "vector_io": [
            {
                "provider_id": str,
                "provider_type": str,
                "config": {"custom_gen_ai": {"credentials": {"secretRefs": [_SECRET_REF]}}, INLINE: True},
            }
        ]
    },
    "registered_resources": {
        "vector_stores": [
            {
                "provider_id": str,
                "vector_store_id": str,
                "embedding_model": str,
                "embedding_dimension": int,
                "vector_store_name": str,
                "provider_vector_store_id": str,
                "metadata": {"description": str},
            }
        ]
    },
}


class BffReadError(Exception):
    pass


def _shape(value: Any, shape: Any, where: str) -> None:
    if isinstance(shape, dict):
        if not isinstance(value, Mapping):
            raise BffReadError(f"{where}: a mapping expected, got {value!r}")
        for key, item in value.items():
            if key in shape:
                _shape(item, shape[key], f"{where}.{key}")
            elif INLINE not in shape:
                raise BffReadError(f"{where}.{key}: no field of the Go struct")
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise BffReadError(f"{where}: a list expected")
        for index, item in enumerate(value):
            _shape(item, shape[0], f"{where}[{index}]")
    elif shape is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise BffReadError(f"{where}: an integer expected, got {value!r}")
    elif not isinstance(value, shape):
        raise BffReadError(f"{where}: {shape.__name__} expected, got {value!r}")


@dataclass(frozen=True)
class McpServerConfig:
    name: str
    url: str
    transport: str
    description: str
    logo: str


def read_mcp_servers(data: Mapping[str, str]) -> list[McpServerConfig]:
    servers = []
    for name, text in data.items():
        value = json.loads(text)
        _shape(value, MCP_SERVER_CONFIG, name)
        servers.append(
            McpServerConfig(
                name=name,  # config.Name = serverName
                url=value.get("url", ""),
                transport=value.get("transport") or "streamable-http",
                description=value.get("description", ""),
                logo=value.get("logo", ""),
            )
        )
    return servers


def read_external_models(data: Mapping[str, str]) -> dict[str, Any]:
    text = data.get("config.yaml")
    if not text:
        raise BffReadError("ConfigMap gen-ai-aa-custom-model-endpoints has no config.yaml data")
    config = yaml.safe_load(text)
    _shape(config, _EXTERNAL_MODELS, "config.yaml")
    providers = config["providers"]["inference"]
    for index, provider in enumerate(providers):  # validateExternalModelsConfig
        if not provider.get("provider_id"):
            raise BffReadError(f"provider at index {index} has empty provider_id")
        if provider.get("provider_type") not in ("remote::openai", "remote::passthrough"):
            raise BffReadError(f"provider {provider['provider_id']} has invalid provider_type")
        url = urlsplit(provider["config"].get("base_url", ""))
        if not url.scheme or not url.netloc:
            raise BffReadError(f"provider {provider['provider_id']} base_url is missing scheme or host")
    ids = {provider["provider_id"] for provider in providers}
    for index, model in enumerate(config["registered_resources"]["models"]):
        if not model.get("model_id") or model.get("provider_id") not in ids:
            raise BffReadError(f"model at index {index}: empty model_id or unknown provider_id")
        if model.get("model_type") not in ("llm", "embedding"):
            raise BffReadError(f"model {model['model_id']} has invalid model_type")
        dimension = model.get("metadata", {}).get("embedding_dimension")
        if dimension is not None and not 0 < dimension <= 100_000:
            raise BffReadError(f"model {model['model_id']} has invalid embedding_dimension")
    return dict(config)


def read_vector_stores(data: Mapping[str, str]) -> dict[str, Any]:
    text = data.get("config.yaml")
    if not text:
        raise BffReadError("config.yaml key not found in ConfigMap gen-ai-aa-vector-stores")
    document = yaml.safe_load(text)
    _shape(document, _VECTOR_STORES, "config.yaml")
    providers = {p["provider_id"]: p for p in document["providers"]["vector_io"]}
    for store in document["registered_resources"]["vector_stores"]:  # validateVectorStores
        if not store.get("embedding_model"):
            raise BffReadError(f"vector store {store['vector_store_id']} has empty embedding_model")
        if store.get("provider_id") not in providers:
            raise BffReadError(f"vector store {store['vector_store_id']} references an unknown provider_id")
    return dict(document)


def credential_secret_ref(provider: Mapping[str, Any]) -> dict[str, str] | None:
    """extractCredentialSecretRef: the first secretRefs entry with a name and a key."""
    refs = provider.get("config", {}).get("custom_gen_ai", {}).get("credentials", {}).get("secretRefs", [])
    return next(({"name": r["name"], "key": r["key"]} for r in refs if r.get("name") and r.get("key")), None)
