"""Property-based tests over the stack config: what holds for every config a user could write."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_playground.config import ConfigError, StackConfig, parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.manifests import asset_patch, distribution, run_config_map
from genai_playground.run_config import render_run_config
from tests.config_strategies import BAD_MODEL_VALUES, json_values, stack_configs


def rendered_objects(config: StackConfig) -> list[dict[str, Any]]:
    endpoints = [resolve_endpoint(model, config) for model in config.models]
    rendered = render_run_config(endpoints, config.playground, config.profile)
    ordered = sorted(endpoints, key=lambda e: e.model_id)
    objects = [asset_patch(endpoint, display_name=endpoint.display_name) for endpoint in ordered]
    return [
        *objects,
        run_config_map(config.namespace, config.playground, rendered, config.profile),
        distribution(config.namespace, config.playground, rendered, config.profile),
    ]


@settings(max_examples=150, deadline=None)
@given(stack_configs())
def test_valid_configs_render_a_complete_run_yaml(raw: dict[str, Any]) -> None:
    config = parse_stack_config(raw)
    profile = config.profile
    [text] = rendered_objects(config)[-2]["data"].values()
    assert rendered_objects(config)[-2]["data"] == {profile.config_key: text}
    document = yaml.safe_load(text)
    # Each layout writes only the keys its server reads (genai_playground.run_config).
    if profile.layout == "flat":
        registered = document["models"]
        assert not {"storage", "registered_resources"} & set(document)
    else:
        registered = document["registered_resources"]["models"]
        assert "storage" in document and not {"models", "metadata_store", "tool_groups"} & set(document)
    llms = [m for m in registered if m["model_type"] == "llm"]
    vllm = [p for p in document["providers"]["inference"] if p["provider_type"] == "remote::vllm"]
    assert len(llms) == len(vllm) == len(config.models)
    assert {m["provider_id"] for m in llms} == {p["provider_id"] for p in vllm}
    assert all(set(p["config"]) >= {profile.vllm_url_field, "max_tokens"} for p in vllm)
    assert profile.chat_api in document["apis"] and profile.name_key in document


@settings(max_examples=100, deadline=None)
@given(stack_configs())
def test_rendering_twice_is_byte_identical(raw: dict[str, Any]) -> None:
    first = yaml.safe_dump(rendered_objects(parse_stack_config(raw)))
    assert first == yaml.safe_dump(rendered_objects(parse_stack_config(raw)))


@settings(max_examples=100, deadline=None)
@given(stack_configs(), st.randoms(use_true_random=False))
def test_reordering_models_changes_no_rendered_object(raw: dict[str, Any], random: Any) -> None:
    shuffled = {**raw, "models": random.sample(raw["models"], len(raw["models"]))}
    assert rendered_objects(parse_stack_config(raw)) == rendered_objects(parse_stack_config(shuffled))


@settings(max_examples=150, deadline=None)
@given(stack_configs(), st.sampled_from(BAD_MODEL_VALUES), st.data())
def test_one_bad_value_is_reported_at_its_key_path(raw: dict[str, Any], bad: tuple[str, Any], data: Any) -> None:
    key, value = bad
    index = data.draw(st.integers(0, len(raw["models"]) - 1))
    broken = {**raw, "models": [dict(m) for m in raw["models"]]}
    broken["models"][index][key] = value
    try:
        parse_stack_config(broken)
    except ConfigError as error:
        assert any(problem.startswith(f"models[{index}].{key}") for problem in error.problems), error.problems
    else:
        raise AssertionError(f"models[{index}].{key} = {value!r} was accepted")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["namespace", "models", "playground", "maas", "bogus"]), json_values))
def test_arbitrary_input_gives_a_config_error_never_a_crash(raw: dict[str, Any]) -> None:
    try:
        parse_stack_config(raw)
    except ConfigError as error:
        assert error.problems and all(":" in problem for problem in error.problems)
