"""The Llama Stack `run.yaml` the RHOAI 3.0 `rh-dev` image reads, built from typed models.

The 3.0 image (Llama Stack 0.3.0rc3+rhai0) reads the flat layout: `providers`, `metadata_store`, `models`,
`tool_groups` at the top. Keys of the newer layout (`storage`, `registered_resources`) are silently ignored
there, which would leave the playground with no models, so they never appear here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import yaml
from genai_contract import names
from genai_contract.names import REVISION_ENV, REVISION_KEY, REVISION_PROVIDER_ID, REVISION_PROVIDER_TYPE, SERVER_PORT
from pydantic import BaseModel, ConfigDict

from genai_playground.config import PlaygroundConfig, SecretKeyRef, refuse_env_references
from genai_playground.endpoints import ModelEndpoint

# Where the rh-dev image keeps its state; a PVC is mounted here when `playground.storageSize` is set.
STATE_DIR = "/opt/app-root/src/.llama/distributions/rh"
STATE_DIR_ENV = "SQLITE_STORE_DIR"
EMBEDDING_MODEL_ID = "granite-embedding-125m"
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


class SqliteStore(_Strict):
    type: Literal["sqlite"] = "sqlite"
    db_path: str


class RunConfig(_Strict):
    """The run.yaml document; field order is the key order written."""

    version: str = "2"
    image_name: str = "rh"
    apis: list[str]
    providers: dict[str, list[Provider]]
    metadata_store: SqliteStore
    inference_store: SqliteStore
    models: list[RegisteredModel]
    shields: list[Any] = []
    vector_dbs: list[Any] = []
    datasets: list[Any] = []
    scoring_fns: list[Any] = []
    benchmarks: list[Any] = []
    tool_groups: list[ToolGroup]
    server: dict[str, int] = {"port": SERVER_PORT}


class RenderedRunConfig(_Strict):
    """The run.yaml text and the env vars it references (each must be set on the LlamaStackDistribution)."""

    text: str
    env: list[EnvVar]


def env_default(name: str, default: object) -> str:
    """A Llama Stack env reference that falls back to `default` when the variable is unset."""
    return "${env." + name + ":=" + str(default) + "}"


def max_tokens_env(endpoint: ModelEndpoint) -> str:
    return names.max_tokens_env(endpoint.model_id)


def api_token_env(endpoint: ModelEndpoint) -> str:
    return names.api_token_env(endpoint.model_id)


def vllm_provider(endpoint: ModelEndpoint) -> Provider:
    return Provider(
        provider_id=endpoint.provider_id,
        provider_type="remote::vllm",
        config={
            "url": endpoint.url,
            "max_tokens": env_default(max_tokens_env(endpoint), endpoint.max_tokens),
            # "fake" is what the adapter sends when vLLM runs without auth.
            "api_token": env_default(api_token_env(endpoint), "fake"),
            "tls_verify": endpoint.tls_verify,
        },
    )


def registered_model_id(endpoint: ModelEndpoint) -> str:
    """`<provider_id>/<InferenceService name>`: how every model appears in `/v1/openai/v1/models`.

    Llama Stack 0.3.0rc3+rhai0 lists a model under its model_id when that differs from its provider_model_id, and
    as `<provider_id>/<provider_model_id>` when they are equal (llama_stack/core/routing_tables/models.py,
    register_model). Registering `<provider_id>/<name>` gives one shape whatever the served name is, and the
    dashboard strips up to the first `/` and matches the rest against the InferenceService name
    (odh-dashboard v3.0.0, packages/gen-ai/frontend/src/app/utilities/utils.ts, splitLlamaModelId), as it does
    for the `vllm-inference-<n>/<name>` models of the config it writes itself.
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


