"""The server config (`run.yaml`, `config.yaml`) of the stack's RHOAI release, built from typed parts.

The parts (one remote::vllm provider per model, the chat API, MCP tools, Milvus, RAG) are the same on every
release; the release profile (genai_contract.releases) says how its server spells and lays them out. Each
layout writes only the keys its server reads: a key of another layout is silently ignored by the server
(no `extra="forbid"` in its config models), which would leave the playground with no models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import yaml
from genai_contract import addresses, names
from genai_contract.names import REVISION_ENV, REVISION_KEY, REVISION_PROVIDER_ID, REVISION_PROVIDER_TYPE, SERVER_PORT
from genai_contract.releases.profile import ReleaseProfile
from pydantic import BaseModel, ConfigDict

from genai_playground.config import PlaygroundConfig, SecretKeyRef, refuse_unsafe_text
from genai_playground.endpoints import ModelEndpoint

# Where the rh-dev image keeps its state; a PVC is mounted here when `playground.storageSize` is set.
STATE_DIR = "/opt/app-root/src/.llama/distributions/rh"
STATE_DIR_ENV = "SQLITE_STORE_DIR"
EMBEDDING_DIMENSION = 768
EMBEDDING_PROVIDER_ID = "sentence-transformers"
MILVUS_PROVIDER_ID = "milvus"
# The agents provider needs inference, safety, vector_io and tool_runtime at start (llama_stack/providers/
# registry/agents.py). Safety is a routed API: listed without a provider it gets an empty router, as in the
# dashboard's own config. vector_io is not routed in 0.3.0rc3+rhai0: it needs a provider, even without RAG.
ROUTED_WITHOUT_PROVIDER = frozenset({"safety"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvVar(_Strict):
    """One env var the LlamaStackDistribution's container must carry: a literal or a Secret key."""

    name: str
    value: str | None = None
    secret: SecretKeyRef | None = None

    def manifest(self) -> dict[str, Any]:
        if self.secret is not None:
            return {
                "name": self.name,
                "valueFrom": {"secretKeyRef": {"name": self.secret.name, "key": self.secret.key}},
            }
        return {"name": self.name, "value": self.value}


class Provider(_Strict):
    provider_id: str
    provider_type: str
    config: dict[str, Any]


class RegisteredModel(_Strict):
    model_id: str
    provider_id: str
    provider_model_id: str
    model_type: Literal["llm", "embedding"]
    metadata: dict[str, Any]


class ToolGroup(_Strict):
    toolgroup_id: str
    provider_id: str


class RenderedRunConfig(_Strict):
    """The run.yaml text and the env vars it references (each must be set on the LlamaStackDistribution)."""

    text: str
    env: list[EnvVar]
    # A model is reached over TLS on a cluster-internal https URL with verification on (an auth proxy, whose
    # certificate the OpenShift service CA signs): the server must trust that CA.
    service_ca: bool = False


def env_default(name: str, default: object) -> str:
    """A Llama Stack env reference that falls back to `default` when the variable is unset."""
    return "${env." + name + ":=" + str(default) + "}"


def max_tokens_env(endpoint: ModelEndpoint) -> str:
    return names.max_tokens_env(endpoint.model_id)


def api_token_env(endpoint: ModelEndpoint) -> str:
    return names.api_token_env(endpoint.model_id)


def vllm_provider(endpoint: ModelEndpoint, profile: ReleaseProfile) -> Provider:
    return Provider(
        provider_id=endpoint.provider_id,
        provider_type="remote::vllm",
        config={
            # `url` up to Llama Stack 0.3.x, `base_url` from 0.4 (a `url` there is dropped without a word).
            profile.vllm_url_field: endpoint.url,
            "max_tokens": env_default(max_tokens_env(endpoint), endpoint.max_tokens),
            # "fake" is what the adapter sends when vLLM runs without auth.
            "api_token": env_default(api_token_env(endpoint), "fake"),
            # A Service's https (the auth proxy) is signed by OpenShift's service CA, which the distribution's
            # CA bundle brings into the pod: verify against that file (README "Which provider URL").
            "tls_verify": profile.ca_bundle_file if signed_by_service_ca(endpoint) else endpoint.tls_verify,
        },
    )


