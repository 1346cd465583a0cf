"""URL rules, ids and what discovery reads from a live InferenceService."""

from __future__ import annotations

from typing import Any

from genai_contract.workloads import inference_service_facts

from genai_playground.config import parse_stack_config
from genai_playground.endpoints import drift, playground_service_url, predictor_url, resolve_endpoint
from tests.conftest import model, stack


def live_isvc(args: list[str], min_replicas: int | None = 1, runtime: str | None = "vllm-runtime") -> dict[str, Any]:
    predictor: dict[str, Any] = {
        "model": {
            "modelFormat": {"name": "vLLM"},
            "args": args,
            "resources": {"limits": {"nvidia.com/gpu": "4"}},
            **({"runtime": runtime} if runtime else {}),
        }
    }
    if min_replicas is not None:
        predictor["minReplicas"] = min_replicas
    return {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "spec": {"predictor": predictor}}


def test_headless_predictor_url_keeps_the_container_port() -> None:
    assert predictor_url("devstral-2", "private-ai", "headless") == (
        "http://devstral-2-predictor.private-ai.svc.cluster.local:8080/v1"
    )


def test_headed_predictor_url_has_no_port() -> None:
    assert predictor_url("devstral-2", "private-ai", "headed") == (
        "http://devstral-2-predictor.private-ai.svc.cluster.local/v1"
    )


def test_playground_service_url() -> None:
    assert playground_service_url("lsd-genai-playground", "private-ai", 8321) == (
        "http://lsd-genai-playground-service.private-ai.svc.cluster.local:8321"
    )


def test_declared_endpoint_uses_config_and_playground_defaults() -> None:
    config = parse_stack_config(stack(model("devstral-2", gpus=4), playground={"defaultMaxTokens": 2048}))
    endpoint = resolve_endpoint(config.models[0], config)
    assert endpoint.provider_id == "vllm-devstral-2"
    assert endpoint.served_model_name == "devstral-2"
    assert endpoint.max_tokens == 2048
    assert endpoint.context_length == 16384
    assert endpoint.gpus == 4
    assert endpoint.discovered is False


def test_url_override_wins() -> None:
    config = parse_stack_config(stack(model(url="https://models.example.com/mistral/v1")))
    assert resolve_endpoint(config.models[0], config).url == "https://models.example.com/mistral/v1"


def test_live_inference_service_wins_over_the_stack_file() -> None:
    config = parse_stack_config(stack(model("gpt-oss-20b", contextLength=32768, discover=True)))
    live = live_isvc(["--max-model-len=8192", "--served-model-name=openai/gpt-oss-20b"], min_replicas=0)
    endpoint = resolve_endpoint(config.models[0], config, live)
    assert (endpoint.context_length, endpoint.served_model_name, endpoint.min_replicas) == (
        8192,
        "openai/gpt-oss-20b",
        0,
    )
    assert (endpoint.gpus, endpoint.runtime, endpoint.discovered) == (4, "vllm-runtime", True)
    assert drift(config.models[0], endpoint) == [
        "model gpt-oss-20b: contextLength is 32768 in the stack file but 8192 on the cluster; using 8192"
    ]


def test_defaults_are_not_reported_as_drift() -> None:
    config = parse_stack_config(stack(model(discover=True)))
    endpoint = resolve_endpoint(config.models[0], config, live_isvc(["--max-model-len=16384"], min_replicas=0))
    assert endpoint.min_replicas == 0
    assert drift(config.models[0], endpoint) == []


def test_live_without_max_model_len_falls_back_to_config() -> None:
    config = parse_stack_config(stack(model(discover=True, contextLength=4096)))
    endpoint = resolve_endpoint(config.models[0], config, live_isvc(["--dtype=bfloat16"], runtime=None))
    assert endpoint.context_length == 4096
    assert endpoint.runtime is None


def test_live_facts_ignore_garbage() -> None:
    facts = inference_service_facts(
        {"spec": {"predictor": {"minReplicas": "x", "model": {"args": ["--max-model-len=big"]}}}}
    )
    assert (facts.max_model_len, facts.min_replicas) == (None, None)
