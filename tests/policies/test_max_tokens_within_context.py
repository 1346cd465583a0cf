"""max-tokens-within-context: max_tokens (as the server resolves it) + prompt reserve <= --max-model-len."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from genai_contract.releases import PROFILES
from genai_policies import max_tokens_within_context as rule

from genai_playground.manifests import RELEASE_ANNOTATION
from tests.policies.fixtures import (
    Model,
    foreign_run_yaml,
    foreign_stack,
    llm_inference_service,
    playground_stack,
    runtime_resource,
)
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
    # The stack key that sets it, and the env var it sets.
    assert (
        "Fix: set models[i].maxTokens (the entry with name: mistral-3-int4) in Pulumi.<stack>.yaml to at most 15360 "
        "(pulumi config set --path 'models[i].maxTokens' 15360); it sets VLLM_MAX_TOKENS_MISTRAL_3_INT4 on the "
        "LlamaStackDistribution" in violation.message
    )
    assert "--max-model-len of at least 17408" in violation.message


def test_the_fix_names_the_stack_file_of_the_stack_being_previewed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_STACK", "prod")  # the engine sets it for the pack process
    [violation] = single(rule.POLICY, playground_stack(Model("m", max_tokens=16384)))
    assert "models[i].maxTokens (the entry with name: m) in Pulumi.prod.yaml" in violation.message


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
    stack = playground_stack(Model("m")).edit("m", lambda props: props.pop("contextLength"))
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
    assert "set VLLM_MAX_TOKENS on LlamaStackDistribution lsd-genai-playground to at most 14976" in violation.message
    assert "models[i]" not in violation.message  # no stack file of ours sets it


# ------------------------------------------------------------------------ where --max-model-len comes from


def test_the_serving_runtime_of_the_stack_carries_the_flag() -> None:
    """KServe runs the ServingRuntime's args, then the InferenceService's: a flag of the runtime counts."""
    stack = foreign_stack(args=(), max_tokens="15000").add(runtime_resource(args=["--max-model-len=16k"]))
    [violation] = single(rule.POLICY, stack)
    assert "--max-model-len=16k of InferenceService private-ai/granite-8b-agent with ServingRuntime vllm-runtime" in (
        violation.message
    )
    assert "maximum context length is 16000 tokens" in violation.message


@pytest.mark.parametrize(
    ("runtime_args", "isvc_args", "context"),
    [
        (["--max-model-len=8192"], ["--max-model-len=32768"], 32768),  # the InferenceService's come last: they win
        (["--max-model-len", "32768"], ["--max_model_len", "8192"], 8192),  # space form, `_` for `-`
        (["--max-model-len=32768"], ["--max-model=8k"], 8000),  # argparse takes an unambiguous prefix
        (["--max-model-len=32768"], [], 32768),
    ],
)
def test_runtime_then_inference_service_args(runtime_args: list[str], isvc_args: list[str], context: int) -> None:
    stack = foreign_stack(args=tuple(isvc_args), max_tokens=str(context - 1023)).add(
        runtime_resource(args=runtime_args)
    )
    [violation] = single(rule.POLICY, stack)
    assert f"maximum context length is {context} tokens" in violation.message


def test_a_discovered_runtime_is_read_as_the_cluster_runs_it() -> None:
    """discover reads the ServingRuntime too; its placeholders ({{.Name}}) are filled as KServe does."""
    discovered = Model("m", max_tokens=8000, live_args=(), runtime_args=("--max-model-len=8192", "--model=/mnt/models"))
    [violation] = single(rule.POLICY, playground_stack(discovered))
    assert "--max-model-len=8192 of InferenceService private-ai/m with ServingRuntime vllm-runtime" in violation.message


def test_a_runtime_not_in_the_stack_is_taken_as_the_rhoai_template() -> None:
    """Its args would come first and lose to the InferenceService's; the message says what was assumed."""
    [violation] = single(rule.POLICY, foreign_stack(max_tokens="16000"))
    assert "its ServingRuntime vllm-runtime is not in the stack: the RHOAI vLLM template's args are assumed" in (
        violation.message
    )


@pytest.mark.parametrize(
    ("flag", "tokens"),
    [("16384", 16384), ("16k", 16000), ("16K", 16384), ("25.6k", 25600), ("1M", 1048576), ("+16384", 16384)],
)
def test_human_readable_lengths_as_vllm_reads_them(flag: str, tokens: int) -> None:
    stack = foreign_stack(args=(f"--max-model-len={flag}",), max_tokens=str(tokens - 1023))
    [violation] = single(rule.POLICY, stack)
    assert f"maximum context length is {tokens} tokens" in violation.message
    assert single(rule.POLICY, foreign_stack(args=(f"--max-model-len={flag}",), max_tokens=str(tokens - 1024))) == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--max-model-len=1.5K",), "Decimals are not allowed with binary suffixes like K. Did you mean to use 1.5k"),
        (("--max-model-len=2t",), "invalid human_readable_int value: '2t'"),
        (("--max-model-len",), "argument --max-model-len: expected one argument"),
    ],
)
def test_a_flag_vllm_refuses_stops_the_predictor(args: tuple[str, ...], error: str) -> None:
    [violation] = single(rule.POLICY, foreign_stack(args=args))
    assert "vLLM refuses the command line of InferenceService private-ai/granite-8b-agent" in violation.message
    assert error in violation.message and "crash-loops" in violation.message


