"""maas-gateway-requires-auth (mandatory): a Gateway that routes models has an AuthPolicy targeting it."""

from __future__ import annotations

from genai_policies import maas_gateway_requires_auth as rule

from offline_preview.policy_pack import UNKNOWN
from tests.policies.harness import single
from tests.policies.maas_fixtures import (
    GATEWAY_NAME,
    auth_policy,
    enrollment,
    gateway,
    http_route,
    maas_stack,
    program_maas_stack,
    target,
)

NAME = "maas-gateway-requires-auth"
UNGUARDED = f"Gateway openshift-ingress/{GATEWAY_NAME} routes models"


def test_the_programs_stack_passes() -> None:
    assert single(rule.POLICY, maas_stack("qwen3", "granite")) == []


def test_a_gateway_without_an_auth_policy() -> None:
    stack = maas_stack("qwen3", "granite").remove("maas-auth-policy")
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "mandatory")
    assert violation.urn == stack.urn("maas-gateway")
    assert f"{UNGUARDED} (LLMInferenceService llm/granite, LLMInferenceService llm/qwen3)" in violation.message
    assert "no AuthPolicy in namespace openshift-ingress targets it" in violation.message
    assert "without an AuthPolicy any caller reaches the models" in violation.message
    assert (
        "Fix: create an AuthPolicy in namespace openshift-ingress with targetRef "
        f"{{group: gateway.networking.k8s.io, kind: Gateway, name: {GATEWAY_NAME}}}" in violation.message
    )


def test_an_auth_policy_targeting_another_gateway() -> None:
    stack = maas_stack().remove("maas-auth-policy").add(auth_policy(target_ref=target("other-gateway")))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("maas-gateway")
    assert UNGUARDED in violation.message


def test_an_auth_policy_targeting_a_route_does_not_guard_the_gateway() -> None:
    stack = maas_stack().remove("maas-auth-policy").add(auth_policy(target_ref=target("qwen3", kind="HTTPRoute")))
    [violation] = single(rule.POLICY, stack)
    assert UNGUARDED in violation.message


def test_an_auth_policy_in_another_namespace() -> None:
    stack = maas_stack().remove("maas-auth-policy").add(auth_policy(namespace="maas-api"))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("maas-gateway")
    assert UNGUARDED in violation.message
    assert (
        f"AuthPolicy maas-api/gateway-auth-policy targets a Gateway {GATEWAY_NAME} of its own namespace maas-api, "
        "not this one" in violation.message
    )


def test_an_auth_policy_for_one_listener_only() -> None:
    section = {**target(), "sectionName": "https"}
    stack = maas_stack().remove("maas-auth-policy").add(auth_policy(target_ref=section))
    [violation] = single(rule.POLICY, stack)
    assert "guards only the listener https (sectionName), not the whole Gateway" in violation.message


def test_an_http_route_routes_through_the_gateway() -> None:
    route = http_route("qwen3-route", [{"name": GATEWAY_NAME, "namespace": "openshift-ingress"}])
    stack = maas_stack().remove("maas-auth-policy").remove("maas-qwen3-enrollment").add(route)
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("maas-gateway")
    assert f"{UNGUARDED} (HTTPRoute llm/qwen3-route)" in violation.message


def test_a_parent_ref_defaults_to_the_routes_namespace() -> None:
    local = gateway("local-gateway", namespace="llm")
    route = http_route("qwen3-route", [{"name": GATEWAY_NAME, "sectionName": "https"}])
    stack = maas_stack().remove("maas-qwen3-enrollment").add(local, route)
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("local-gateway")
    assert f"Gateway llm/{GATEWAY_NAME} routes models (HTTPRoute llm/qwen3-route)" in violation.message
    # ... and a parentRef to another kind is not a Gateway
    service_parent = http_route("mesh-route", [{"name": GATEWAY_NAME, "kind": "Service", "group": ""}])
    assert single(rule.POLICY, maas_stack().remove("maas-qwen3-enrollment").add(local, service_parent)) == []


def test_an_enrollment_ref_defaults_to_the_models_namespace() -> None:
    local = gateway("local-gateway", namespace="llm")
    stack = maas_stack().remove("maas-qwen3-enrollment").add(local, enrollment("qwen3", refs=[{"name": GATEWAY_NAME}]))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("local-gateway")
    assert f"Gateway llm/{GATEWAY_NAME} routes models (LLMInferenceService llm/qwen3)" in violation.message


def test_a_gateway_that_routes_no_model_is_not_judged() -> None:
    stack = maas_stack().remove("maas-auth-policy").remove("maas-qwen3-enrollment")
    assert single(rule.POLICY, stack) == []


def test_a_gateway_outside_the_stack_cannot_be_judged() -> None:
    stack = maas_stack().remove("maas-auth-policy").remove("maas-gateway")
    stack.add(enrollment("granite", refs=[{"name": "shared-gateway", "namespace": "openshift-ingress"}]))
    assert single(rule.POLICY, stack) == []


def test_missing_values_do_not_crash() -> None:
    stack = maas_stack().remove("maas-auth-policy")
    stack.edit("maas-qwen3-enrollment", lambda props: props["spec"]["router"].update(gateway={"refs": [{}, "x"]}))
    stack.edit("maas-gateway", lambda props: props.pop("spec"))
    stack.add(http_route("broken", [None]))  # type: ignore[list-item]
    assert single(rule.POLICY, stack) == []


def test_unknown_values_give_the_sdks_advisory() -> None:
    stack = maas_stack().edit("maas-auth-policy", lambda props: props["spec"].update(targetRef=UNKNOWN))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "advisory")
    assert "can't run policy" in violation.message


def test_the_operator_guards_the_gateway_from_33_once_the_stack_switches_it_on() -> None:
    """3.3: the operator's gateway-auth-policy; 3.4: maas-controller's. The stack renders neither."""
    for release in ("3.3", "3.4"):
        stack = program_maas_stack(release)
        assert not [r for r in stack.resources if r.type.endswith(":AuthPolicy")]
        assert single(rule.POLICY, stack) == []


def test_without_the_switch_the_operator_guards_nothing() -> None:
    stack = program_maas_stack("3.4").remove("maas-datasciencecluster")
    [violation] = single(rule.POLICY, stack)
    assert f"{UNGUARDED} (LLMInferenceService llm/qwen3, LLMInferenceService private-ai/granite)" in violation.message


def test_a_release_that_leaves_the_policy_to_the_stack_is_not_guarded_by_a_switch() -> None:
    """3.2: MaaS is installed by hand; without the stack's AuthPolicy nothing guards the gateway."""
    stack = program_maas_stack("3.2").remove("maas-auth-policy")
    [violation] = single(rule.POLICY, stack)
    assert UNGUARDED in violation.message