def signed_by_service_ca(endpoint: ModelEndpoint) -> bool:
    """Verified https to a cluster Service (`<svc>.<ns>.svc…`), whose serving certificate the service CA issues."""
    address = addresses.service_address(endpoint.url, endpoint.namespace)
    return endpoint.tls_verify and address is not None and address.scheme == "https"


def registered_model_id(endpoint: ModelEndpoint) -> str:
    """`<provider_id>/<InferenceService name>`: how every model appears in the 3.0 server's model list.

    Llama Stack 0.3.0rc3+rhai0 lists a model under its model_id when that differs from its provider_model_id, and
    as `<provider_id>/<provider_model_id>` when they are equal (llama_stack/core/routing_tables/models.py,
    register_model). Registering `<provider_id>/<name>` gives one shape whatever the served name is, and the
    dashboard strips up to the first `/` and matches the rest against the InferenceService name (odh-dashboard
    rhoai-3.0 to rhoai-3.4, packages/gen-ai/frontend/src/app/utilities/utils.ts, splitLlamaModelId), as it does for
    the `vllm-inference-<n>/<name>` models of its own config. From 0.3.5 (RHOAI 3.2) register_model always lists
    `<provider_id>/<provider_model_id>` (the profile's lists_served_model_name): the dashboard then matches a model
    only when vLLM serves it under its InferenceService's name, and shows any other disabled.
    """
    return f"{endpoint.provider_id}/{endpoint.model_id}"


def vllm_model(endpoint: ModelEndpoint) -> RegisteredModel:
    return RegisteredModel(
        model_id=registered_model_id(endpoint),
        provider_id=endpoint.provider_id,
        provider_model_id=endpoint.served_model_name,
        model_type="llm",
        metadata={"display_name": endpoint.display_name},
    )


def endpoint_env(endpoint: ModelEndpoint) -> list[EnvVar]:
    token = (
        EnvVar(name=api_token_env(endpoint), secret=endpoint.api_token_secret)
        if endpoint.api_token_secret is not None
        else EnvVar(name=api_token_env(endpoint), value="fake")
    )
    return [EnvVar(name=max_tokens_env(endpoint), value=str(endpoint.max_tokens)), token]


class ConfigParts(_Strict):
    """What the playground serves, the same on every release: providers by API, registered models, RAG on/off."""

    providers: dict[str, list[Provider]]
    models: list[RegisteredModel]
    rag: bool


def build_run_config(
    endpoints: Sequence[ModelEndpoint], playground: PlaygroundConfig, profile: ReleaseProfile
) -> dict[str, Any]:
    """The server config document of `profile`'s release; key order is the order written."""
    # Config text is checked by the config models; a served name read from the cluster is checked here.
    refuse_unsafe_text({f"model {e.model_id}: servedModelName": e.served_model_name for e in endpoints})
    # Sorted by model id: the order of models in the stack file must not change the rendered document.
    ordered = sorted(endpoints, key=lambda endpoint: endpoint.model_id)
    inference = [vllm_provider(endpoint, profile) for endpoint in ordered]
    models = [vllm_model(endpoint) for endpoint in ordered]
    parts = PARTS[profile.layout](inference, models, playground.rag, profile)
    return LAYOUTS[profile.layout](parts, profile)


def _llama_stack_parts(
    inference: list[Provider], models: list[RegisteredModel], rag: bool, profile: ReleaseProfile
) -> ConfigParts:
    """Llama Stack 0.3 to 0.7 (RHOAI 3.0 to 3.4): chat, MCP, Milvus; with RAG embeddings, files, file search."""
    store = STORES[profile.layout]
    providers = _base_providers(inference, profile, store)
    if rag:
        _add_rag(providers, models, profile, store)
    return ConfigParts(providers=providers, models=models, rag=rag)


# libyaml's emitter where PyYAML has it: the same text as the pure-Python SafeDumper, four times faster.
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def render_run_config(
    endpoints: Sequence[ModelEndpoint], playground: PlaygroundConfig, profile: ReleaseProfile
) -> RenderedRunConfig:
    document = build_run_config(endpoints, playground, profile)
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
    ordered = sorted(endpoints, key=lambda endpoint: endpoint.model_id)
    env = [var for endpoint in ordered for var in endpoint_env(endpoint)]
    env.append(EnvVar(name=STATE_DIR_ENV, value=STATE_DIR))
    return RenderedRunConfig(text=text, env=env, service_ca=any(signed_by_service_ca(e) for e in ordered))


