"""max-tokens-within-context: max_tokens (as the server resolves it) + prompt reserve <= --max-model-len."""

from __future__ import annotations

from genai_policies import max_tokens_within_context as rule

from tests.policies.fixtures import Model, foreign_stack, playground_stack
from tests.policies.harness import single

NAME = "max-tokens-within-context"
RUN_CONFIG = "playground-run-config"


def test_passes_the_seed_values() -> None:
    assert single(rule.POLICY, playground_stack(Model("mistral-3-int4"), Model("devstral-2", gpus=4))) == []


def test_passes_at_exactly_the_limit_and_fails_one_token_over() -> None:
    assert single(rule.POLICY, playground_stack(Model("m", max_tokens=16384 - 1024))) == []
    [violation] = single(rule.POLICY, playground_stack(Model("m", max_tokens=16384 - 1023)))
    assert "max_tokens 15361 plus the 1024-token prompt reserve is 16385" in violation.message


def test_fails_with_the_vllm_error_users_would_see() -> None:
    stack = playground_stack(Model("mistral-3-int4", max_tokens=16384))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "mandatory")
    assert violation.urn == stack.urn(RUN_CONFIG)
    assert "model vllm-mistral-3-int4/mistral-3-int4 (provider vllm-mistral-3-int4" in violation.message
    assert "more than the model's context length 16384" in violation.message
    assert (
        "This model's maximum context length is 16384 tokens. However, you requested 17408 tokens "
        "(1024 in the messages, 16384 in the completion)." in violation.message
    )
    assert "set VLLM_MAX_TOKENS_MISTRAL_3_INT4 on LlamaStackDistribution lsd-genai-playground" in violation.message
    assert "to at most 15360" in violation.message and "--max-model-len of at least 17408" in violation.message


def test_the_distribution_env_overrides_the_run_yaml_default() -> None:
    stack = playground_stack(Model("m", max_tokens=4096)).set_env("VLLM_MAX_TOKENS_M", "16000")
    [violation] = single(rule.POLICY, stack)
    assert "with VLLM_MAX_TOKENS_M=16000" in violation.message and "max_tokens 16000" in violation.message


def test_an_absent_max_tokens_is_the_llama_stack_default() -> None:
    stack = playground_stack(Model("m", context_length=4096)).edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].pop("max_tokens")
    )
    [violation] = single(rule.POLICY, stack)
    assert "max_tokens 4096 plus" in violation.message and "the default (4096)" in violation.message
    assert "set max_tokens of the provider in run.yaml" in violation.message


def test_the_live_max_model_len_wins_over_the_declared_context_length() -> None:
    discovered = Model("gpt-oss-20b", context_length=32768, max_tokens=8000, live_args=("--max-model-len=8192",))
    [violation] = single(rule.POLICY, playground_stack(discovered))
    assert "--max-model-len=8192 of InferenceService private-ai/gpt-oss-20b" in violation.message
    assert "maximum context length is 8192 tokens" in violation.message


def test_prompt_reserve_is_configurable() -> None:
    stack = playground_stack(Model("m", max_tokens=16384))
    assert single(rule.POLICY, stack, {"promptReserve": 0}) == []
    [violation] = single(rule.POLICY, playground_stack(Model("m", max_tokens=12289)), {"promptReserve": 4096})
    assert "the 4096-token prompt reserve is 16385" in violation.message


def test_unknown_context_length_is_reported_unless_allowed() -> None:
    stack = playground_stack(Model("m", context_length=None))
    [violation] = single(rule.POLICY, stack)
    assert "the context length is unknown" in violation.message and violation.urn == stack.urn(RUN_CONFIG)
    assert single(rule.POLICY, stack, {"requireKnownContextLength": False}) == []


def test_max_tokens_from_a_secret_is_unknown() -> None:
    stack = playground_stack(Model("m")).set_env("VLLM_MAX_TOKENS_M", secret="limits")
    [violation] = single(rule.POLICY, stack)
    assert "cannot be known before deploy" in violation.message and "secretKeyRef limits/token" in violation.message
    assert single(rule.POLICY, stack, {"requireKnownMaxTokens": False}) == []


def test_embedding_models_are_not_checked() -> None:
    stack = playground_stack(Model("m"), rag=True)
    assert single(rule.POLICY, stack, {"promptReserve": 20000}) != []  # the llm model fails...
    [violation] = single(rule.POLICY, stack, {"promptReserve": 20000})
    assert "granite-embedding" not in violation.message  # ...and the embedding model is not judged


def test_a_stack_without_our_components_is_judged_the_same() -> None:
    assert single(rule.POLICY, foreign_stack()) == []
    stack = foreign_stack(max_tokens="16000", args=("--max-model-len", "16k"))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("run-config")
    assert "--max-model-len=16k of InferenceService private-ai/granite-8b-agent" in violation.message
    assert "maximum context length is 16000 tokens" in violation.message
    assert "set VLLM_MAX_TOKENS on LlamaStackDistribution lsd-genai-playground" in violation.message
