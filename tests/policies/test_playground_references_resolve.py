"""playground-references-resolve: providers exist, ids are unique, vLLM models are labelled GenAI assets."""

from __future__ import annotations

from typing import Any

from genai_policies import playground_references_resolve as rule

from tests.policies.fixtures import Model, asset_patch, foreign_stack, inference_service, playground_stack
from tests.policies.harness import single

NAME = "playground-references-resolve"
RUN_CONFIG = "playground-run-config"


def test_passes_the_program_stack() -> None:
    assert single(rule.POLICY, playground_stack(Model("a"), Model("b"))) == []


def test_a_model_naming_a_missing_provider() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc["models"][0].update(provider_id="vllm-typo"))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(RUN_CONFIG))
    assert "model vllm-a/a in ConfigMap private-ai/llama-stack-config" in violation.message
    assert "names provider_id vllm-typo, which no provider of run.yaml has" in violation.message


def test_duplicate_model_ids() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc["models"].append(dict(doc["models"][0])))
    [violation] = single(rule.POLICY, stack)
    assert "model_id vllm-a/a is registered 2 times" in violation.message


def test_an_inference_service_without_the_asset_label() -> None:
    stack = playground_stack(Model("a"), Model("b")).remove("b-asset-patch")
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(RUN_CONFIG)
    assert 'InferenceService private-ai/b is not labelled opendatahub.io/genai-asset: "true"' in violation.message
    assert "oc label inferenceservice b -n private-ai opendatahub.io/genai-asset=true" in violation.message


def test_a_label_that_is_not_the_string_true_is_no_label() -> None:
    def capitalised(props: dict[str, Any]) -> None:
        props["metadata"]["labels"]["opendatahub.io/genai-asset"] = "True"

    [violation] = single(rule.POLICY, playground_stack(Model("a")).edit("a-asset-patch", capitalised))
    assert "is not labelled" in violation.message


def test_a_url_outside_the_stack() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].update(url="https://vllm.example.com/v1")
    )
    # The VllmModelEndpoint still maps its provider id to the labelled InferenceService.
    assert single(rule.POLICY, stack) == []
    stack.remove("a").remove("a-asset-patch")
    [violation] = single(rule.POLICY, stack)
    assert "its url https://vllm.example.com/v1 is no InferenceService of this stack" in violation.message


def test_provider_model_id_must_be_the_served_name() -> None:
    live = Model("gpt-oss-20b", live_args=("--max-model-len=16384", "--served-model-name=openai/gpt-oss-20b"))
    [violation] = single(rule.POLICY, playground_stack(live))
    assert (
        "provider_model_id is gpt-oss-20b but InferenceService private-ai/gpt-oss-20b serves the model as "
        "openai/gpt-oss-20b" in violation.message
    )
    assert "The model `gpt-oss-20b` does not exist." in violation.message
    served = Model("gpt-oss-20b", served_model_name="openai/gpt-oss-20b", live_args=live.live_args)
    assert single(rule.POLICY, playground_stack(served)) == []


def test_without_a_served_name_flag_the_runtime_serves_the_inference_service_name() -> None:
    stack = playground_stack(Model("a", served_model_name="org/a", live_args=("--max-model-len=16384",)))
    [violation] = single(rule.POLICY, stack)
    assert "serves the model as a" in violation.message


def test_a_foreign_stack_with_a_created_inference_service() -> None:
    assert single(rule.POLICY, foreign_stack()) == []
    unlabelled = foreign_stack()
    unlabelled.resources[0] = inference_service("granite-8b-agent", ["--max-model-len=16384"])
    [violation] = single(rule.POLICY, unlabelled)
    assert violation.urn == unlabelled.urn("run-config")
    # Labelling it with a patch in the same stack is enough.
    assert single(rule.POLICY, unlabelled.add(asset_patch("granite-8b-agent"))) == []
