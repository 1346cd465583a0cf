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
from tests.policies.fixtures import Model, config_map, playground_stack, secret

PACK = REPO / "policies"
POLICIES = {
    "max-tokens-within-context": ("mandatory", "stack"),
    "playground-references-resolve": ("mandatory", "stack"),
    "llama-stack-config-valid": ("mandatory", "stack"),
    "genai-asset-metadata": ("mandatory", "stack"),
    "tls-verify-cluster-internal-only": ("mandatory", "stack"),
    "no-plaintext-credentials": ("mandatory", "resource"),
    "scaled-to-zero-models": ("advisory", "stack"),
    "gpu-budget": ("advisory", "stack"),
    "maas-gateway-requires-auth": ("mandatory", "stack"),
    "maas-tier-limits-defined": ("mandatory", "stack"),
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