def _state_path(file_name: str) -> str:
    return f"{env_default(STATE_DIR_ENV, STATE_DIR)}/{file_name}"


class FlatStores:
    """0.3.0rc3+rhai0 (RHOAI 3.0): each store is its own sqlite file in the state directory."""

    @staticmethod
    def file(name: str) -> dict[str, Any]:
        return {"type": "sqlite", "db_path": _state_path(f"{name}.db")}

    def chat(self) -> dict[str, Any]:
        return {"persistence_store": self.file("agents_store"), "responses_store": self.file("responses_store")}

    def milvus(self) -> dict[str, Any]:
        return {"kvstore": self.file("milvus_registry")}

    def files_metadata(self) -> dict[str, Any]:
        return self.file("files_metadata")


class BackendStores:
    """>= 0.3.5: a store names a backend of `storage.backends` and its namespace (kv) or table (sql) there."""

    @staticmethod
    def kv(namespace: str) -> dict[str, Any]:
        return {"backend": "kv_default", "namespace": namespace}

    @staticmethod
    def sql(table: str) -> dict[str, Any]:
        return {"backend": "sql_default", "table_name": table}

    def chat(self) -> dict[str, Any]:
        return {"persistence": {"agent_state": self.kv("agents::meta_reference"), "responses": self.sql("responses")}}

    def milvus(self) -> dict[str, Any]:
        return {"persistence": self.kv("vector_io::milvus")}

    def files_metadata(self) -> dict[str, Any]:
        return self.sql("files_metadata")


Stores = FlatStores | BackendStores
STORES: dict[str, Stores] = {"flat": FlatStores(), "storage": BackendStores(), "ogx": BackendStores()}


def _base_providers(inference: list[Provider], profile: ReleaseProfile, store: Stores) -> dict[str, list[Provider]]:
    """What chat needs: the vLLM providers, the chat API (the dashboard chats through its Responses API), MCP
    tools, and Milvus: the chat provider needs a vector_io to start, and the dashboard's files panel creates the
    user's (empty) vector store on provider "milvus" each time the playground opens. No model weights; files only
    where the release's chat provider needs a files provider to start (profile.chat_needs_provider, 3.3 on)."""
    providers = {
        "inference": inference,
        profile.chat_api: [
            Provider(
                provider_id=profile.chat_provider.provider_id,
                provider_type=profile.chat_provider.provider_type,
                config=store.chat(),
            )
        ],
        "tool_runtime": [
            Provider(
                provider_id=REVISION_PROVIDER_ID,
                provider_type=REVISION_PROVIDER_TYPE,
                config={REVISION_KEY: env_default(REVISION_ENV, "")},
            )
        ],
        "vector_io": [
            Provider(
                provider_id=MILVUS_PROVIDER_ID,
                provider_type="inline::milvus",
                config={"db_path": _state_path("milvus.db"), **store.milvus()},
            )
        ],
    }
    if "files" in profile.chat_needs_provider:
        providers["files"] = [_files_provider(store)]
    return providers


def _files_provider(store: Stores) -> Provider:
    return Provider(
        provider_id="meta-reference-files",
        provider_type="inline::localfs",
        config={"storage_dir": _state_path("files"), "metadata_store": store.files_metadata()},
    )


def _add_rag(
    providers: dict[str, list[Provider]], models: list[RegisteredModel], profile: ReleaseProfile, store: Stores
) -> None:
    """The embedding model, files and file-search tool the release's dashboard configures."""
    providers["inference"].append(
        Provider(provider_id=EMBEDDING_PROVIDER_ID, provider_type="inline::sentence-transformers", config={})
    )
    models.append(_embedding_model(profile))
    providers["files"] = [_files_provider(store)]
    providers["tool_runtime"].insert(
        0, Provider(provider_id=profile.rag_tool.provider_id, provider_type=profile.rag_tool.provider_type, config={})
    )


def _embedding_model(profile: ReleaseProfile) -> RegisteredModel:
    return RegisteredModel(
        model_id=profile.embedding_model_id,
        provider_id=EMBEDDING_PROVIDER_ID,
        provider_model_id=profile.embedding_provider_model_id,
        model_type="embedding",
        metadata={"embedding_dimension": EMBEDDING_DIMENSION},
    )


