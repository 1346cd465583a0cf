"""URL rules, ids and what discovery reads from the live InferenceService, ServingRuntime and predictor Service."""

from __future__ import annotations

from typing import Any

import pytest
from genai_contract.workloads import inference_service_facts

from genai_playground.config import ConfigError, parse_stack_config
from genai_playground.endpoints import (
    EndpointError,
    LiveModel,
    drift,
    live_url,
    playground_service_url,
    predictor_url,
    resolve_endpoint,
)
from tests.conftest import model, stack
from tests.support.isvc_snapshots import (
    dashboard_token_secret,
    live_isvc,
    live_model,
    predictor_service,
    serving_runtime,
)

HOST = "devstral-2-predictor.private-ai.svc.cluster.local"


def live(name: str, args: list[str], **options: Any) -> LiveModel:
    objects = [obj for obj in live_model(name, args, **options) if obj["kind"] != "DataScienceCluster"]
    isvc, service, *runtime = objects
    return LiveModel(isvc, runtime[0] if runtime else None, service)


# ------------------------------------------------------------------------------------------------ URL rules


@pytest.mark.parametrize(
    ("service", "auth", "url"),
    [
        ("headless", False, f"http://{HOST}:8080/v1"),  # the pods' container port
        ("headed", False, f"http://{HOST}/v1"),  # the Service's port 80
        ("headless", True, f"https://{HOST}:8443/v1"),  # the auth proxy, whatever the Service kind
        ("headed", True, f"https://{HOST}:8443/v1"),
    ],
)
def test_predictor_url_from_the_config(service: Any, auth: bool, url: str) -> None:
    assert predictor_url("devstral-2", "private-ai", service, auth_proxy=auth) == url


@pytest.mark.parametrize(
    ("auth", "headless", "service", "url"),
    [
        (False, True, True, f"http://{HOST}:8080/v1"),  # headless: status.address.url + the targetPort
        (False, False, True, f"http://{HOST}/v1"),
        (True, True, True, f"https://{HOST}:8443/v1"),
        (True, False, True, f"https://{HOST}:8443/v1"),
        (False, True, False, f"http://{HOST}/v1"),  # no Service read: the address as KServe wrote it
    ],
)
def test_live_url_as_the_dashboard_builds_it(auth: bool, headless: bool, service: bool, url: str) -> None:
    isvc = live_isvc("devstral-2", [], auth=auth)
    svc = predictor_service("devstral-2", headless=headless, auth=auth) if service else None
    assert live_url(isvc, svc, auth=auth) == url


def test_live_url_uses_the_target_port_of_a_headless_service() -> None:
    service = predictor_service("devstral-2")
    service["spec"]["ports"][0]["targetPort"] = 8000
    assert live_url(live_isvc("devstral-2", []), service, auth=False) == f"http://{HOST}:8000/v1"
    service["spec"]["ports"][0]["targetPort"] = "http"  # named: the dashboard falls back to 8080
    assert live_url(live_isvc("devstral-2", []), service, auth=False) == f"http://{HOST}:8080/v1"


def test_an_https_address_without_auth_is_called_over_http() -> None:
    isvc = live_isvc("devstral-2", [])
    isvc["status"]["address"]["url"] = f"https://{HOST}"
    assert live_url(isvc, None, auth=False) == f"http://{HOST}/v1"


def test_no_address_yet() -> None:
    isvc = live_isvc("devstral-2", [])
    del isvc["status"]["address"]
    assert live_url(isvc, predictor_service("devstral-2"), auth=False) is None


def test_playground_service_url() -> None:
    assert playground_service_url("lsd-genai-playground", "private-ai", 8321) == (
        "http://lsd-genai-playground-service.private-ai.svc.cluster.local:8321"
    )


# --------------------------------------------------------------------------------------------- endpoints


def test_declared_endpoint_uses_config_and_playground_defaults() -> None:
    config = parse_stack_config(stack(model("devstral-2", gpus=4), playground={"defaultMaxTokens": 2048}))
    endpoint = resolve_endpoint(config.models[0], config)
    assert endpoint.provider_id == "vllm-devstral-2"
    assert endpoint.served_model_name == "devstral-2"
    assert endpoint.url == f"http://{HOST}:8080/v1"
    assert endpoint.max_tokens == 2048
    assert endpoint.context_length == 16384
    assert endpoint.gpus == 4
    assert endpoint.discovered is False


def test_url_override_wins() -> None:
    config = parse_stack_config(stack(model(url="https://models.example.com/mistral/v1")))
    assert resolve_endpoint(config.models[0], config).url == "https://models.example.com/mistral/v1"


def test_the_auth_proxy_needs_a_token_secret() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(stack(model("devstral-2", authProxy=True)))
    assert "authProxy needs apiTokenSecret" in str(caught.value)
    config = parse_stack_config(stack(model("devstral-2", authProxy=True, apiTokenSecret={"name": "sa-token"})))
    assert resolve_endpoint(config.models[0], config).url == f"https://{HOST}:8443/v1"


def test_discovery_takes_the_url_from_the_live_objects() -> None:
    config = parse_stack_config(stack(model("devstral-2", discover=True, predictorService="headless")))
    headed = resolve_endpoint(config.models[0], config, live("devstral-2", [], headless=False))
    assert headed.url == f"http://{HOST}/v1"  # the Service read wins over the stack file's kind