def build_run_config(endpoints: Sequence[ModelEndpoint], playground: PlaygroundConfig) -> RunConfig:
    # Config text is checked by the config models; a served name read from the cluster is checked here.
    refuse_env_references({f"model {e.model_id}: servedModelName": e.served_model_name for e in endpoints})
    # Sorted by model id: the order of models in the stack file must not change the rendered document.
    ordered = sorted(endpoints, key=lambda endpoint: endpoint.model_id)
    providers = _base_providers([vllm_provider(endpoint) for endpoint in ordered])
    models = [vllm_model(endpoint) for endpoint in ordered]
    tool_groups: list[ToolGroup] = []
    if playground.rag:
        _add_rag(providers, models, tool_groups)
    return RunConfig(
        apis=sorted(set(providers) | ROUTED_WITHOUT_PROVIDER),
        providers=providers,
        # The image's default run.yaml: the registry in registry.db, stored chat completions in inference_store.db.
        metadata_store=SqliteStore(db_path=_state_path("registry.db")),
        inference_store=SqliteStore(db_path=_state_path("inference_store.db")),
        models=models,
        tool_groups=tool_groups,
    )


# libyaml's emitter where PyYAML has it: the same text as the pure-Python SafeDumper, four times faster.
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def render_run_config(endpoints: Sequence[ModelEndpoint], playground: PlaygroundConfig) -> RenderedRunConfig:
    document = build_run_config(endpoints, playground).model_dump(mode="json")
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
    ordered = sorted(endpoints, key=lambda endpoint: endpoint.model_id)
    env = [var for endpoint in ordered for var in endpoint_env(endpoint)]
    env.append(EnvVar(name=STATE_DIR_ENV, value=STATE_DIR))
    return RenderedRunConfig(text=text, env=env)


def _state_path(file_name: str) -> str:
    return f"{env_default(STATE_DIR_ENV, STATE_DIR)}/{file_name}"


def _sqlite(file_name: str) -> dict[str, str]:
    return SqliteStore(db_path=_state_path(file_name)).model_dump()


def _base_providers(inference: list[Provider]) -> dict[str, list[Provider]]:
    """What chat needs: the vLLM providers, agents (the dashboard chats through their Responses API), MCP tools,
    and Milvus: the agents provider needs a vector_io to start, and the dashboard's files panel creates the
    user's (empty) vector store on provider "milvus" each time the playground opens. No model weights, no files."""
    return {
        "inference": inference,
        "agents": [
            Provider(
                provider_id="meta-reference",
                provider_type="inline::meta-reference",
                config={
                    "persistence_store": _sqlite("agents_store.db"),
                    "responses_store": _sqlite("responses_store.db"),
                },
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
                provider_id="milvus",
                provider_type="inline::milvus",
                config={"db_path": _state_path("milvus.db"), "kvstore": _sqlite("milvus_registry.db")},
            )
        ],
    }


def _add_rag(providers: dict[str, list[Provider]], models: list[RegisteredModel], tool_groups: list[ToolGroup]) -> None:
    """The embedding model, files and RAG tool the RHOAI 3.0 dashboard configures."""
    providers["inference"].append(
        Provider(provider_id="sentence-transformers", provider_type="inline::sentence-transformers", config={})
    )
    models.append(
        RegisteredModel(
            model_id=EMBEDDING_MODEL_ID,
            provider_id="sentence-transformers",
            provider_model_id="ibm-granite/granite-embedding-125m-english",
            model_type="embedding",
            metadata={"embedding_dimension": 768},
        )
    )
    providers["files"] = [
        Provider(
            provider_id="meta-reference-files",
            provider_type="inline::localfs",
            config={"storage_dir": _state_path("files"), "metadata_store": _sqlite("files_metadata.db")},
        )
    ]
    providers["tool_runtime"].insert(
        0, Provider(provider_id="rag-runtime", provider_type="inline::rag-runtime", config={})
    )
    tool_groups.append(ToolGroup(toolgroup_id="builtin::rag", provider_id="rag-runtime"))
