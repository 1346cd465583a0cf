"""Stack config validation: every problem named by key path, value and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genai_playground.config import ConfigError, config_from_engine, key_path, parse_stack_config
from tests.conftest import REPO, model, stack
from tests.support.stack_files import load_stack_file


def problems(raw: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return caught.value.problems


def test_dev_stack_describes_the_seeds_five_models() -> None:
    config = load_stack_file(REPO / "Pulumi.dev.yaml")
    assert config.namespace == "private-ai"
    assert {m.name: m.use_case for m in config.models} == {
        "mistral-3-int4": "chat assistant",
        "mistral-3-bf16": "enterprise chat assistant",
        "devstral-2": "agentic coding assistant",
        "gpt-oss-20b": "complex reasoning",
        "granite-8b-agent": "agentic tool-calling",
    }


def test_defaults_follow_the_dashboard() -> None:
    config = parse_stack_config(stack())
    assert config.playground.name == "lsd-genai-playground"
    assert config.playground.config_map_name == "llama-stack-config"
    assert config.playground.default_max_tokens == 4096
    assert config.playground.wait_timeout_seconds == 300
    assert config.prerequisites.manage is False
    assert config.maas.enabled is False


def test_bad_value_names_key_path_value_and_rule() -> None:
    [message] = problems(stack(model("a"), model("b"), model("c", maxTokens=-5)))
    assert message.startswith("models[2].maxTokens: -5 is not allowed:")
    assert "greater than 0" in message


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"namespace": "Private_AI", "models": [model(gpus="four"), {"name": "x"}]})
    paths = sorted(message.split(":")[0] for message in found)
    assert paths == ["models[0].gpus", "models[1].useCase", "namespace"]


def test_unknown_key_lists_the_allowed_ones() -> None:
    [message] = problems(stack(model(maxToken=100)))
    assert message.startswith("models[0].maxToken: unknown key")
    assert "maxTokens" in message and "contextLength" in message


def test_unknown_top_level_key_is_reported() -> None:
    [message] = problems({**stack(), "modles": []})
    assert message.startswith("modles: unknown key") and "models" in message


def test_context_length_required_unless_discovered() -> None:
    entry = model()
    del entry["contextLength"]
    [message] = problems(stack(entry))
    assert message.startswith("models[0]:") and "contextLength is required unless discover is true" in message
    assert parse_stack_config(stack({**entry, "discover": True})).models[0].context_length is None


def test_duplicate_model_names_rejected() -> None:
    [message] = problems(stack(model("a"), model("a")))
    assert message.startswith("models:") and "'a' appears twice" in message


@pytest.mark.parametrize("url", ["ftp://x/v1", "http://x:8080", "http://x/v1/"])
def test_url_override_must_be_an_openai_base(url: str) -> None:
    [message] = problems(stack(model(url=url)))
    assert message.startswith("models[0].url:") and "ending in /v1" in message


def test_inference_service_name_leaves_room_for_the_predictor_suffix() -> None:
    [message] = problems(stack(model("a" * 54)))
    assert message.startswith("models[0].name:") and "at most 53" in message


def test_engine_config_decodes_json_and_ignores_other_namespaces() -> None:
    values = {
        "genai-playground:namespace": "private-ai",
        "genai-playground:models": json.dumps([model()]),
        "kubernetes:context": "admin",
    }
    assert config_from_engine(values).models[0].name == "mistral-3-int4"


def test_key_path_formatting() -> None:
    assert key_path(("models", 2, "maxTokens")) == "models[2].maxTokens"
    assert key_path(()) == "(top level)"


def test_every_stack_file_in_the_repo_is_valid() -> None:
    for path in sorted(Path(REPO).glob("Pulumi.*.yaml")):
        assert load_stack_file(path).models, path
