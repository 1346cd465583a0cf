"""Stacks as the policy pack receives them.

`playground_stack(...)` runs the real program (its `__main__.py`, under Pulumi's mocks) for some models and
hands over every resource it registered, outputs as the engine sends them to AnalyzeStack: components, patches,
the run.yaml ConfigMap, the LlamaStackDistribution, and the reads of a discovered model's live objects. So the
pack is tested on exactly what the program builds, and a change to the program shows up here.

The other builders hand-write what a stack written without our components holds (foreign stacks).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml
from genai_contract.releases import CONFIG_KEYS, PROFILES

from offline_preview.policy_pack import AnalyzedResource
from offline_preview.snapshots import SnapshotIndex
from tests.support.isvc_snapshots import data_science_cluster, live_isvc, live_model, serving_runtime
from tests.support.program import run_main

PROJECT = "genai-playground"
STACK = "dev"
NS = "private-ai"
PREFIX = "genai-playground:index"
ENDPOINT = f"{PREFIX}:VllmModelEndpoint"
PLAYGROUND = f"{PREFIX}:LlamaStackPlayground"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SECRET = "kubernetes:core/v1:Secret"
SERVICE = "kubernetes:core/v1:Service"
LSD = "kubernetes:llamastack.io/v1alpha1:LlamaStackDistribution"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
ISVC_PATCH = "kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"
LLM_ISVC = "kubernetes:serving.kserve.io/v1alpha1:LLMInferenceService"
SERVING_RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime"
STATE_DIR = "/opt/app-root/src/.llama/distributions/rh"
RUN_CONFIG = "playground-run-config"  # the program's resource names
DISTRIBUTION = "playground-distribution"


def urn(type_token: str, name: str, parents: Iterable[str] = ()) -> str:
    chain = "$".join([*parents, type_token])
    return f"urn:pulumi:{STACK}::{PROJECT}::{chain}::{name}"


@dataclass(frozen=True)
class Model:
    """One `models[]` entry of a stack file, and what the cluster runs for it when the program discovers it."""

    name: str
    context_length: int | None = 16384
    max_tokens: int = 4096
    gpus: int = 1
    min_replicas: int = 1
    served_model_name: str | None = None
    use_case: str = "chat assistant"
    tls_verify: bool = True
    token_secret: str | None = None  # apiTokenSecret: VLLM_API_TOKEN_<KEY> comes from this Secret
    predictor_service: str | None = None  # headless | headed
    auth_proxy: bool = False
    live_args: tuple[str, ...] | None = None  # discover: the live InferenceService's model args
    runtime: str | None = "vllm-runtime"  # of the live InferenceService
    runtime_args: tuple[str, ...] | None = None  # the live ServingRuntime's (the RHOAI template's when None)
    live_auth: bool = False  # the live InferenceService has security.opendatahub.io/enable-auth: "true"
    headless: bool = True  # the live predictor Service

    @property
    def provider_id(self) -> str:
        return f"vllm-{self.name}"

    @property
    def model_id(self) -> str:
        """How the program registers it in run.yaml."""
        return f"{self.provider_id}/{self.name}"

    def config(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.name, "useCase": self.use_case, "gpus": self.gpus}
        optional = {
            "contextLength": self.context_length,
            "maxTokens": self.max_tokens,
            "minReplicas": self.min_replicas,
            "servedModelName": self.served_model_name,
            "tlsVerify": self.tls_verify,
            "predictorService": self.predictor_service,
            "authProxy": self.auth_proxy or None,
            "apiTokenSecret": {"name": self.token_secret} if self.token_secret else None,
            "discover": True if self.live_args is not None else None,
        }
        return {**entry, **{key: value for key, value in optional.items() if value is not None}}

    def live_objects(self, namespace: str) -> list[dict[str, Any]]:
        if self.live_args is None:
            return []
        return live_model(
            self.name,
            list(self.live_args),
            namespace=namespace,
            runtime=self.runtime,
            runtime_args=list(self.runtime_args) if self.runtime_args is not None else None,
            headless=self.headless,
            gpus=self.gpus,
            min_replicas=self.min_replicas,
            auth=self.live_auth,
        )


# The seed's five models (step 05): GPUs per replica as in its diagram.
SEED_MODELS = (
    Model("mistral-3-int4", gpus=1),
    Model("mistral-3-bf16", gpus=4),
    Model("devstral-2", gpus=4),
    Model("gpt-oss-20b", gpus=4),
    Model("granite-8b-agent", gpus=1),
)


@dataclass
class StackFixture:
    """AnalyzeStack's view (every resource) plus which ones are reads (the engine does not Analyze those)."""

    resources: list[AnalyzedResource] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)

    def analyzed(self) -> list[AnalyzedResource]:
        return [r for r in self.resources if r.urn not in self.reads]

    def get(self, name: str) -> AnalyzedResource:
        [found] = [r for r in self.resources if r.name == name]
        return found

    def urn(self, name: str) -> str:
        return self.get(name).urn

    def edit(self, name: str, change: Callable[[dict[str, Any]], None]) -> StackFixture:
        """Change one resource's properties in place (on a deep copy)."""
        resource = self.get(name)
        properties = copy.deepcopy(dict(resource.properties))
        change(properties)
        index = self.resources.index(resource)
        self.resources[index] = AnalyzedResource(
            resource.type,
            resource.urn,
            resource.name,
            properties,
            resource.parent,
            resource.dependencies,
            resource.additional_secret_outputs,
        )
        return self

    def edit_run_yaml(self, change: Callable[[dict[str, Any]], None], config_map: str = RUN_CONFIG) -> StackFixture:
        def rewrite(props: dict[str, Any]) -> None:
            # The key of the release that rendered it (run.yaml; config.yaml from RHOAI 3.3).
            [key] = [key for key in CONFIG_KEYS if key in props["data"]]
            document = yaml.safe_load(props["data"][key])
            change(document)
            props["data"][key] = dump(document)

        return self.edit(config_map, rewrite)

    def set_env(
        self, name: str, value: str | None = None, *, secret: str | None = None, distribution: str = DISTRIBUTION
    ) -> StackFixture:
        """Set (or with neither value nor secret, remove) one env var of the distribution's container."""

        def change(props: dict[str, Any]) -> None:
            env = [e for e in props["spec"]["server"]["containerSpec"]["env"] if e["name"] != name]
            if secret is not None:
                env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": "token"}}})
            elif value is not None:
                env.append({"name": name, "value": value})
            props["spec"]["server"]["containerSpec"]["env"] = env

        return self.edit(distribution, change)

    def add(self, *resources: AnalyzedResource, read: bool = False) -> StackFixture:
        self.resources.extend(resources)
        if read:
            self.reads.update(r.urn for r in resources)
        return self

    def remove(self, name: str) -> StackFixture:
        self.resources.remove(self.get(name))
        return self


def dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=120)


# ------------------------------------------------------------------------------------- our program's stack


def playground_stack(*models: Model, namespace: str = NS, rag: bool = True, release: str = "3.0") -> StackFixture:
    """What the program registers for these models (mistral-3-int4 alone when none are given), for the cluster of
    RHOAI `release`."""
    resources, reads = _program_resources(models or (Model("mistral-3-int4"),), namespace, rag, release)
    return StackFixture(copy.deepcopy(resources), set(reads))


@cache
def _program_resources(
    models: tuple[Model, ...], namespace: str, rag: bool, release: str
) -> tuple[list[AnalyzedResource], frozenset[str]]:
    raw = {
        "release": release,
        "namespace": namespace,
        "models": [m.config() for m in models],
        "playground": {"rag": rag},
    }
    live = [obj for m in models for obj in m.live_objects(namespace)]
    # The cluster's DataScienceCluster reports the stack's release (the program checks it when it reads).
    cluster = data_science_cluster(f"{release}.1", api_version=PROFILES[release].dsc_api_version)
    snapshots = SnapshotIndex([*live, cluster])
    run = run_main(raw, snapshots)
    resources = [
        AnalyzedResource(r.type, r.urn, r.name, r.outputs, r.parent, tuple(r.dependencies)) for r in run.resources
    ]
    return resources, frozenset(r.urn for r in run.resources if r.read)


