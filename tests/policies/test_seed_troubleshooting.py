"""The seed's troubleshooting table, each row caught by the pack before deploy (the whole pack, default config).

| Symptom (seed)                                 | Root cause (seed)                   | Caught by                     |
| Playground shows no models                     | no genai-asset label                | playground-references-resolve |
| Playground returns errors for a model          | minReplicas 0                       | scaled-to-zero-models         |
| LlamaStack pod CrashLoopBackOff                | bad run.yaml                        | llama-stack-config-valid      |
| Model works directly but not in the playground | VLLM_MAX_TOKENS above max-model-len | max-tokens-within-context     |
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.policies.fixtures import SEED_MODELS, Model, StackFixture, foreign_stack, playground_stack
from tests.policies.harness import InProcessPack

SEED = SEED_MODELS
# The seed's cluster queues models through Kueue: its always-on GPUs are the platform team's call.
BUDGET = {"gpu-budget": {"maxAlwaysOnGpus": 16}}


def caught(stack: StackFixture) -> list[tuple[str, str, str]]:
    return sorted((v.policy, v.enforcement_level, v.urn) for v in InProcessPack(config=BUDGET).check(stack))


def test_the_seed_deployment_itself_passes() -> None:
    assert caught(playground_stack(*SEED)) == []


def test_playground_shows_no_models_without_the_asset_label() -> None:
    stack = playground_stack(*SEED)
    for model in SEED:
        stack.remove(f"{model.name}-asset-patch")
    found = caught(stack)
    assert found == [("playground-references-resolve", "mandatory", stack.urn("playground-run-config"))] * 5


def test_connection_errors_for_a_model_that_is_not_running() -> None:
    stack = playground_stack(*SEED[:3], Model("gpt-oss-20b", gpus=4, min_replicas=0), SEED[4])
    assert caught(stack) == [("scaled-to-zero-models", "advisory", stack.urn("gpt-oss-20b"))]


BAD_RUN_YAML: dict[str, Callable[[StackFixture], StackFixture]] = {
    "syntax error": lambda s: s.edit(
        "playground-run-config", lambda p: p["data"].update({"run.yaml": p["data"]["run.yaml"] + "models: [\n"})
    ),
    "env var unset": lambda s: s.edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].update(api_token="${env.VLLM_API_TOKEN}")
    ),
    "no run.yaml key": lambda s: s.edit(
        "playground-run-config", lambda p: p.update(data={"config.yaml": p["data"]["run.yaml"]})
    ),
    "port mismatch": lambda s: s.edit_run_yaml(lambda doc: doc.update(server={"port": 8080})),
}


@pytest.mark.parametrize("case", sorted(BAD_RUN_YAML))
def test_crash_loop_from_a_bad_run_yaml(case: str) -> None:
    stack = BAD_RUN_YAML[case](playground_stack(*SEED))
    found = caught(stack)
    assert found and {(policy, level) for policy, level, _ in found} == {("llama-stack-config-valid", "mandatory")}


def test_max_tokens_above_max_model_len() -> None:
    # The seed's own run.yaml shape: one VLLM_MAX_TOKENS for every provider, on the distribution.
    stack = foreign_stack(max_tokens="16384")
    [violation] = InProcessPack(config=BUDGET).check(stack)
    assert (violation.policy, violation.enforcement_level) == ("max-tokens-within-context", "mandatory")
    assert "This model's maximum context length is 16384 tokens. However, you requested 17408 tokens" in (
        violation.message
    )
