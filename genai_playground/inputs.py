"""What the dashboard's playground reads besides the server: MCP servers, external model endpoints, external vector
stores. Config models and the builders of their objects, without Pulumi.

Each object is written exactly as the gen-ai BFF of that release parses it (red-hat-data-services/odh-dashboard,
packages/gen-ai/bff/internal/; the Go struct is named beside each builder). Names: genai_contract.dashboard_inputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from genai_contract.dashboard_inputs import MCP_DEFAULT_TRANSPORT, MCP_SERVERS_CONFIG_MAP, is_credential_key
from pydantic import AfterValidator, Field, field_validator, model_validator

from genai_playground.model_base import (
    DNS_LABEL,
    DNS_SUBDOMAIN,
    NUMBER_INPUT,
    TEXT_INPUT,
    CamelModel,
    Shape,
    repeated,
)

MAX_URL = 2048
MAX_TEXT = 256
MAX_DESCRIPTION = 4096
MAX_ITEMS = 64
# rhoai-3.4 integrations/kubernetes/token_k8s_client.go validateExternalModelsConfig: embedding_dimension 1..100000.
MAX_EMBEDDING_DIMENSION = 100_000
# A ConfigMap data key (Kubernetes IsConfigMapKey).
CONFIG_MAP_KEY = r"^[-._a-zA-Z0-9]+$"
# The vector_io providers the 3.4 server image ships (opendatahub-io/llama-stack-distribution@rhoai-v3.4,
# distribution/config.yaml: remote::milvus, remote::pgvector, remote::qdrant).
VectorIoType = Literal["remote::milvus", "remote::pgvector", "remote::qdrant"]
# The keys under a provider's config that only the BFF reads (models/external_vectorstores.go CustomGenAIConfig).
CUSTOM_GEN_AI = "custom_gen_ai"


def _http_url(text: str) -> str:
    """An http(s) URL with a host, as the BFF checks base URLs (token_k8s_client.go validateExternalModelsConfig:
    scheme and host), and without user info (it would sit in a ConfigMap) or whitespace."""
    if any(character.isspace() or ord(character) < 32 for character in text):
        raise ValueError("must be an http(s) URL without whitespace or control characters")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  # a bad port raises here
    except ValueError as error:
        raise ValueError(f"must be an http(s) URL ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host, http://host[:port]/path")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user or password: a ConfigMap is no place for credentials")
    if parts.fragment:
        raise ValueError("must not have a #fragment")
    return text


HttpUrl = Annotated[
    str, Field(min_length=1, max_length=MAX_URL), Shape("URL `http(s)://…`"), TEXT_INPUT, AfterValidator(_http_url)
]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), TEXT_INPUT]
Description = Annotated[str, Field(min_length=1, max_length=MAX_DESCRIPTION), TEXT_INPUT]
DnsSubdomain = Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253), Shape("DNS subdomain"), TEXT_INPUT]
SecretDataKey = Annotated[str, Field(pattern=CONFIG_MAP_KEY, max_length=253), Shape("Secret data key"), TEXT_INPUT]
Dimension = Annotated[int, Field(gt=0, le=MAX_EMBEDDING_DIMENSION), NUMBER_INPUT]


# ------------------------------------------------------------------------------------------------ MCP servers


class McpServer(CamelModel):
    """One MCP server the playground offers as tools (models/aaa_mcp.go MCPServerConfig)."""

    name: Annotated[
        str,
        Field(pattern=CONFIG_MAP_KEY, max_length=253),
        Shape("ConfigMap key (letters, digits, `-`, `_`, `.`)"),
        TEXT_INPUT,
    ] = Field(description=f"the server's key in `{MCP_SERVERS_CONFIG_MAP}`, shown as its name in the playground")
    url: HttpUrl = Field(
        description="the full URL with the endpoint path (MCP SDK servers: `…/mcp` for streamable-http, `…/sse` for "
        "sse), reachable from the dashboard's namespace and the project: `<service>.<namespace>.svc.cluster.local`"
    )
    transport: Literal["sse", "streamable-http"] = Field(
        MCP_DEFAULT_TRANSPORT, description="how the dashboard's backend connects to it"
    )
    description: Description | None = Field(None, description="what its tools do, shown in the playground")
    logo: HttpUrl | None = Field(None, description="URL of the logo the playground shows")


def mcp_server_entry(server: McpServer) -> str:
    """The JSON value of the server's key, as json.Unmarshal fills MCPServerConfig (the key is its Name; empty
    optional fields omitted, as the struct's omitempty tags write them)."""
    value: dict[str, str] = {"url": server.url, "transport": server.transport}
    if server.description:
        value["description"] = server.description
    if server.logo:
        value["logo"] = server.logo
    return json.dumps(value, separators=(",", ":"))


