"""MaasGatewayPlaceholder on its own under Pulumi's mocks: what it registers, under which parent, with what props."""

from __future__ import annotations

from typing import Any

from genai_contract.releases import PROFILES

from components.maas_gateway_placeholder import MaasGatewayPlaceholder, MaasGatewayPlaceholderArgs
from genai_playground.maas import MaasConfig, MaasPrerequisitesError, status
from offline_preview.engine import ProgramRun
from tests.support.program import run
from tests.test_maas_config import READY

TYPE = "genai-playground:index:MaasGatewayPlaceholder"


def build(raw: dict[str, Any], name: str = "maas", release: str = "3.0") -> ProgramRun:
    config = MaasConfig.model_validate(raw)
    return run(
        lambda: MaasGatewayPlaceholder(name, MaasGatewayPlaceholderArgs(config, "private-ai", PROFILES[release])), {}
    )


def test_off_it_registers_only_itself_and_publishes_what_it_would_take() -> None:
    result = build({})
    [component] = result.resources
    assert (component.type, component.name, component.custom) == (TYPE, "maas", False)
    expected = status(MaasConfig(), "private-ai", PROFILES["3.0"])
    # Props are what a resource policy sees, outputs what a stack policy sees: the same summary for both.
    assert component.inputs == component.outputs == expected
    assert [line.split(":")[0] for line in expected["missingPrerequisites"]][:2] == [
        "maas.openshiftVersion",
        "maas.connectivityLinkVersion",
    ]


def test_on_every_child_is_parented_named_after_the_component_and_explicitly_named() -> None:
    result = build({**READY, "models": [{"name": "qwen3"}, {"name": "granite", "namespace": "llm"}]}, name="edge")
    [component] = result.by_type(TYPE)
    children = [r for r in result.resources if r is not component]
    assert {r.parent for r in children} == {component.urn}
    assert sorted(r.name for r in children) == [
        "edge-auth-policy",
        "edge-gateway",
        "edge-granite-enrollment",
        "edge-qwen3-enrollment",
        "edge-rate-limits",
        "edge-tier-mapping",
        "edge-token-rate-limits",
    ]
    # Explicit names: an auto-named (suffixed) object would not be the one maas-api and the gateway look for.
    assert {(r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]) for r in children} == {
        ("openshift-ingress", "maas-default-gateway"),
        ("openshift-ingress", "gateway-auth-policy"),
        ("openshift-ingress", "gateway-rate-limits"),
        ("openshift-ingress", "gateway-token-rate-limits"),
        ("maas-api", "tier-to-group-mapping"),
        ("private-ai", "qwen3"),
        ("llm", "granite"),
    }
    assert component.outputs == component.inputs
    assert component.outputs["models"] == {
        "qwen3": "https://maas.apps.example.com/private-ai/qwen3/v1",
        "granite": "https://maas.apps.example.com/llm/granite/v1",
    }


def test_model_patches_are_server_side_apply_patches_that_give_their_fields_back() -> None:
    result = build(READY)
    [patch] = result.by_type("kubernetes:serving.kserve.io/v1alpha1:LLMInferenceServicePatch")
    annotations = patch.inputs["metadata"]["annotations"]
    # No pulumi.com/* annotation reaches the model (the provider's own field manager applies it).
    assert not [key for key in annotations if key.startswith("pulumi.com/")]
    assert annotations["alpha.maas.opendatahub.io/tiers"] == "[]"
    # The empty route survives serialization: without it KServe builds no HTTPRoute for the model.
    assert patch.inputs["spec"]["router"]["route"] == {}
    # retainOnDelete would leave our fields on the model after destroy; a patch gives them back instead. Only the
    # gateway's AuthPolicy is kept: a later release's operator deploys the same one.
    assert [r.name for r in result.resources if r.retain_on_delete] == ["maas-auth-policy"]


def test_on_without_prerequisites_it_refuses_and_registers_nothing() -> None:
    errors: list[MaasPrerequisitesError] = []

    def program() -> None:
        try:
            MaasGatewayPlaceholder(
                "maas", MaasGatewayPlaceholderArgs(MaasConfig(enabled=True), "private-ai", PROFILES["3.0"])
            )
        except MaasPrerequisitesError as error:
            errors.append(error)

    result = run(program, {})
    assert result.resources == []
    [error] = errors
    assert len(error.problems) == 5 and "maas.tlsSecretName: required" in str(error)