def _tool_groups(parts: ConfigParts, profile: ReleaseProfile) -> list[dict[str, str]]:
    if not (parts.rag and profile.registers_tool_groups):
        return []
    return [{"toolgroup_id": "builtin::rag", "provider_id": profile.rag_tool.provider_id}]


def _apis(parts: ConfigParts) -> list[str]:
    return sorted(set(parts.providers) | ROUTED_WITHOUT_PROVIDER)


def _dumped(parts: ConfigParts) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    providers = {api: [p.model_dump() for p in listed] for api, listed in parts.providers.items()}
    return providers, [model.model_dump() for model in parts.models]


def _flat_layout(parts: ConfigParts, profile: ReleaseProfile) -> dict[str, Any]:
    """Llama Stack 0.3.0rc3+rhai0 (RHOAI 3.0): stores, models and tool groups at the top."""
    providers, models = _dumped(parts)
    return {
        "version": "2",
        profile.name_key: "rh",
        "apis": _apis(parts),
        "providers": providers,
        # The image's default run.yaml: the registry in registry.db, stored chat completions in inference_store.db.
        "metadata_store": FlatStores.file("registry"),
        "inference_store": FlatStores.file("inference_store"),
        "models": models,
        "shields": [],
        "vector_dbs": [],
        "datasets": [],
        "scoring_fns": [],
        "benchmarks": [],
        "tool_groups": _tool_groups(parts, profile),
        "server": {"port": SERVER_PORT},
    }


def _storage_layout(parts: ConfigParts, profile: ReleaseProfile) -> dict[str, Any]:
    """Llama Stack >= 0.3.5 (RHOAI 3.2 on): `storage` (required) and `registered_resources`, as the release's
    dashboard writes them (odh-dashboard rhoai-3.x, packages/gen-ai/bff/internal/integrations/kubernetes/
    llamastack_config.go, NewDefaultLlamaStackConfig), with sqlite backends in the state directory."""
    providers, models = _dumped(parts)
    resources: dict[str, Any] = {"models": models, "shields": [], "vector_stores": []}
    if profile.registers_tool_groups:
        resources["tool_groups"] = _tool_groups(parts, profile)
    document: dict[str, Any] = {
        "version": "2",
        profile.name_key: "rh",
        "apis": _apis(parts),
        "providers": providers,
        "storage": _sqlite_storage(),
        "registered_resources": resources,
    }
    if profile.vector_stores_block:
        document["vector_stores"] = _vector_store_defaults(parts, profile)
    document["server"] = {"port": SERVER_PORT}
    return document


def _sqlite_storage(**stores: dict[str, Any]) -> dict[str, Any]:
    """`storage:` with sqlite backends in the state directory; `stores` adds to or replaces the common stores."""
    return {
        "backends": {
            "kv_default": {"type": "kv_sqlite", "db_path": _state_path("kvstore.db")},
            "sql_default": {"type": "sql_sqlite", "db_path": _state_path("sql_store.db")},
        },
        "stores": {
            "metadata": {"namespace": "registry", "backend": "kv_default"},
            "inference": {"table_name": "inference_store", "backend": "sql_default"},
            "conversations": {"table_name": "openai_conversations", "backend": "sql_default"},
            **stores,
        },
    }


def _vector_store_defaults(parts: ConfigParts, profile: ReleaseProfile) -> dict[str, Any]:
    """Llama Stack >= 0.4: where a vector store the dashboard creates without naming a provider goes, and which
    embedding model it uses (odh-dashboard rhoai-3.3, llamastack_config.go)."""
    defaults: dict[str, Any] = {"default_provider_id": MILVUS_PROVIDER_ID}
    if parts.rag:
        defaults["default_embedding_model"] = {
            "provider_id": EMBEDDING_PROVIDER_ID,
            "model_id": profile.embedding_provider_model_id,
        }
    return defaults