# ------------------------------------------------------------------------------ objects of any stack


def config_map(
    text: str | None,
    *,
    name: str = "llama-stack-config",
    object_name: str = "llama-stack-config",
    namespace: str = NS,
    data: dict[str, Any] | None = None,
    parents: Iterable[str] = (),
    parent: str = "",
) -> AnalyzedResource:
    return AnalyzedResource(
        CONFIG_MAP,
        urn(CONFIG_MAP, name, parents),
        name,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": object_name, "namespace": namespace},
            "data": data if data is not None else {"run.yaml": text},
        },
        parent,
    )


def distribution(
    env: list[dict[str, Any]],
    *,
    name: str = "lsd-genai-playground",
    object_name: str = "lsd-genai-playground",
    namespace: str = NS,
    port: int | None = 8321,
    config_map_name: str | None = "llama-stack-config",
    config_map_namespace: str | None = None,
    distribution_name: str = "rh-dev",
) -> AnalyzedResource:
    container: dict[str, Any] = {"name": "llama-stack", "env": env}
    if port is not None:
        container["port"] = port
    server: dict[str, Any] = {"distribution": {"name": distribution_name}, "containerSpec": container}
    if config_map_name is not None:
        server["userConfig"] = {
            "configMapName": config_map_name,
            "configMapNamespace": config_map_namespace or namespace,
        }
    return AnalyzedResource(
        LSD,
        urn(LSD, name),
        name,
        {
            "apiVersion": "llamastack.io/v1alpha1",
            "kind": "LlamaStackDistribution",
            "metadata": {"name": object_name, "namespace": namespace, "labels": {"opendatahub.io/dashboard": "true"}},
            "spec": {"replicas": 1, "server": server},
        },
    )


def inference_service(
    isvc: str,
    args: list[str],
    *,
    name: str | None = None,
    namespace: str = NS,
    min_replicas: int | None = 1,
    gpus: int = 1,
    runtime: str | None = "vllm-runtime",
    labels: dict[str, Any] | None = None,
    annotations: dict[str, Any] | None = None,
) -> AnalyzedResource:
    """An InferenceService the stack creates."""
    body = live_isvc(isvc, args, namespace=namespace, min_replicas=min_replicas, runtime=runtime, gpus=gpus)
    body["metadata"].update(labels=labels or {}, annotations=annotations or {})
    del body["status"]
    resource_name = name or isvc
    return AnalyzedResource(ISVC, urn(ISVC, resource_name), resource_name, body)


def runtime_resource(name: str = "vllm-runtime", *, args: list[str], namespace: str = NS) -> AnalyzedResource:
    """A ServingRuntime the stack creates (from the RHOAI vLLM template, with these args)."""
    resource_name = f"{name}-runtime"
    return AnalyzedResource(
        SERVING_RUNTIME,
        urn(SERVING_RUNTIME, resource_name),
        resource_name,
        serving_runtime(name, namespace=namespace, args=args),
    )


