"""maas-tier-limits-defined (mandatory): every tier has a request limit and a token limit."""

from __future__ import annotations

import pytest
from genai_policies import maas_tier_limits_defined as rule

from offline_preview.policy_pack import UNKNOWN, Violation
from tests.policies.harness import single
from tests.policies.maas_fixtures import (
    limit,
    maas_stack,
    program_maas_stack,
    request_limits,
    tier_mapping,
    tiers_yaml,
    token_limits,
)

NAME = "maas-tier-limits-defined"
MAPPING = "ConfigMap maas-api/tier-to-group-mapping"


def text(violation: Violation) -> str:
    """The rule's message, after the policy's description that the SDK puts first."""
    return violation.message.split("\n", 1)[1]


def without(limits: dict[str, object], name: str) -> dict[str, object]:
    return {key: value for key, value in limits.items() if key != name}


def test_the_programs_stack_passes() -> None:
    assert single(rule.POLICY, maas_stack()) == []


def test_a_tier_without_token_limits() -> None:
    stack = maas_stack().edit(
        "maas-token-rate-limits",
        lambda props: props["spec"].update(limits=without(token_limits(), "premium-user-tokens")),
    )
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "mandatory")
    assert violation.urn == stack.urn("maas-tier-mapping")
    assert f"tier premium of {MAPPING} has no TokenRateLimitPolicy limit" in violation.message
    assert "tokens of tier premium are not counted or limited" in violation.message
    assert "maas-api assigns every user to a tier of this mapping, so the limits must cover every tier" in (
        violation.message
    )
    assert "Fix: add to the TokenRateLimitPolicy a limit with rates and when: [{predicate: " in violation.message
    assert "rate limited" not in violation.message


def test_a_tier_without_request_limits() -> None:
    stack = maas_stack().edit(
        "maas-rate-limits", lambda props: props["spec"].update(limits=without(request_limits(), "enterprise"))
    )
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("maas-tier-mapping")
    assert f"tier enterprise of {MAPPING} has no RateLimitPolicy limit:" in violation.message
    assert "requests from tier enterprise are not rate limited" in violation.message
    assert "tokens" not in violation.message


def test_a_tier_without_either_and_no_policies_at_all() -> None:
    stack = maas_stack().remove("maas-rate-limits").remove("maas-token-rate-limits")
    violations = single(rule.POLICY, stack)
    assert [text(v).split(" of ")[0] for v in violations] == ["tier free", "tier premium", "tier enterprise"]
    message = violations[0].message
    assert (
        "has no RateLimitPolicy limit (the stack has no RateLimitPolicy) and no TokenRateLimitPolicy limit "
        "(the stack has no TokenRateLimitPolicy)" in message
    )
    assert "requests from tier free are not rate limited and tokens of tier free are not counted" in message


def test_a_tier_the_policies_do_not_know() -> None:
    stack = maas_stack().remove("maas-tier-mapping").add(tier_mapping(tiers_yaml(["free", "premium", "gold"])))
    violations = single(rule.POLICY, stack)
    assert [(v.urn, text(v).split(":")[0]) for v in violations] == [
        (
            stack.urn("maas-tier-mapping"),
            f"tier gold of {MAPPING} has no RateLimitPolicy limit and no TokenRateLimitPolicy limit",
        )
    ]


def test_a_limit_without_rates_does_not_count() -> None:
    def drop_rates(props: dict[str, object]) -> None:
        props["spec"]["limits"]["free"]["rates"] = []  # type: ignore[index]

    stack = maas_stack().edit("maas-rate-limits", drop_rates)
    [violation] = single(rule.POLICY, stack)
    assert "tier free of" in violation.message
    assert "requests from tier free are not rate limited" in violation.message


