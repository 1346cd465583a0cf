"""dashboard-flags-match-inputs: our managed stack sets the flags of what it declares; a flag without objects and
objects with their flag off are flagged; nothing is said when the stack does not patch the dashboard's config."""

from __future__ import annotations

from genai_policies import dashboard_flags_match_inputs as rule

from tests.policies.harness import single
from tests.policies.inputs_fixtures import DASHBOARD_PATCH, ENDPOINTS_MAP, inputs_stack
from tests.test_playground_inputs import ENDPOINTS, VECTOR_STORES

NAME = "dashboard-flags-match-inputs"


def test_our_managed_stack_passes() -> None:
    assert single(rule.POLICY, inputs_stack()) == []


def test_unmanaged_flags_are_not_judged() -> None:
    assert single(rule.POLICY, inputs_stack(externalEndpoints=ENDPOINTS)) == []


def test_a_flag_without_its_objects() -> None:
    stack = inputs_stack(
        vectorStores=VECTOR_STORES,
        prerequisites={"manage": True, "dashboardFlags": {"aiAssetCustomEndpoints": True}},
    )
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (
        NAME,
        "advisory",
        stack.urn(DASHBOARD_PATCH),
    )
    assert (violation.message.split("\n", 1)[-1]).startswith(
        "OdhDashboardConfig redhat-ods-applications/odh-dashboard-config turns on aiAssetCustomEndpoints, but the "
        "stack declares no gen-ai-aa-custom-model-endpoints ConfigMap"
    )


def test_objects_with_their_flag_off() -> None:
    stack = inputs_stack(
        externalEndpoints=ENDPOINTS,
        prerequisites={"manage": True, "dashboardFlags": {"aiAssetCustomEndpoints": False}},
    )
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(ENDPOINTS_MAP)
    assert "has aiAssetCustomEndpoints false: the dashboard does not show them" in violation.message


def test_objects_with_their_flag_unset() -> None:
    stack = inputs_stack(externalEndpoints=ENDPOINTS, prerequisites={"manage": True})
    stack.edit(DASHBOARD_PATCH, lambda props: props["spec"]["dashboardConfig"].pop("aiAssetCustomEndpoints"))
    [violation] = single(rule.POLICY, stack)
    assert "has aiAssetCustomEndpoints unset" in violation.message
