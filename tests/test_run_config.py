"""The run.yaml builder: flat 3.0 layout, one remote::vllm provider per model, deterministic text."""

from __future__ import annotations

from typing import Any

import yaml

from genai_playground.config import StackConfig, parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.run_config import RenderedRunConfig, render_run_config
from tests.conftest import model, stack


def render(config: StackConfig) -> RenderedRunConfig:
    return render_run_config([resolve_endpoint(m, config) for m in config.models], config.playground)


def document(config: StackConfig) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(render(config).text)
    return loaded


def two_models(**playground: Any) -> StackConfig:
    return parse_stack_config(
        stack(
            model("mistral-3-int4", displayName="Mistral-3 INT4 (1-GPU)", maxTokens=2048),
            model("gpt-oss-20b", servedModelName="openai/gpt-oss-20b", url="https://gpt.example.com/v1"),
            playground=playground,
        )
    )


def test_flat_layout_for_the_3_0_image() -> None:
    doc = document(two_models())
    assert (doc["version"], doc["image_name"], doc["server"]) == ("2", "rh", {"port": 8321})
    assert not {"storage", "registered_resources"} & set(doc)
    # As the image's default run.yaml: the registry and the stored chat completions in their own files.
    assert doc["metadata_store"] == {
        "type": "sqlite",
        "db_path": "${env.SQLITE_STORE_DIR:=/opt/app-root/src/.llama/distributions/rh}/registry.db",
    }
    assert doc["inference_store"]["db_path"].endswith("/inference_store.db")
    # safety has no provider: listed, it gets the (empty) router the agents provider needs to start.
    assert set(doc["apis"]) == set(doc["providers"]) | {"safety"}


def test_one_vllm_provider_per_model_sorted_by_name() -> None:
    vllm = [p for p in document(two_models())["providers"]["inference"] if p["provider_type"] == "remote::vllm"]
    assert vllm == [
        {
            "provider_id": "vllm-gpt-oss-20b",
            "provider_type": "remote::vllm",
            "config": {
                "url": "https://gpt.example.com/v1",
                "max_tokens": "${env.VLLM_MAX_TOKENS_GPT_OSS_20B:=4096}",
                "api_token": "${env.VLLM_API_TOKEN_GPT_OSS_20B:=fake}",
                "tls_verify": True,
            },
        },
        {
            "provider_id": "vllm-mistral-3-int4",
            "provider_type": "remote::vllm",
            "config": {
                "url": "http://mistral-3-int4-predictor.private-ai.svc.cluster.local:8080/v1",
                "max_tokens": "${env.VLLM_MAX_TOKENS_MISTRAL_3_INT4:=2048}",
                "api_token": "${env.VLLM_API_TOKEN_MISTRAL_3_INT4:=fake}",
                "tls_verify": True,
            },
        },
    ]


def test_every_model_is_provider_slash_name_whatever_its_served_name() -> None:
    llms = [m for m in document(two_models())["models"] if m["model_type"] == "llm"]
    assert llms == [
        {
            "model_id": "vllm-gpt-oss-20b/gpt-oss-20b",
            "provider_id": "vllm-gpt-oss-20b",
            "provider_model_id": "openai/gpt-oss-20b",
            "model_type": "llm",
            "metadata": {"display_name": "gpt-oss-20b"},
        },
        {
            "model_id": "vllm-mistral-3-int4/mistral-3-int4",
            "provider_id": "vllm-mistral-3-int4",
            "provider_model_id": "mistral-3-int4",
            "model_type": "llm",
            "metadata": {"display_name": "Mistral-3 INT4 (1-GPU)"},
        },
    ]


def test_rag_parts_match_the_dashboard_and_can_be_switched_off() -> None:
    with_rag = document(two_models())
    embedding = [m for m in with_rag["models"] if m["model_type"] == "embedding"]
    assert embedding == [
        {
            "model_id": "granite-embedding-125m",
            "provider_id": "sentence-transformers",
            "provider_model_id": "ibm-granite/granite-embedding-125m-english",
            "model_type": "embedding",
            "metadata": {"embedding_dimension": 768},
        }
    ]
    assert with_rag["providers"]["vector_io"][0]["provider_type"] == "inline::milvus"
    assert with_rag["tool_groups"] == [{"toolgroup_id": "builtin::rag", "provider_id": "rag-runtime"}]

    without = document(two_models(rag=False))
    assert [m["model_type"] for m in without["models"]] == ["llm", "llm"]
    # Agents (the dashboard's Responses API) stay, with the Milvus they need to start and the dashboard's files
    # panel writes to; safety gets a router without a provider.
    assert set(without["providers"]) == {"agents", "inference", "tool_runtime", "vector_io"}
    assert without["providers"]["vector_io"] == with_rag["providers"]["vector_io"]
    assert set(without["apis"]) == {"agents", "inference", "safety", "tool_runtime", "vector_io"}
    assert [p["provider_id"] for p in without["providers"]["tool_runtime"]] == ["model-context-protocol"]
    assert without["tool_groups"] == []


def test_env_covers_every_reference_and_tokens_come_from_secrets() -> None:
    config = parse_stack_config(stack(model("a", apiTokenSecret={"name": "a-token"}), model("b")))
    rendered = render(config)
    env = {var.name: var.manifest() for var in rendered.env}
    assert env["VLLM_API_TOKEN_A"] == {
        "name": "VLLM_API_TOKEN_A",
        "valueFrom": {"secretKeyRef": {"name": "a-token", "key": "token"}},
    }
    assert env["VLLM_API_TOKEN_B"] == {"name": "VLLM_API_TOKEN_B", "value": "fake"}
    assert env["VLLM_MAX_TOKENS_A"]["value"] == "4096"
    referenced = {part.split("}")[0].split(":")[0] for part in rendered.text.split("${env.")[1:]}
    assert referenced == set(env)


def test_same_config_renders_byte_identical_text() -> None:
    assert render(two_models()).text == render(two_models()).text


def test_model_order_in_the_stack_file_does_not_matter() -> None:
    forward = parse_stack_config(stack(model("a"), model("b"), model("c")))
    backward = parse_stack_config(stack(model("c"), model("b"), model("a")))
    assert render(forward) == render(backward)
