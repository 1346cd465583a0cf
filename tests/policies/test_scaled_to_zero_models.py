"""scaled-to-zero-models (advisory): a registered model with minReplicas 0 shows errors until scaled up."""

from __future__ import annotations

from genai_policies import scaled_to_zero_models as rule

from tests.policies.fixtures import Model, playground_stack
from tests.policies.harness import single

NAME = "scaled-to-zero-models"


def test_running_models_pass() -> None:
    assert single(rule.POLICY, playground_stack(Model("a"), Model("b", min_replicas=2))) == []


def test_a_declared_scaled_to_zero_model() -> None:
    stack = playground_stack(Model("a"), Model("gpt-oss-20b", min_replicas=0))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "advisory")
    assert violation.urn == stack.urn("gpt-oss-20b")
    assert "model vllm-gpt-oss-20b/gpt-oss-20b is registered in the playground" in violation.message
    assert "InferenceService private-ai/gpt-oss-20b has minReplicas 0" in violation.message
    assert "oc scale deployment gpt-oss-20b-predictor -n private-ai --replicas=1" in violation.message


def test_the_live_min_replicas_counts() -> None:
    stack = playground_stack(Model("a", live_args=("--max-model-len=16384",)))
    stack.edit("a-live", lambda props: props["spec"]["predictor"].update(minReplicas=0))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("a")


def test_a_model_left_out_of_the_playground_is_fine() -> None:
    stack = playground_stack(Model("a"), Model("b", min_replicas=0)).edit_run_yaml(
        lambda doc: doc.update(models=[m for m in doc["models"] if m["model_id"] != "vllm-b/b"])
    )
    assert single(rule.POLICY, stack) == []


def test_can_be_made_mandatory() -> None:
    [violation] = single(rule.POLICY, playground_stack(Model("a", min_replicas=0)), {"enforcementLevel": "mandatory"})
    assert violation.enforcement_level == "mandatory"