def test_a_length_from_value_from_cannot_be_known() -> None:
    """`$(VAR)` in args is expanded by Kubernetes from the container env; a Secret's value is not known."""
    stack = foreign_stack(args=("--max-model-len=$(MAX_LEN)",))
    stack.edit(
        "granite-8b-agent",
        lambda props: props["spec"]["predictor"]["model"].update(
            env=[{"name": "MAX_LEN", "valueFrom": {"configMapKeyRef": {"name": "limits", "key": "len"}}}]
        ),
    )
    [violation] = single(rule.POLICY, stack)
    assert "the context length is unknown" in violation.message
    assert "passes --max-model-len=$(MAX_LEN), from an env var set through valueFrom or envFrom" in violation.message
    literal = stack.edit(
        "granite-8b-agent",
        lambda props: props["spec"]["predictor"]["model"].update(env=[{"name": "MAX_LEN", "value": "4k"}]),
    )
    [violation] = single(rule.POLICY, literal)
    assert "--max-model-len=4k of InferenceService" in violation.message  # $(MAX_LEN) expanded
    assert "maximum context length is 4000 tokens" in violation.message


def llm_stack(env: list[dict[str, object]], max_tokens: str = "4096") -> object:
    url = "https://qwen-kserve-workload-svc.private-ai.svc.cluster.local:8000/v1"
    return (
        foreign_stack(max_tokens=max_tokens)
        .remove("granite-8b-agent")
        .edit("run-config", lambda props: props["data"].update({"run.yaml": foreign_run_yaml("qwen", url)}))
        .add(llm_inference_service("qwen", env=env))
    )


def test_vllm_additional_args_of_an_llm_inference_service() -> None:
    """The llm-d template runs `eval "vllm serve ... ${VLLM_ADDITIONAL_ARGS} ..."`: the shell splits it."""
    env = [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--enable-prefix-caching --max-model-len 8192"}]
    [violation] = single(rule.POLICY, llm_stack(env, max_tokens="8000"))
    assert "--max-model-len=8192 of LLMInferenceService private-ai/qwen" in violation.message
    assert single(rule.POLICY, llm_stack(env, max_tokens="7168")) == []


def test_vllm_additional_args_from_a_secret_cannot_be_known() -> None:
    env = [{"name": "VLLM_ADDITIONAL_ARGS", "valueFrom": {"secretKeyRef": {"name": "args", "key": "args"}}}]
    [violation] = single(rule.POLICY, llm_stack(env))
    assert "VLLM_ADDITIONAL_ARGS is set through valueFrom or envFrom" in violation.message


# --- RHOAI 3.5: the OGXServer and its config.yaml (the program's own output)


def test_on_the_ogx_server_passes_at_the_limit_and_fails_one_over() -> None:
    assert single(rule.POLICY, playground_stack(Model("m", max_tokens=16384 - 1024), release="3.5")) == []
    stack = playground_stack(Model("m", max_tokens=16384 - 1023), release="3.5")
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(RUN_CONFIG)
    assert "max_tokens 15361 plus the 1024-token prompt reserve is 16385" in violation.message


def test_on_the_ogx_server_the_fix_names_its_env() -> None:
    """The OGXServer's env (spec.workload.overrides.env) decides max_tokens: the rule reads it there."""

    def lower(props: dict[str, Any]) -> None:
        for var in props["spec"]["workload"]["overrides"]["env"]:
            if var["name"] == "VLLM_MAX_TOKENS_M":
                var["value"] = "20000"

    stack = playground_stack(Model("m", max_tokens=1024), release="3.5").edit("playground-distribution", lower)
    [violation] = single(rule.POLICY, stack)
    assert "max_tokens 20000" in violation.message
    assert "at most 15360" in violation.message and "it sets VLLM_MAX_TOKENS_M on the OGXServer" in violation.message


def test_the_message_names_the_release_whose_dashboard_makes_the_provider_value_apply() -> None:
    [violation] = single(rule.POLICY, playground_stack(Model("m", max_tokens=16384)))
    assert violation.message.endswith(
        "RHOAI 3.0 (Llama Stack 0.3.0rc3+rhai0): the dashboard's chat sends no max_tokens of its own, so the "
        "provider's reaches vLLM on every chat."
    )


def test_a_release_whose_chat_never_sends_the_provider_value_is_not_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule follows the profile's fact: were a release's chat to send its own max_tokens, nothing would fail."""
    stack = playground_stack(Model("m", max_tokens=16384))
    assert len(single(rule.POLICY, stack)) == 1
    monkeypatch.setitem(PROFILES, "3.0", replace(PROFILES["3.0"], provider_max_tokens_applies=False))
    assert single(rule.POLICY, stack) == []


def test_a_config_map_made_elsewhere_is_judged_without_a_release() -> None:
    stack = foreign_stack(max_tokens="16384")
    [violation] = single(rule.POLICY, stack)
    assert "the dashboard's chat sends no max_tokens" not in violation.message


def test_the_release_annotation_is_the_one_the_program_writes() -> None:
    assert rule.RELEASE_ANNOTATION == RELEASE_ANNOTATION


def test_on_every_supported_release_the_provider_value_reaches_vllm() -> None:
    """Proven on each release's own server (tests/llama_stack_server/test_dashboard_chat.py)."""
    assert all(profile.provider_max_tokens_applies for profile in PROFILES.values())
