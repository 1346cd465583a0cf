"""gpu-budget (advisory): GPUs of always-on models within maxAlwaysOnGpus."""

from __future__ import annotations

from genai_policies import gpu_budget as rule

from tests.policies.fixtures import SEED_MODELS, Model, playground_stack
from tests.policies.harness import single

NAME = "gpu-budget"
SEED = SEED_MODELS


def test_the_seed_models_exceed_the_default_budget() -> None:
    [violation] = single(rule.POLICY, playground_stack(*SEED))
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "advisory", "")
    assert "always-on models (minReplicas > 0) hold 14 GPUs, over the budget of 8" in violation.message
    assert (
        "private-ai/devstral-2 4, private-ai/gpt-oss-20b 4, private-ai/mistral-3-bf16 4, "
        "private-ai/granite-8b-agent 1, private-ai/mistral-3-int4 1" in violation.message
    )


def test_a_larger_budget_passes() -> None:
    assert single(rule.POLICY, playground_stack(*SEED), {"maxAlwaysOnGpus": 14}) == []


def test_scaled_to_zero_models_hold_no_gpus_and_replicas_multiply() -> None:
    assert single(rule.POLICY, playground_stack(Model("a", gpus=4, min_replicas=0), Model("b", gpus=8))) == []
    [violation] = single(rule.POLICY, playground_stack(Model("b", gpus=4, min_replicas=3)))
    assert "hold 12 GPUs" in violation.message


def test_the_live_inference_service_counts_its_gpu_limits() -> None:
    stack = playground_stack(Model("a", gpus=1, live_args=("--max-model-len=16384",)))
    limits = {"nvidia.com/gpu": "9"}
    stack.edit("a-live", lambda p: p["spec"]["predictor"]["model"]["resources"].update(limits=limits))
    [violation] = single(rule.POLICY, stack)
    assert "hold 9 GPUs" in violation.message


def test_can_be_made_mandatory() -> None:
    [violation] = single(rule.POLICY, playground_stack(*SEED), {"enforcementLevel": "mandatory"})
    assert violation.enforcement_level == "mandatory"