# ----------------------------------------------------------------------------------- external model endpoints


class SecretRef(CamelModel):
    """A key of a Secret in the project that the stack does not create (declared pre-existing)."""

    name: DnsSubdomain = Field(description="the Secret, in `namespace`, created outside this stack")
    key: SecretDataKey = Field(description="its data key")


class EndpointSecretRef(SecretRef):
    key: SecretDataKey = Field(
        "api_key", description="its data key (`api_key`: the key the dashboard writes, CreateExternalModelSecret)"
    )


class ExternalEndpoint(CamelModel):
    """An OpenAI-compatible endpoint outside the cluster's InferenceServices, an AI asset of the 3.4 dashboard."""

    model_id: Text = Field(description="the model's id at the endpoint (`allowed_models`, `model_id`)")
    display_name: Text | None = Field(None, description="its name in the playground (default `modelId`)")
    base_url: HttpUrl = Field(description="the OpenAI-compatible base URL (`…/v1`)")
    model_type: Literal["llm", "embedding"] = Field(
        "llm", description="`llm` (provider `remote::openai`) or `embedding` (`remote::passthrough`)"
    )
    embedding_dimension: Dimension | None = Field(None, description="the vector size; required with `embedding`")
    use_cases: Text | None = Field(None, description="the use case the AI assets page shows")
    api_key_secret: EndpointSecretRef | None = Field(
        None, description="the Secret holding the endpoint's API key (none: the endpoint takes no key)"
    )

    @model_validator(mode="after")
    def _dimension_with_embedding(self) -> ExternalEndpoint:
        if (self.model_type == "embedding") != (self.embedding_dimension is not None):
            raise ValueError("embeddingDimension is set exactly when modelType is embedding")
        return self


def endpoint_provider_id(index: int) -> str:
    """The dashboard numbers its providers endpoint-1, endpoint-2... (token_k8s_client.go GenerateProviderID)."""
    return f"endpoint-{index + 1}"


def custom_endpoints_document(endpoints: Sequence[ExternalEndpoint]) -> dict[str, Any]:
    """models/external_models.go ExternalModelsConfig, in its field order, as CreateOrUpdateExternalModelConfigMap
    writes it: a provider per endpoint (openai with allowed_models for llm, passthrough for embedding) and its model;
    secretRef is always written (name "" without a Secret, as the dashboard writes it)."""
    providers, models = [], []
    for index, endpoint in enumerate(endpoints):
        provider_id = endpoint_provider_id(index)
        secret = endpoint.api_key_secret
        config: dict[str, Any] = {"base_url": endpoint.base_url}
        if endpoint.model_type == "llm":
            config["allowed_models"] = [endpoint.model_id]
        ref = {"name": secret.name, "key": secret.key} if secret else {"name": "", "key": "api_key"}
        config[CUSTOM_GEN_AI] = {"api_key": {"secretRef": ref}}
        providers.append(
            {
                "provider_id": provider_id,
                "provider_type": "remote::openai" if endpoint.model_type == "llm" else "remote::passthrough",
                "config": config,
            }
        )
        metadata: dict[str, Any] = {"display_name": endpoint.display_name or endpoint.model_id}
        if endpoint.embedding_dimension is not None:
            metadata["embedding_dimension"] = endpoint.embedding_dimension
        if endpoint.use_cases:
            metadata[CUSTOM_GEN_AI] = {"use_cases": endpoint.use_cases}
        models.append(
            {
                "provider_id": provider_id,
                "model_id": endpoint.model_id,
                "model_type": endpoint.model_type,
                "metadata": metadata,
            }
        )
    return {"providers": {"inference": providers}, "registered_resources": {"models": models}}


# ------------------------------------------------------------------------------------------ external vector stores

ProviderId = Annotated[str, Field(pattern=DNS_LABEL, max_length=63), Shape("DNS label"), TEXT_INPUT]


def _no_credentials(config: dict[str, Any]) -> dict[str, Any]:
    found = sorted(_credential_paths(config, ()))
    if found:
        raise ValueError(
            f"holds credentials ({', '.join(found)}): the ConfigMap is readable by every user of the project; "
            "put the credential in a Secret and name it in credentialSecret"
        )
    if CUSTOM_GEN_AI in config:
        raise ValueError(f"{CUSTOM_GEN_AI} is written by the program (from credentialSecret), not by hand")
    return config


