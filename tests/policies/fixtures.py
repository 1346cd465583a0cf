"""Stacks as the policy pack receives them, in the shapes of CONTRACT.md.

`playground_stack(...)` is what the program registers for some models (components, patches, the run.yaml
ConfigMap, the LlamaStackDistribution, and the live InferenceService reads when a model is discovered);
the other builders make the objects a stack written without our components would hold.
Resources carry one property dict: the program's props are its registered outputs too, and the mock engine
returns a created object's inputs as its outputs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from offline_preview.policy_pack import AnalyzedResource
from tests.support.isvc_snapshots import live_isvc

PROJECT = "genai-playground"
STACK = "dev"
NS = "private-ai"
PREFIX = "genai-playground:index"
ENDPOINT = f"{PREFIX}:VllmModelEndpoint"
PLAYGROUND = f"{PREFIX}:LlamaStackPlayground"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SECRET = "kubernetes:core/v1:Secret"
LSD = "kubernetes:llamastack.io/v1alpha1:LlamaStackDistribution"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
ISVC_PATCH = "kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"
LLM_ISVC = "kubernetes:serving.kserve.io/v1alpha1:LLMInferenceService"
STATE_DIR = "/opt/app-root/src/.llama/distributions/rh"


def urn(type_token: str, name: str, parents: Iterable[str] = ()) -> str:
    chain = "$".join([*parents, type_token])
    return f"urn:pulumi:{STACK}::{PROJECT}::{chain}::{name}"


def env_key(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.upper())


@dataclass(frozen=True)
class Model:
    """One model entry, with the values the program would derive from it."""

    name: str
    context_length: int | None = 16384
    max_tokens: int = 4096
    gpus: int = 1
    min_replicas: int = 1
    served_model_name: str | None = None
    use_case: str = "chat assistant"
    tls_verify: bool = True
    token_secret: str | None = None  # a Secret name: VLLM_API_TOKEN_<KEY> comes from it
    live_args: tuple[str, ...] | None = None  # discover: the live InferenceService's model args
    runtime: str | None = "vllm-runtime"  # of the live InferenceService

    @property
    def provider_id(self) -> str:
        return f"vllm-{self.name}"

    @property
    def url(self) -> str:
        return f"http://{self.name}-predictor.{NS}.svc.cluster.local:8080/v1"

    @property
    def served(self) -> str:
        return self.served_model_name or self.name


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

    def edit_run_yaml(
        self, change: Callable[[dict[str, Any]], None], config_map: str = "playground-run-config"
    ) -> StackFixture:
        def rewrite(props: dict[str, Any]) -> None:
            document = yaml.safe_load(props["data"]["run.yaml"])
            change(document)
            props["data"]["run.yaml"] = dump(document)

        return self.edit(config_map, rewrite)

    def set_env(
        self,
        name: str,
        value: str | None = None,
        *,
        secret: str | None = None,
        distribution: str = "playground-distribution",
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


def playground_stack(*models: Model, namespace: str = NS, rag: bool = True) -> StackFixture:
    models = models or (Model("mistral-3-int4"),)
    ordered = sorted(models, key=lambda m: m.name)
    fixture = StackFixture()
    for model in ordered:
        _add_endpoint(fixture, model, namespace)
    playground_urn = urn(PLAYGROUND, "playground")
    fixture.add(
        AnalyzedResource(
            PLAYGROUND,
            playground_urn,
            "playground",
            {
                "namespace": namespace,
                "distributionName": "lsd-genai-playground",
                "configMapName": "llama-stack-config",
                "serviceUrl": f"http://lsd-genai-playground-service.{namespace}.svc.cluster.local:8321",
                "providerIds": [m.provider_id for m in ordered],
            },
        ),
        config_map(
            run_yaml(ordered, rag=rag),
            namespace=namespace,
            name="playground-run-config",
            parents=[PLAYGROUND],
            parent=playground_urn,
        ),
        distribution(
            _env(ordered),
            namespace=namespace,
            name="playground-distribution",
            parents=[PLAYGROUND],
            parent=playground_urn,
        ),
    )
    return fixture


def _add_endpoint(fixture: StackFixture, model: Model, namespace: str) -> None:
    endpoint_urn = urn(ENDPOINT, model.name)
    live = (
        inference_service(
            model.name,
            list(model.live_args),
            runtime=model.runtime,
            gpus=model.gpus,
            min_replicas=model.min_replicas,
            name=f"{model.name}-live",
            namespace=namespace,
        )
        if model.live_args is not None
        else None
    )
    fixture.add(AnalyzedResource(ENDPOINT, endpoint_urn, model.name, endpoint_props(model, namespace, live)))
    fixture.add(
        asset_patch(model.name, namespace=namespace, use_case=model.use_case, parents=[ENDPOINT], parent=endpoint_urn)
    )
    if live is not None:
        fixture.add(live, read=True)


def endpoint_props(model: Model, namespace: str = NS, live: AnalyzedResource | None = None) -> dict[str, Any]:
    context = model.context_length
    if live is not None:
        length = next((a.split("=", 1)[1] for a in model.live_args or () if a.startswith("--max-model-len=")), None)
        context = int(length) if length else context
    props = {
        "modelName": model.name,
        "namespace": namespace,
        "inferenceServiceName": model.name,
        "servedModelName": model.served,
        "providerId": model.provider_id,
        "modelId": model.name,
        "url": model.url,
        "maxTokens": model.max_tokens,
        "contextLength": context,
        "gpus": model.gpus,
        "minReplicas": model.min_replicas,
        "runtime": model.runtime if live is not None else None,
        "discovered": live is not None,
        "useCase": model.use_case,
        "displayName": model.name,
    }
    return {key: value for key, value in props.items() if value is not None}  # the engine drops nulls


def asset_patch(
    isvc: str,
    *,
    namespace: str = NS,
    use_case: str | None = "chat assistant",
    labels: dict[str, Any] | None = None,
    parents: Iterable[str] = (),
    parent: str = "",
) -> AnalyzedResource:
    annotations = {
        "opendatahub.io/model-type": "generative",
        "openshift.io/display-name": isvc,
        "pulumi.com/patchFieldManager": "genai-playground",
    }
    if use_case is not None:
        annotations["opendatahub.io/genai-use-case"] = use_case
    name = f"{isvc}-asset-patch"
    return AnalyzedResource(
        ISVC_PATCH,
        urn(ISVC_PATCH, name, parents),
        name,
        {
            "apiVersion": "serving.kserve.io/v1beta1",
            "kind": "InferenceService",
            "metadata": {
                "name": isvc,
                "namespace": namespace,
                "labels": {"opendatahub.io/genai-asset": "true"} if labels is None else labels,
                "annotations": annotations,
            },
        },
        parent,
    )


def run_yaml(models: Iterable[Model], *, rag: bool = True) -> str:
    models = list(models)
    inference: list[dict[str, Any]] = [
        {
            "provider_id": m.provider_id,
            "provider_type": "remote::vllm",
            "config": {
                "url": m.url,
                "max_tokens": f"${{env.VLLM_MAX_TOKENS_{env_key(m.name)}:={m.max_tokens}}}",
                "api_token": f"${{env.VLLM_API_TOKEN_{env_key(m.name)}:=fake}}",
                "tls_verify": m.tls_verify,
            },
        }
        for m in models
    ]
    registered: list[dict[str, Any]] = [
        {
            "model_id": f"{m.provider_id}/{m.name}",
            "provider_id": m.provider_id,
            "provider_model_id": m.served,
            "model_type": "llm",
            "metadata": {"display_name": m.name},
        }
        for m in models
    ]
    providers: dict[str, list[dict[str, Any]]] = {
        "inference": inference,
        "agents": [
            {
                "provider_id": "meta-reference",
                "provider_type": "inline::meta-reference",
                "config": {
                    "persistence_store": {
                        "type": "sqlite",
                        "db_path": f"${{env.SQLITE_STORE_DIR:={STATE_DIR}}}/agents.db",
                    },
                    "responses_store": {
                        "type": "sqlite",
                        "db_path": f"${{env.SQLITE_STORE_DIR:={STATE_DIR}}}/responses.db",
                    },
                },
            }
        ],
        "tool_runtime": [
            {"provider_id": "model-context-protocol", "provider_type": "remote::model-context-protocol", "config": {}}
        ],
        "vector_io": [
            {
                "provider_id": "milvus",
                "provider_type": "inline::milvus",
                "config": {"db_path": f"${{env.SQLITE_STORE_DIR:={STATE_DIR}}}/milvus.db"},
            }
        ],
    }
    tool_groups: list[dict[str, Any]] = []
    if rag:
        inference.append(
            {"provider_id": "sentence-transformers", "provider_type": "inline::sentence-transformers", "config": {}}
        )
        registered.append(
            {
                "model_id": "granite-embedding-125m",
                "provider_id": "sentence-transformers",
                "provider_model_id": "ibm-granite/granite-embedding-125m-english",
                "model_type": "embedding",
                "metadata": {"embedding_dimension": 768},
            }
        )
        providers["files"] = [
            {
                "provider_id": "meta-reference-files",
                "provider_type": "inline::localfs",
                "config": {"storage_dir": f"${{env.SQLITE_STORE_DIR:={STATE_DIR}}}/files"},
            }
        ]
        providers["tool_runtime"].insert(
            0, {"provider_id": "rag-runtime", "provider_type": "inline::rag-runtime", "config": {}}
        )
        tool_groups.append({"toolgroup_id": "builtin::rag", "provider_id": "rag-runtime"})
    return dump(
        {
            "version": "2",
            "image_name": "rh",
            # As the program renders it: listed with no provider, safety gets the router agents need.
            "apis": sorted({*providers, "safety"}),
            "providers": providers,
            "metadata_store": {
                "type": "sqlite",
                "db_path": f"${{env.SQLITE_STORE_DIR:={STATE_DIR}}}/registry.db",
            },
            "inference_store": {
                "type": "sqlite",
                "db_path": f"${{env.SQLITE_STORE_DIR:={STATE_DIR}}}/inference_store.db",
            },
            "models": registered,
            "shields": [],
            "vector_dbs": [],
            "datasets": [],
            "scoring_fns": [],
            "benchmarks": [],
            "tool_groups": tool_groups,
            "server": {"port": 8321},
        }
    )


def _env(models: Iterable[Model]) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = []
    for m in models:
        env.append({"name": f"VLLM_MAX_TOKENS_{env_key(m.name)}", "value": str(m.max_tokens)})
        token = f"VLLM_API_TOKEN_{env_key(m.name)}"
        env.append(
            {"name": token, "valueFrom": {"secretKeyRef": {"name": m.token_secret, "key": "token"}}}
            if m.token_secret
            else {"name": token, "value": "fake"}
        )
    env.append({"name": "SQLITE_STORE_DIR", "value": STATE_DIR})
    return env


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
            "metadata": {
                "name": object_name,
                "namespace": namespace,
                "labels": {"opendatahub.io/dashboard": "true", "llamastack.io/distribution": "lsd-genai-playground"},
            },
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
    parents: Iterable[str] = (),
    parent: str = "",
) -> AnalyzedResource:
    container: dict[str, Any] = {
        "name": "llama-stack",
        "command": ["/bin/sh", "-c", "llama stack run /etc/llama-stack/run.yaml"],
        "resources": {"requests": {"cpu": "250m", "memory": "500Mi"}, "limits": {"cpu": "2", "memory": "12Gi"}},
        "env": env,
    }
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
        urn(LSD, name, parents),
        name,
        {
            "apiVersion": "llamastack.io/v1alpha1",
            "kind": "LlamaStackDistribution",
            "metadata": {
                "name": object_name,
                "namespace": namespace,
                "labels": {"opendatahub.io/dashboard": "true"},
                "annotations": {
                    "openshift.io/display-name": "GenAI Playground",
                    "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready",
                    "pulumi.com/timeoutSeconds": "300",
                },
            },
            "spec": {"replicas": 1, "server": server},
        },
        parent,
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
    parents: Iterable[str] = (),
) -> AnalyzedResource:
    """An InferenceService object: the live state of a read (name `<isvc>-live`), or one the stack creates."""
    body = live_isvc(isvc, args, namespace=namespace, min_replicas=min_replicas, runtime=runtime, gpus=gpus)
    body["metadata"].update(labels=labels or {}, annotations=annotations or {})
    resource_name = name or isvc
    return AnalyzedResource(ISVC, urn(ISVC, resource_name, parents), resource_name, body)


def secret(name: str, data: dict[str, str], *, marked: bool = True) -> AnalyzedResource:
    """A Secret; `marked` as kubernetes.core.v1.Secret registers it (data/stringData as secret outputs)."""
    return AnalyzedResource(
        SECRET,
        urn(SECRET, name),
        name,
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NS}, "stringData": data},
        additional_secret_outputs=("data", "stringData") if marked else (),
    )


def foreign_stack(
    model: str = "granite-8b-agent", args: tuple[str, ...] = ("--max-model-len=16384",), max_tokens: str = "4096"
) -> StackFixture:
    """A stack written without our components: an InferenceService, a run.yaml ConfigMap and a distribution."""
    document = yaml.safe_load(run_yaml([Model(model)], rag=False))
    document["providers"]["inference"][0]["config"]["max_tokens"] = "${env.VLLM_MAX_TOKENS:=4096}"
    document["providers"]["inference"][0]["config"]["api_token"] = "${env.VLLM_API_TOKEN_0:=fake}"
    return StackFixture().add(
        inference_service(
            model,
            list(args),
            labels={"opendatahub.io/genai-asset": "true"},
            annotations={"opendatahub.io/genai-use-case": "agentic tool-calling"},
        ),
        config_map(dump(document), name="run-config"),
        distribution(
            [
                {"name": "VLLM_MAX_TOKENS", "value": max_tokens},
                {"name": "VLLM_API_TOKEN_0", "value": "fake"},
                {"name": "SQLITE_STORE_DIR", "value": STATE_DIR},
            ],
            name="playground",
        ),
    )