def llm_inference_service(
    name: str,
    *,
    namespace: str = NS,
    model_name: str | None = None,
    env: list[dict[str, Any]] | None = None,
    main: dict[str, Any] | None = None,
    labels: dict[str, Any] | None = None,
) -> AnalyzedResource:
    """An llm-d LLMInferenceService the stack creates; `env` goes on the template's main container."""
    container: dict[str, Any] = {
        "name": "main",
        "resources": {"limits": {"nvidia.com/gpu": "1"}},
        **({"env": env} if env is not None else {}),
        **(main or {}),
    }
    spec: dict[str, Any] = {
        "model": {"uri": "hf://Qwen/Qwen3-8B", **({"name": model_name} if model_name else {})},
        "replicas": 1,
        "template": {"containers": [container]},
    }
    metadata = {"name": name, "namespace": namespace, "labels": labels or {"opendatahub.io/genai-asset": "true"}}
    metadata["annotations"] = {"opendatahub.io/genai-use-case": "chat"}
    body = {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService", "metadata": metadata}
    return AnalyzedResource(LLM_ISVC, urn(LLM_ISVC, name), name, {**body, "spec": spec})


def asset_patch(isvc: str, *, namespace: str = NS, use_case: str = "chat assistant") -> AnalyzedResource:
    """A patch that labels an InferenceService a GenAI asset (as someone else's stack may write it)."""
    name = f"{isvc}-asset-patch"
    return AnalyzedResource(
        ISVC_PATCH,
        urn(ISVC_PATCH, name),
        name,
        {
            "apiVersion": "serving.kserve.io/v1beta1",
            "kind": "InferenceService",
            "metadata": {
                "name": isvc,
                "namespace": namespace,
                "labels": {"opendatahub.io/genai-asset": "true"},
                "annotations": {"opendatahub.io/genai-use-case": use_case},
            },
        },
    )


def secret(name: str, data: dict[str, str], *, marked: bool = True) -> AnalyzedResource:
    """A Secret; `marked` as kubernetes.core.v1.Secret registers it (data/stringData as secret outputs)."""
    return AnalyzedResource(
        SECRET,
        urn(SECRET, name),
        name,
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NS}, "stringData": data},
        additional_secret_outputs=("data", "stringData") if marked else (),
    )


def foreign_run_yaml(model: str, url: str, *, provider_model_id: str | None = None) -> str:
    """A hand-written run.yaml in the seed's shape: one VLLM_MAX_TOKENS / VLLM_API_TOKEN_0 for the provider."""
    return dump(
        {
            "version": "2",
            "image_name": "rh",
            "apis": ["agents", "inference", "safety", "tool_runtime", "vector_io"],
            "providers": {
                "inference": [
                    {
                        "provider_id": "vllm-inference-1",
                        "provider_type": "remote::vllm",
                        "config": {
                            "url": url,
                            "max_tokens": "${env.VLLM_MAX_TOKENS:=4096}",
                            "api_token": "${env.VLLM_API_TOKEN_0:=fake}",
                            "tls_verify": "${env.VLLM_TLS_VERIFY:=true}",
                        },
                    }
                ],
                "agents": [
                    {
                        "provider_id": "meta-reference",
                        "provider_type": "inline::meta-reference",
                        "config": {"persistence_store": {"type": "sqlite", "db_path": f"{STATE_DIR}/agents.db"}},
                    }
                ],
                "vector_io": [
                    {"provider_id": "milvus", "provider_type": "inline::milvus", "config": {"db_path": "/tmp/m.db"}}
                ],
                "tool_runtime": [
                    {"provider_id": "mcp", "provider_type": "remote::model-context-protocol", "config": {}}
                ],
            },
            "metadata_store": {"type": "sqlite", "db_path": f"{STATE_DIR}/registry.db"},
            "models": [
                {
                    "model_id": model,
                    "provider_id": "vllm-inference-1",
                    "provider_model_id": provider_model_id or model,
                    "model_type": "llm",
                }
            ],
            "server": {"port": 8321},
        }
    )


def foreign_env(max_tokens: str = "4096") -> list[dict[str, Any]]:
    return [
        {"name": "VLLM_MAX_TOKENS", "value": max_tokens},
        {"name": "VLLM_API_TOKEN_0", "value": "fake"},
        {"name": "VLLM_TLS_VERIFY", "value": "true"},
    ]


def foreign_stack(
    model: str = "granite-8b-agent",
    args: tuple[str, ...] = ("--max-model-len=16384",),
    max_tokens: str = "4096",
    *,
    url: str | None = None,
) -> StackFixture:
    """A stack written without our components: an InferenceService, a run.yaml ConfigMap and a distribution."""
    url = url or f"http://{model}-predictor.{NS}.svc.cluster.local:8080/v1"
    return StackFixture().add(
        inference_service(
            model,
            list(args),
            labels={"opendatahub.io/genai-asset": "true"},
            annotations={"opendatahub.io/genai-use-case": "agentic tool-calling"},
        ),
        config_map(foreign_run_yaml(model, url), name="run-config"),
        distribution(foreign_env(max_tokens), name="playground"),
    )
