"""The pack as its own process, driven over gRPC the way the engine drives it (offline_preview.policy_pack)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_preview.engine import run_program
from offline_preview.policy_pack import (
    UNKNOWN,
    AnalyzedResource,
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    Violation,
    resolve_policy_config,
)
from offline_preview.policy_pack import secret as wire_secret
from tests.conftest import REPO
from tests.policies.fixtures import SEED_MODELS as SEED
from tests.policies.fixtures import (
    Model,
    StackFixture,
    config_map,
    foreign_run_yaml,
    foreign_stack,
    llm_inference_service,
    playground_stack,
    runtime_resource,
    secret,
)
from tests.support.isvc_snapshots import TEMPLATE_ARGS

PACK = REPO / "policies"
POLICIES = {
    "max-tokens-within-context": ("mandatory", "stack"),
    "playground-references-resolve": ("mandatory", "stack"),
    "llama-stack-config-valid": ("mandatory", "stack"),
    "genai-asset-metadata": ("mandatory", "stack"),
    "tls-verify-cluster-internal-only": ("mandatory", "stack"),
    "no-plaintext-credentials": ("mandatory", "resource"),
    "scaled-to-zero-models": ("advisory", "stack"),
    "models-listed-in-playground": ("advisory", "stack"),
    "replicas-share-no-state": ("advisory", "stack"),
    "gpu-budget": ("advisory", "stack"),
    "maas-gateway-requires-auth": ("mandatory", "stack"),
    "maas-tier-limits-defined": ("mandatory", "stack"),
    "mcp-servers-reachable": ("mandatory", "resource"),
    "no-credentials-in-dashboard-config-maps": ("mandatory", "resource"),
    "dashboard-input-secrets-declared": ("mandatory", "stack"),
    "dashboard-flags-match-inputs": ("advisory", "stack"),
}


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK, stack="dev") as process:
        yield process


def preview(
    pack: PolicyPackProcess,
    user_config: dict[str, object],
    resources: list[AnalyzedResource],
    reads: set[str] | None = None,
) -> list[Violation]:
    """What `pulumi preview --policy-config` would report (the fixtures' inputs are their outputs)."""
    return pack.preview(user_config, [r for r in resources if r.urn not in (reads or set())], resources)


def test_the_pack_describes_its_policies(pack: PolicyPackProcess) -> None:
    info = pack.info()
    assert (info.name, info.version) == ("genai-playground", "0.1.0")  # the version of PulumiPolicy.yaml
    assert {p.name: (p.enforcement_level, p.kind) for p in info.policies} == POLICIES
    assert info.policy("gpu-budget").config_schema["maxAlwaysOnGpus"]["default"] == 8


def test_default_config_on_the_seed_stack(pack: PolicyPackProcess) -> None:
    stack = playground_stack(*SEED)
    violations = preview(pack, {}, stack.resources, stack.reads)
    assert [(v.policy, v.enforcement_level, v.urn) for v in violations] == [("gpu-budget", "advisory", "")]


def test_policy_config_changes_enforcement_levels(pack: PolicyPackProcess) -> None:
    stack = playground_stack(*SEED[:4], Model("granite-8b-agent", max_tokens=16384))
    defaults = preview(pack, {}, stack.resources)
    assert sorted((v.policy, v.enforcement_level) for v in defaults) == [
        ("gpu-budget", "advisory"),
        ("max-tokens-within-context", "mandatory"),
    ]
    user_config = {"gpu-budget": "mandatory", "max-tokens-within-context": {"enforcementLevel": "disabled"}}
    configured = preview(pack, user_config, stack.resources)
    assert [(v.policy, v.enforcement_level) for v in configured] == [("gpu-budget", "mandatory")]


def test_all_then_a_policys_own_entry(pack: PolicyPackProcess) -> None:
    stack = playground_stack(Model("a", max_tokens=16384, min_replicas=0))
    violations = preview(pack, {"all": "advisory", "scaled-to-zero-models": "disabled"}, stack.resources)
    assert [(v.policy, v.enforcement_level) for v in violations] == [("max-tokens-within-context", "advisory")]


def test_policy_properties_reach_the_pack(pack: PolicyPackProcess) -> None:
    stack = playground_stack(*SEED)
    assert preview(pack, {"gpu-budget": {"maxAlwaysOnGpus": 16}}, stack.resources) == []
    one = playground_stack(Model("a"))  # 4096 + 12289 is one token over 16384
    [violation] = preview(pack, {"max-tokens-within-context": {"promptReserve": 12289}}, one.resources)
    assert "the 12289-token prompt reserve" in violation.message


def test_a_resource_violation_carries_the_resource_urn(pack: PolicyPackProcess) -> None:
    unmarked = secret("a-token", {"token": "sk"}, marked=False)
    [violation] = preview(pack, {}, [unmarked])
    assert (violation.policy, violation.urn) == ("no-plaintext-credentials", unmarked.urn)
    assert violation.message.startswith("No literal api token")  # the description, then the rule's message


def test_secret_values_reach_the_rules_unwrapped(pack: PolicyPackProcess) -> None:
    marked = secret("a-token", {"token": "sk"})
    wire = AnalyzedResource(
        marked.type,
        marked.urn,
        marked.name,
        {**marked.properties, "stringData": wire_secret({"token": "sk"})},
        additional_secret_outputs=marked.additional_secret_outputs,
    )
    assert preview(pack, {}, [wire]) == []
    # Only the resource option tells the pack the data is secret: the SDK unwraps the value itself.
    unmarked = AnalyzedResource(wire.type, wire.urn, wire.name, wire.properties)
    [violation] = preview(pack, {}, [unmarked])
    assert "stringData is not marked secret" in violation.message


def test_unknown_values_during_preview_give_the_packs_advisory(pack: PolicyPackProcess) -> None:
    stack = playground_stack(Model("a"))
    stack.edit("playground-run-config", lambda props: props["data"].update({"run.yaml": UNKNOWN}))
    stack.edit("playground-distribution", lambda props: props["spec"]["server"]["containerSpec"].update(env=UNKNOWN))
    violations = preview(pack, {}, stack.resources)
    # Every rule that reads them says it could not run; none crashes, none blocks.
    assert {v.enforcement_level for v in violations} == {"advisory"}
    assert {v.policy for v in violations} >= {"no-plaintext-credentials", "max-tokens-within-context"}
    assert all("can't run policy" in v.message and "during preview" in v.message for v in violations)
    assert any("string value at .data.run.yaml can't be known" in v.message for v in violations)


def test_an_unknown_resource_type_is_ignored(pack: PolicyPackProcess) -> None:
    other = config_map(None, name="unrelated", object_name="unrelated", data={"app.conf": "x"})
    assert preview(pack, {}, [other]) == []


def test_the_real_program_through_the_pack(pack: PolicyPackProcess) -> None:
    run = run_program(REPO, "dev")
    inputs = [AnalyzedResource(r.type, r.urn, r.name, r.inputs, r.parent) for r in run.resources if not r.read]
    outputs = [AnalyzedResource(r.type, r.urn, r.name, r.outputs, r.parent) for r in run.resources]
    violations = pack.preview({}, inputs, outputs)
    assert [(v.policy, v.enforcement_level) for v in violations] == [("gpu-budget", "advisory")]


def run(pack: PolicyPackProcess, stack: StackFixture, user_config: dict[str, object] | None = None) -> list[str]:
    return [f"{v.policy}: {v.message}" for v in preview(pack, user_config or {}, stack.resources, stack.reads)]


# ---------------------------------------------- runtimes, llm-d, served names, provider configs, Service names


def test_runtime_args_come_first_and_the_inference_services_win(pack: PolicyPackProcess) -> None:
    runtime = runtime_resource(args=[*TEMPLATE_ARGS, "--max-model-len=8192"])
    [message] = run(pack, foreign_stack(args=(), max_tokens="8000").add(runtime))
    assert "--max-model-len=8192 of InferenceService private-ai/granite-8b-agent with ServingRuntime" in message
    later = foreign_stack(args=("--max-model-len", "32k"), max_tokens="8000").add(runtime)
    assert run(pack, later) == []  # 32,000 tokens from the InferenceService's own flag (space form)


def test_a_discovered_runtime_over_the_wire(pack: PolicyPackProcess) -> None:
    def discovered(max_tokens: int, length: str) -> StackFixture:
        runtime_args = (*TEMPLATE_ARGS, f"--max-model-len={length}")
        return playground_stack(Model("m", max_tokens=max_tokens, live_args=(), runtime_args=runtime_args))

    assert run(pack, discovered(7168, "8K")) == []  # 8K is 8,192 tokens
    [message] = run(pack, discovered(7168, "8k"))  # 8k is 8,000
    assert "--max-model-len=8k of InferenceService private-ai/m with ServingRuntime vllm-runtime" in message


@pytest.mark.parametrize(("flag", "passes"), [("16K", True), ("16k", False), ("1.5K", False), ("=16384", True)])
def test_human_readable_lengths_over_the_wire(pack: PolicyPackProcess, flag: str, passes: bool) -> None:
    """max_tokens 15,360 + the 1,024 reserve: 16K (16,384) fits, 16k (16,000) does not, 1.5K stops vLLM."""
    args = (f"--max-model-len{flag}",) if flag.startswith("=") else ("--max-model-len", flag)
    messages = run(pack, foreign_stack(args=args, max_tokens="15360"))
    assert (messages == []) is passes
    if flag == "1.5K":
        assert "Decimals are not allowed with binary suffixes like K" in messages[0]


def test_a_length_from_value_from_over_the_wire(pack: PolicyPackProcess) -> None:
    stack = foreign_stack(args=("--max-model-len=$(LEN)",)).edit(
        "granite-8b-agent",
        lambda props: props["spec"]["predictor"]["model"].update(
            env=[{"name": "LEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "len"}}}]
        ),
    )
    [message] = run(pack, stack)
    assert "the context length is unknown" in message and "set through valueFrom or envFrom" in message
    assert run(pack, stack, {"max-tokens-within-context": {"requireKnownContextLength": False}}) == []


def test_vllm_additional_args_of_an_llm_inference_service(pack: PolicyPackProcess) -> None:
    url = "https://qwen-kserve-workload-svc.private-ai.svc.cluster.local:8000/v1"
    env = [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--max-model-len=4k --served-model-name Qwen/Qwen3-8B qwen"}]
    stack = (
        foreign_stack()
        .remove("granite-8b-agent")
        .edit("run-config", lambda props: props["data"].update({"run.yaml": foreign_run_yaml("qwen", url)}))
        .add(llm_inference_service("qwen", env=env))
    )
    [message] = run(pack, stack)  # served as qwen too (its second name), but 4,096 + 1,024 > 4,000
    assert message.startswith("max-tokens-within-context") and "--max-model-len=4k of LLMInferenceService" in message


def test_several_served_names_over_the_wire(pack: PolicyPackProcess) -> None:
    args = ("--max-model-len=16384", "--served-model-name", "ibm/granite", "granite-8b-agent")
    assert run(pack, foreign_stack(args=args)) == []
    [message] = run(pack, foreign_stack(args=args[:3]))
    assert "provider_model_id is granite-8b-agent but vLLM serves" in message and "as ibm/granite" in message


def test_provider_configs_against_the_recorded_classes(pack: PolicyPackProcess) -> None:
    openai = {"provider_id": "openai", "provider_type": "remote::openai", "config": {"base_url": "https://x/v1"}}
    stack = foreign_stack().edit_run_yaml(lambda doc: doc["providers"]["inference"].append(openai), "run-config")
    assert run(pack, stack) == []
    vllm = stack.edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].update(base_url="https://x/v1"), "run-config"
    )
    [message] = run(pack, vllm)
    assert "VLLMInferenceAdapterConfig (Llama Stack 0.3.0rc3+rhai0, RHOAI 3.0 (" in message
    assert ") has no config key base_url" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://granite-8b-agent-predictor/v1",
        "http://granite-8b-agent-predictor.private-ai/v1",
        "http://granite-8b-agent-predictor.private-ai.svc/v1",
    ],
)
def test_short_service_names_resolve_over_the_wire(pack: PolicyPackProcess, url: str) -> None:
    """Cluster-internal (so plain http is fine) and the InferenceService's (so its --max-model-len is judged)."""
    [message] = run(pack, foreign_stack(url=url, max_tokens="16000"))
    assert "--max-model-len=16384 of InferenceService private-ai/granite-8b-agent" in message


def test_invalid_policy_config_is_rejected_before_the_pack_sees_it(pack: PolicyPackProcess) -> None:
    info = pack.info()
    with pytest.raises(PolicyConfigError) as caught:
        resolve_policy_config(info, {"max-tokens-within-context": {"promptReserve": -1}, "gpu-budget": "blocking"})
    assert "'blocking' is not a valid enforcement level" in str(caught.value)
    with pytest.raises(PolicyConfigError) as caught:
        resolve_policy_config(info, {"max-tokens-within-context": {"promptReserve": -1}})
    assert "max-tokens-within-context: promptReserve: -1 is less than the minimum of 0" in str(caught.value)


def test_a_folder_that_is_no_pack(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match=r"no PulumiPolicy\.yaml"), PolicyPackProcess(tmp_path):
        pass


def test_a_pack_that_fails_to_start_reports_its_error(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise SystemExit('broken pack')\n")
    with pytest.raises(PolicyPackError, match="exited before printing its port") as caught, PolicyPackProcess(tmp_path):
        pass
    assert "broken pack" in str(caught.value)
