"""genai-asset-metadata: the label is the string "true", the use case is set, the runtime is named."""

from __future__ import annotations

from typing import Any

import pytest
from genai_policies import genai_asset_metadata as rule

from tests.policies.fixtures import Model, foreign_stack, inference_service, playground_stack
from tests.policies.harness import single

NAME = "genai-asset-metadata"


def label(value: Any) -> Any:
    return lambda props: props["metadata"].setdefault("labels", {}).update({"opendatahub.io/genai-asset": value})


def test_passes_the_program_stack_and_discovered_models() -> None:
    stack = playground_stack(Model("a"), Model("b", live_args=("--max-model-len=16384",)))
    assert single(rule.POLICY, stack) == []


@pytest.mark.parametrize("value", ["True", "yes", True])
def test_the_label_must_be_the_string_true(value: Any) -> None:
    stack = playground_stack(Model("a")).edit("a-asset-patch", label(value))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "mandatory")
    assert violation.urn == stack.urn("a-asset-patch")
    assert f"a-asset-patch sets the label opendatahub.io/genai-asset to {value!r}" in violation.message


def test_the_patch_wins_over_the_live_label() -> None:
    stack = playground_stack(Model("a", live_args=("--max-model-len=16384",)))
    stack.edit("a-live", label("false"))
    assert single(rule.POLICY, stack) == []


def test_an_asset_needs_the_use_case_annotation() -> None:
    def drop(props: dict[str, Any]) -> None:
        props["metadata"]["annotations"].pop("opendatahub.io/genai-use-case")

    stack = playground_stack(Model("a")).edit("a-asset-patch", drop)
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("a-asset-patch")
    assert "without the annotation opendatahub.io/genai-use-case" in violation.message


def test_a_known_inference_service_needs_its_runtime() -> None:
    stack = playground_stack(Model("a", live_args=("--max-model-len=16384",), runtime=None))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("a-live")
    assert "without spec.predictor.model.runtime" in violation.message


def test_a_created_inference_service_of_another_stack() -> None:
    assert single(rule.POLICY, foreign_stack()) == []
    stack = foreign_stack()
    stack.resources[0] = inference_service(
        "granite-8b-agent",
        ["--max-model-len=16384"],
        runtime=None,
        labels={"opendatahub.io/genai-asset": "true"},
        annotations={"opendatahub.io/genai-use-case": "chat"},
    )
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("granite-8b-agent") and "runtime" in violation.message


def test_an_unlabelled_inference_service_is_not_this_policys_business() -> None:
    stack = foreign_stack()
    stack.resources[0] = inference_service("granite-8b-agent", ["--max-model-len=16384"], runtime=None)
    assert single(rule.POLICY, stack) == []