def test_discovery_of_an_auth_model_without_a_token_secret_uses_the_dashboards() -> None:
    config = parse_stack_config(stack(model("devstral-2", discover=True)))
    # Nothing read for the token: stop, naming the key.
    with pytest.raises(EndpointError) as caught:
        resolve_endpoint(config.models[0], config, live("devstral-2", [], auth=True))
    assert 'has security.opendatahub.io/enable-auth: "true"' in str(caught.value)
    assert "set apiTokenSecret" in str(caught.value)
    # The deploy wizard's token Secret of the model's ServiceAccount: the env references it, key token.
    found = live("devstral-2", [], auth=True)
    with_token = LiveModel(
        found.inference_service, found.serving_runtime, found.predictor_service, dashboard_token_secret("devstral-2")
    )
    endpoint = resolve_endpoint(config.models[0], config, with_token)
    assert endpoint.api_token_secret is not None
    assert (endpoint.api_token_secret.name, endpoint.api_token_secret.key) == ("default-name-devstral-2-sa", "token")
    [said] = [m for m in drift(config.models[0], endpoint) if "apiTokenSecret" in m]
    assert "using Secret private-ai/default-name-devstral-2-sa (key token)" in said
    # A Secret of that name that is no service-account token of that account is not used.
    for secret in (
        {**dashboard_token_secret("devstral-2"), "type": "Opaque"},
        dashboard_token_secret("devstral-2", account="other-sa"),
    ):
        wrong = LiveModel(found.inference_service, found.serving_runtime, found.predictor_service, secret)
        with pytest.raises(EndpointError, match="is not the dashboard's token of ServiceAccount devstral-2-sa"):
            resolve_endpoint(config.models[0], config, wrong)
    secured = parse_stack_config(stack(model("devstral-2", discover=True, apiTokenSecret={"name": "sa-token"})))
    endpoint = resolve_endpoint(secured.models[0], secured, live("devstral-2", [], auth=True))
    assert endpoint.url == f"https://{HOST}:8443/v1"
    assert endpoint.api_token_secret is not None and endpoint.api_token_secret.name == "sa-token"
    assert not [m for m in drift(secured.models[0], endpoint) if "apiTokenSecret" in m]


def test_live_objects_win_over_the_stack_file() -> None:
    config = parse_stack_config(stack(model("gpt-oss-20b", contextLength=32768, discover=True)))
    found = live("gpt-oss-20b", ["--max-model-len=8192", "--served-model-name=openai/gpt-oss-20b"], min_replicas=0)
    endpoint = resolve_endpoint(config.models[0], config, found)
    assert (endpoint.context_length, endpoint.served_model_name, endpoint.min_replicas) == (
        8192,
        "openai/gpt-oss-20b",
        0,
    )
    assert (endpoint.gpus, endpoint.runtime, endpoint.discovered) == (4, "vllm-runtime", True)
    assert drift(config.models[0], endpoint) == [
        "model gpt-oss-20b: contextLength is 32768 in the stack file but 8192 on the cluster; using 8192"
    ]


def test_the_configured_served_name_stays_when_vllm_answers_to_it() -> None:
    config = parse_stack_config(stack(model("gpt-oss-20b", discover=True, servedModelName="gpt-oss")))
    found = live("gpt-oss-20b", ["--served-model-name", "openai/gpt-oss-20b", "gpt-oss"])
    endpoint = resolve_endpoint(config.models[0], config, found)
    assert endpoint.served_model_name == "gpt-oss"
    assert drift(config.models[0], endpoint) == []


def test_the_runtime_is_read_too() -> None:
    config = parse_stack_config(stack(model("m", discover=True, contextLength=None)))
    found = live("m", [], runtime_args=["--model=/mnt/models", "--max-model-len=16k"])
    endpoint = resolve_endpoint(config.models[0], config, found)
    assert (endpoint.context_length, endpoint.served_model_name) == (16000, "/mnt/models")


def test_defaults_are_not_reported_as_drift() -> None:
    config = parse_stack_config(stack(model(discover=True)))
    endpoint = resolve_endpoint(
        config.models[0], config, live("mistral-3-int4", ["--max-model-len=16384"], min_replicas=0)
    )
    assert endpoint.min_replicas == 0
    assert drift(config.models[0], endpoint) == []


def test_flags_vllm_refuses_are_reported() -> None:
    config = parse_stack_config(stack(model(discover=True, contextLength=4096)))
    endpoint = resolve_endpoint(config.models[0], config, live("mistral-3-int4", ["--max-model-len=1.5K"]))
    assert endpoint.context_length == 4096
    assert drift(config.models[0], endpoint) == [
        "model mistral-3-int4: vLLM refuses its flags and does not start: argument --max-model-len: Decimals are "
        "not allowed with binary suffixes like K. Did you mean to use 1.5k instead?"
    ]


def test_live_without_max_model_len_falls_back_to_config() -> None:
    config = parse_stack_config(stack(model(discover=True, contextLength=4096)))
    endpoint = resolve_endpoint(config.models[0], config, live("mistral-3-int4", ["--dtype=bfloat16"], runtime=None))
    assert endpoint.context_length == 4096
    assert endpoint.runtime is None


def test_live_facts_ignore_garbage() -> None:
    facts = inference_service_facts(
        {"spec": {"predictor": {"minReplicas": "x", "model": {"args": ["--max-model-len=big"]}}}}
    )
    assert (facts.max_model_len, facts.min_replicas) == (None, None)
    assert inference_service_facts(live_isvc("m", []), serving_runtime(args=["--max-model-len=big"])).problems
