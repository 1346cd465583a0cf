"""Puts the RHOAI GenAI Playground (3.0 to 3.4) on a cluster whose vLLM InferenceServices already exist."""

from __future__ import annotations

import os

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env, get_config_secret_keys_env, is_config_secret

from components.cluster_release import release_gate
from components.llama_stack_playground import LlamaStackPlayground, LlamaStackPlaygroundArgs
from components.maas_gateway_placeholder import MaasGatewayPlaceholder, MaasGatewayPlaceholderArgs
from components.playground_inputs import PlaygroundInputs, PlaygroundInputsArgs
from components.playground_prerequisites import PlaygroundPrerequisites, PlaygroundPrerequisitesArgs
from components.vllm_model_endpoint import VllmModelEndpoint, VllmModelEndpointArgs
from genai_playground.config import ConfigError, StackConfig, config_from_engine, config_warnings
from genai_playground.endpoints import ModelEndpoint, maas_endpoints
from genai_playground.provider_requirements import engine_config_problems


def load_config() -> StackConfig:
    """Validate every key before anything is registered; a bad key stops the run with no traceback."""
    # Every config key the engine passed, so a misspelt top-level key is reported, not ignored.
    values = {**get_config_env(), **CONFIG.get()}
    # Secret values (secure: in the stack file) arrive decrypted: a problem names their key, never the value.
    secret = {key for key in values if is_config_secret(key)} | set(get_config_secret_keys_env())
    problems = engine_config_problems(values, os.environ, f"Pulumi.{pulumi.get_stack()}.yaml")
    try:
        config = config_from_engine(values, secret, problems)
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None
    for warning in config_warnings(config):
        pulumi.log.warn(warning)
    return config


def model_outputs(endpoints: list[ModelEndpoint]) -> dict[str, dict[str, object]]:
    return {
        e.model_id: {
            "providerId": e.provider_id,
            "url": e.url,
            "maxTokens": e.max_tokens,
            "contextLength": e.context_length,
        }
        for e in endpoints
    }


def main() -> None:
    stack = load_config()
    # A stack that reads the cluster checks its release first: nothing is written on a cluster of another release.
    after = release_gate(stack, f"Pulumi.{pulumi.get_stack()}.yaml")
    # Created in name order: reordering the stack file's models changes nothing in the deployment.
    endpoints = [
        VllmModelEndpoint(model.name, VllmModelEndpointArgs(model=model, stack=stack, after=after))
        for model in sorted(stack.models, key=lambda m: m.name)
    ]
    prerequisites = (
        [
            PlaygroundPrerequisites(
                "prerequisites",
                PlaygroundPrerequisitesArgs(stack.prerequisites, stack.profile, stack.declared_inputs(), after=after),
            )
        ]
        if stack.prerequisites.manage
        else []
    )
    playground = LlamaStackPlayground(
        "playground",
        LlamaStackPlaygroundArgs(
            namespace=stack.namespace,
            playground=stack.playground,
            profile=stack.profile,
            endpoints=endpoints,
            prerequisites=prerequisites,
            after=after,
            maas_endpoints=maas_endpoints(stack),
        ),
    )
    if stack.declared_inputs():
        PlaygroundInputs(
            "inputs",
            PlaygroundInputsArgs(
                namespace=stack.namespace,
                dashboard_namespace=stack.dashboard_namespace,
                profile=stack.profile,
                mcp_servers=stack.mcp_servers,
                external_endpoints=stack.external_endpoints,
                vector_stores=stack.vector_stores,
                after=after,
            ),
        )
    maas = MaasGatewayPlaceholder(
        "maas",
        MaasGatewayPlaceholderArgs(
            maas=stack.maas,
            namespace=stack.namespace,
            profile=stack.profile,
            data_science_cluster=stack.prerequisites.data_science_cluster_name,
            after=after,
        ),
    )
    pulumi.export("playgroundServiceUrl", playground.service_url)
    pulumi.export("models", pulumi.Output.all(*[e.endpoint for e in endpoints]).apply(model_outputs))
    pulumi.export("maas", maas.summary)


main()