def _credential_paths(node: Any, path: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            where = (*path, str(key))
            if is_credential_key(str(key)):
                found.append(".".join(where))
            else:
                found += _credential_paths(value, where)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _credential_paths(item, (*path, str(index)))
    return found


class VectorStoreProvider(CamelModel):
    """A vector database the 3.4 playground may attach (models/external_vectorstores.go VectorIOProvider)."""

    provider_id: ProviderId = Field(description="the provider's id, which `stores[].providerId` names")
    provider_type: VectorIoType = Field(description="the Llama Stack provider type")
    config: Annotated[dict[str, Any], AfterValidator(_no_credentials)] = Field(
        description="the provider's connection config as Llama Stack takes it (`host`, `port`, `db`, `user`; `uri`; "
        "`url`), without credentials"
    )
    credential_secret: SecretRef | None = Field(
        None,
        description="the Secret key holding the provider's password or token (the dashboard passes it to the "
        "server as an env var)",
    )

    @field_validator("config", mode="before")
    @classmethod
    def _a_mapping(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
            raise ValueError("must be a mapping of keys to values")
        return value


class VectorStore(CamelModel):
    """A collection of a provider, shown in the 3.4 playground (models/external_vectorstores.go
    RegisteredVectorStore)."""

    vector_store_id: Text = Field(description="the store's id (`vs_…`)")
    provider_id: ProviderId = Field(description="its provider, one of `providers[].providerId`")
    embedding_model: Text = Field(description="the embedding model its vectors were made with")
    embedding_dimension: Dimension = Field(description="their size")
    name: Text | None = Field(None, description="its name in the playground")
    provider_vector_store_id: Text | None = Field(None, description="the collection's name in the database")
    description: Description | None = Field(None, description="shown in the playground")


class VectorStoresConfig(CamelModel):
    """The ConfigMap gen-ai-aa-vector-stores (models/external_vectorstores.go ExternalVectorStoresDocument)."""

    providers: Annotated[list[VectorStoreProvider], Field(min_length=1, max_length=MAX_ITEMS)] = Field(
        description="the vector databases"
    )
    stores: Annotated[list[VectorStore], Field(min_length=1, max_length=MAX_ITEMS)] = Field(
        description="their collections the playground offers"
    )

    @model_validator(mode="after")
    def _consistent(self) -> VectorStoresConfig:
        ids = [p.provider_id for p in self.providers]
        if twice := repeated(ids):
            raise ValueError(f"providers: providerId {', '.join(twice)} appears twice")
        if twice := repeated(s.vector_store_id for s in self.stores):
            raise ValueError(f"stores: vectorStoreId {', '.join(twice)} appears twice")
        unknown = sorted({s.provider_id for s in self.stores} - set(ids))
        if unknown:
            raise ValueError(f"stores: providerId {', '.join(unknown)} is none of providers[].providerId")
        return self


def vector_stores_document(config: VectorStoresConfig) -> dict[str, Any]:
    """ExternalVectorStoresDocument: the provider's config as given plus custom_gen_ai.credentials.secretRefs (the
    BFF takes the first entry with a name and key, token_k8s_client.go extractCredentialSecretRef)."""
    providers = []
    for provider in config.providers:
        body: dict[str, Any] = dict(provider.config)
        if provider.credential_secret is not None:
            ref = provider.credential_secret
            body[CUSTOM_GEN_AI] = {"credentials": {"secretRefs": [{"name": ref.name, "key": ref.key}]}}
        providers.append({"provider_id": provider.provider_id, "provider_type": provider.provider_type, "config": body})
    stores = []
    for store in config.stores:
        entry: dict[str, Any] = {
            "provider_id": store.provider_id,
            "vector_store_id": store.vector_store_id,
            "embedding_model": store.embedding_model,
            "embedding_dimension": store.embedding_dimension,
        }
        if store.name:
            entry["vector_store_name"] = store.name
        if store.provider_vector_store_id:
            entry["provider_vector_store_id"] = store.provider_vector_store_id
        if store.description:
            entry["metadata"] = {"description": store.description}
        stores.append(entry)
    return {"providers": {"vector_io": providers}, "registered_resources": {"vector_stores": stores}}


def referenced_secrets(
    endpoints: Sequence[ExternalEndpoint], vector_stores: VectorStoresConfig | None
) -> list[dict[str, str]]:
    """Every Secret key the objects name: declared pre-existing (the stack file names them, nothing creates them)."""
    refs: list[SecretRef] = [e.api_key_secret for e in endpoints if e.api_key_secret is not None]
    if vector_stores is not None:
        refs += [p.credential_secret for p in vector_stores.providers if p.credential_secret is not None]
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for ref in refs:
        seen.setdefault((ref.name, ref.key), {"name": ref.name, "key": ref.key})
    return list(seen.values())