# --- OGX 1.2.4 (RHOAI 3.5) -----------------------------------------------------------------------------------
# As the 3.5 dashboard writes it (red-hat-data-services/odh-dashboard@rhoai-3.5, packages/gen-ai/bff/internal/
# integrations/kubernetes/llamastack_config.go, NewDefaultLlamaStackConfig): apis responses, file_processors, files,
# inference, tool_runtime, vector_io (no safety, datasetio, scoring); `inline::builtin` responses with a queued
# store, `inline::pypdf` file processing, files always (OGX's responses provider needs files and vector_io at
# start: ogx/providers/registry/responses.py api_dependencies), stores prompts and connectors.
FAISS_PROVIDER_ID = "faiss"
FILES_PROVIDER_ID = "localfs-files"
OGX_QUEUE = {"max_write_queue_size": 10000, "num_writers": 4}


def _ogx_parts(
    inference: list[Provider], models: list[RegisteredModel], rag: bool, profile: ReleaseProfile
) -> ConfigParts:
    """What the playground serves on OGX. Vector stores: the 3.5 dashboard puts them on `remote::pgvector` when it
    has a PostgreSQL (pgvector/connection.go) and lists no vector_io provider without one; this stack runs no
    PostgreSQL, so with `rag` it uses the image's `inline::faiss` (faiss-cpu is in the 3.5 image's lock; the
    dashboard still sets FAISS_STORE_DIR) in the state directory's kv store, and without `rag` none, as the
    dashboard does without pgvector."""
    store = BackendStores()
    providers: dict[str, list[Provider]] = {
        "inference": inference,
        profile.chat_api: [
            Provider(
                provider_id="builtin",
                provider_type=profile.chat_provider.provider_type,
                config={"persistence": {"responses": {**store.sql("responses"), **OGX_QUEUE}}},
            )
        ],
        "file_processors": [Provider(provider_id="pypdf", provider_type="inline::pypdf", config={})],
        "files": [
            Provider(
                provider_id=FILES_PROVIDER_ID,
                provider_type="inline::localfs",
                config={"storage_dir": _state_path("files"), "metadata_store": store.files_metadata()},
            )
        ],
        "tool_runtime": [
            Provider(
                provider_id=REVISION_PROVIDER_ID,
                provider_type=REVISION_PROVIDER_TYPE,
                config={REVISION_KEY: env_default(REVISION_ENV, "")},
            )
        ],
        "vector_io": [],
    }
    if rag:
        inference.append(
            Provider(
                provider_id=EMBEDDING_PROVIDER_ID,
                provider_type="inline::sentence-transformers",
                config={"trust_remote_code": False},
            )
        )
        models.append(_embedding_model(profile))
        providers["tool_runtime"].insert(
            0,
            Provider(provider_id=profile.rag_tool.provider_id, provider_type=profile.rag_tool.provider_type, config={}),
        )
        providers["vector_io"].append(
            Provider(
                provider_id=FAISS_PROVIDER_ID,
                provider_type="inline::faiss",
                config={"persistence": store.kv("vector_io::faiss")},
            )
        )
    return ConfigParts(providers=providers, models=models, rag=rag)


def _ogx_layout(parts: ConfigParts, profile: ReleaseProfile) -> dict[str, Any]:
    providers, models = _dumped(parts)
    sql_queued = {"table_name": "inference_store", "backend": "sql_default", **OGX_QUEUE}
    vector_stores: dict[str, Any] = {"default_provider_id": FAISS_PROVIDER_ID if parts.rag else ""}
    if parts.rag:
        vector_stores["default_embedding_model"] = {
            "provider_id": EMBEDDING_PROVIDER_ID,
            "model_id": profile.embedding_provider_model_id,
        }
    return {
        "version": "2",
        profile.name_key: "rh",
        "apis": sorted(parts.providers),
        "providers": providers,
        "storage": _sqlite_storage(
            inference=sql_queued,
            prompts={"table_name": "prompts", "backend": "sql_default"},
            connectors={"table_name": "connectors", "backend": "sql_default"},
        ),
        "registered_resources": {"models": models, "vector_stores": []},
        "vector_stores": vector_stores,
        "server": {"port": SERVER_PORT},
    }


LAYOUTS: dict[str, Callable[[ConfigParts, ReleaseProfile], dict[str, Any]]] = {
    "flat": _flat_layout,
    "storage": _storage_layout,
    "ogx": _ogx_layout,
}
PARTS: dict[str, Callable[[list[Provider], list[RegisteredModel], bool, ReleaseProfile], ConfigParts]] = {
    "flat": _llama_stack_parts,
    "storage": _llama_stack_parts,
    "ogx": _ogx_parts,
}
