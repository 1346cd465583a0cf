"""What the playground needs to reach one model: ids, URL, limits; from config, or from the live InferenceService."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_contract import names
from genai_contract.endpoint_props import EndpointProps
from genai_contract.workloads import ServingFacts, inference_service_facts
from pydantic import BaseModel, ConfigDict

from genai_playground.config import ModelConfig, SecretKeyRef, StackConfig

VLLM_PORT = 8080  # the ODH vLLM runtime's container port, exposed as is by the headless predictor Service


class ModelEndpoint(BaseModel):
    """One model as the playground sees it. Everything a policy needs is here."""

    model_config = ConfigDict(frozen=True)

    model_id: str
    provider_id: str
    namespace: str
    inference_service_name: str
    served_model_name: str
    url: str
    max_tokens: int
    context_length: int | None
    gpus: int
    min_replicas: int
    runtime: str | None
    discovered: bool
    display_name: str
    use_case: str
    description: str | None
    tls_verify: bool
    api_token_secret: SecretKeyRef | None

    def props(self) -> EndpointProps:
        """The component's props and outputs: camelCase, JSON-ready, as policies read them."""
        return {
            "modelName": self.model_id,
            "modelId": self.model_id,
            "providerId": self.provider_id,
            "namespace": self.namespace,
            "inferenceServiceName": self.inference_service_name,
            "servedModelName": self.served_model_name,
            "url": self.url,
            "maxTokens": self.max_tokens,
            "contextLength": self.context_length,
            "gpus": self.gpus,
            "minReplicas": self.min_replicas,
            "runtime": self.runtime,
            "discovered": self.discovered,
            "displayName": self.display_name,
            "useCase": self.use_case,
        }


def predictor_url(name: str, namespace: str, service: str) -> str:
    """The in-cluster OpenAI base of an InferenceService's predictor.

    KServe's headless predictor Service (the 3.0 default) exposes the container port; a headed one maps port 80.
    """
    host = f"{name}-predictor.{namespace}.svc.cluster.local"
    return f"http://{host}:{VLLM_PORT}/v1" if service == "headless" else f"http://{host}/v1"


def playground_service_url(distribution_name: str, namespace: str, port: int) -> str:
    """The Service the llama-stack operator creates for a LlamaStackDistribution."""
    return f"http://{distribution_name}-service.{namespace}.svc.cluster.local:{port}"


def resolve_endpoint(model: ModelConfig, stack: StackConfig, live: Mapping[str, Any] | None = None) -> ModelEndpoint:
    """Combine the model's config with what the cluster runs (`live`: the InferenceService object, if read)."""
    facts = inference_service_facts(live) if live is not None else ServingFacts()
    return ModelEndpoint(
        model_id=model.name,
        provider_id=names.provider_id(model.name),
        namespace=stack.namespace,
        inference_service_name=model.name,
        served_model_name=next(iter(facts.served_model_names), None) or model.served_model_name or model.name,
        url=model.url or predictor_url(model.name, stack.namespace, model.predictor_service),
        max_tokens=stack.max_tokens_of(model),
        context_length=facts.max_model_len or model.context_length,
        gpus=facts.gpus if facts.gpus is not None else model.gpus,
        min_replicas=facts.min_replicas if facts.min_replicas is not None else model.min_replicas,
        runtime=facts.runtime,
        discovered=live is not None,
        display_name=model.display_name or model.name,
        use_case=model.use_case,
        description=model.description,
        tls_verify=stack.tls_verify_of(model),
        api_token_secret=model.api_token_secret,
    )


def drift(model: ModelConfig, endpoint: ModelEndpoint) -> list[str]:
    """Where the live InferenceService disagrees with the stack file (the live value wins)."""
    compared = {
        "context_length": ("contextLength", endpoint.context_length),
        "served_model_name": ("servedModelName", endpoint.served_model_name),
        "min_replicas": ("minReplicas", endpoint.min_replicas),
        "gpus": ("gpus", endpoint.gpus),
    }
    # Only keys the stack file sets: a default is no claim about the cluster.
    return [
        f"model {model.name}: {key} is {getattr(model, field)} in the stack file"
        f" but {live} on the cluster; using {live}"
        for field, (key, live) in compared.items()
        if field in model.model_fields_set and getattr(model, field) != live
    ]