@pytest.mark.parametrize(
    "predicate",
    [
        'auth.metadata.matchedTier["tier"] == "free"',
        'auth.identity.tier\n  ==\n  "free"',
        "auth.identity.tier == 'free'",
        '"free" == auth.identity.tier',
        'auth.identity.tier in ["free", "trial"]',
    ],
)
def test_the_forms_of_a_tier_predicate(predicate: str) -> None:
    limits = {**without(token_limits(), "free-user-tokens"), "free-user-tokens": limit("free", 100, "1m", predicate)}
    stack = maas_stack().edit("maas-token-rate-limits", lambda props: props["spec"].update(limits=limits))
    assert single(rule.POLICY, stack) == []


def test_a_predicate_on_something_else_is_not_a_tier_limit() -> None:
    other = limit("free", 100, "1m", 'auth.identity.userid == "free"')
    limits = {**without(token_limits(), "free-user-tokens"), "free-user-tokens": other}
    stack = maas_stack().edit("maas-token-rate-limits", lambda props: props["spec"].update(limits=limits))
    [violation] = single(rule.POLICY, stack)
    assert "tokens of tier free are not counted or limited" in violation.message


def test_a_limit_without_when_covers_every_tier() -> None:
    everyone = {"everyone": {"rates": [{"limit": 10, "window": "1m"}]}}
    stack = maas_stack().edit("maas-rate-limits", lambda props: props["spec"].update(limits=everyone))
    assert single(rule.POLICY, stack) == []


def test_defaults_limits_count() -> None:
    def to_defaults(props: dict[str, object]) -> None:
        spec = props["spec"]
        spec["defaults"] = {"limits": spec.pop("limits")}  # type: ignore[attr-defined]

    assert single(rule.POLICY, maas_stack().edit("maas-rate-limits", to_defaults)) == []


@pytest.mark.parametrize(
    ("tiers", "problem"),
    [
        ("- name: free\n  groups: [a\n", "tiers is not valid YAML ("),
        ("free: {level: 0}\n", "tiers is not a YAML list (found dict)"),
        (None, "has no tiers key"),
        ("- name: free\n- level: 1\n", "tiers entries at positions 1 (from 0) have no name"),
    ],
)
def test_a_broken_tier_mapping(tiers: str | None, problem: str) -> None:
    stack = maas_stack()
    if tiers is None:
        stack.edit("maas-tier-mapping", lambda props: props.update(data={"other": "x"}))
    else:
        stack.edit("maas-tier-mapping", lambda props: props["data"].update(tiers=tiers))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "mandatory")
    assert violation.urn == stack.urn("maas-tier-mapping")
    assert text(violation).startswith(f"{MAPPING}: {problem}")
    assert "Fix: make tiers a YAML list of {name, level, groups}" in violation.message


def test_no_tier_mapping_no_judgement() -> None:
    stack = maas_stack().remove("maas-tier-mapping").remove("maas-rate-limits")
    assert single(rule.POLICY, stack) == []


def test_unknown_values_give_the_sdks_advisory() -> None:
    stack = maas_stack().edit("maas-tier-mapping", lambda props: props["data"].update(tiers=UNKNOWN))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "advisory")
    assert "can't run policy" in violation.message


def test_on_33_the_token_limits_cover_the_tiers_the_operator_deploys() -> None:
    """3.3: the operator's tier ConfigMap is not in the stack; token limits only (upstream has no request limits)."""
    assert single(rule.POLICY, program_maas_stack("3.3")) == []
    stack = program_maas_stack("3.3").remove("maas-token-rate-limits")
    violations = single(rule.POLICY, stack)
    assert [text(v).split(" of ")[0] for v in violations] == ["tier free", "tier premium", "tier enterprise"]
    assert {v.urn for v in violations} == {stack.urn("maas")}
    message = text(violations[0])
    assert "of the ConfigMap redhat-ods-applications/tier-to-group-mapping the operator deploys on RHOAI 3.3" in message
    assert "no TokenRateLimitPolicy limit (the stack has no TokenRateLimitPolicy)" in message
    assert "RateLimitPolicy limit" not in message.replace("TokenRateLimitPolicy limit", "")


def test_on_34_subscriptions_replace_tiers() -> None:
    assert single(rule.POLICY, program_maas_stack("3.4")) == []
