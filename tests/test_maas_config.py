"""MaaS config and manifests, pure: prerequisites, tiers, limits, and what enrolls a model (no Pulumi)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES
from genai_contract.releases import maas as flavours
from pydantic import ValidationError

from genai_playground import maas
from genai_playground.maas import MaasConfig, MaasPrerequisitesError

FLAVOUR = flavours.SCRIPT_0_0_1
READY: dict[str, Any] = {
    "enabled": True,
    "openshiftVersion": "4.19.9",
    "connectivityLinkVersion": "1.2",
    "clusterDomain": "apps.example.com",
    "tlsSecretName": "maas-tls",
    "models": [{"name": "qwen3"}],
}


def tier(name: str, window: str = "1m", **overrides: Any) -> dict[str, Any]:
    return {
        "name": name,
        "level": 0,
        "groups": ["g"],
        "requestLimit": {"limit": 1, "window": window},
        "tokenLimit": {"limit": 1, "window": "1m"},
        **overrides,
    }


def config(**overrides: Any) -> MaasConfig:
    return MaasConfig.model_validate({**READY, **overrides})


def test_off_by_default_with_upstreams_tiers_and_limits() -> None:
    default = MaasConfig()
    assert default.enabled is False
    assert [(t.name, t.level, t.request_limit.limit, t.token_limit.limit) for t in default.tiers] == [
        ("free", 0, 5, 100),
        ("premium", 1, 20, 50_000),
        ("enterprise", 2, 50, 100_000),
    ]
    assert {(t.request_limit.window, t.token_limit.window) for t in default.tiers} == {("2m", "1m")}


def test_an_empty_enabled_config_lists_every_missing_item_at_once() -> None:
    with pytest.raises(MaasPrerequisitesError) as caught:
        maas.require_prerequisites(MaasConfig(enabled=True), FLAVOUR)
    assert [problem.split(": ", 1)[0] for problem in caught.value.problems] == [
        "maas.openshiftVersion",
        "maas.connectivityLinkVersion",
        "maas.clusterDomain",
        "maas.tlsSecretName",
        "maas.models",
    ]
    assert all(": required: " in problem for problem in caught.value.problems)


def test_switched_off_nothing_is_required() -> None:
    maas.require_prerequisites(MaasConfig(), FLAVOUR)


@pytest.mark.parametrize(
    ("openshift", "link", "too_old"),
    [
        ("4.19.9", "1.2", []),
        ("4.20", "1.10.0", []),  # versions compare as numbers: 1.10 is newer than 1.2
        ("5.0.0", "2", []),
        ("4.19.8", "1.1.9", ["maas.openshiftVersion", "maas.connectivityLinkVersion"]),
        ("4.19", "1.2", ["maas.openshiftVersion"]),  # 4.19 alone does not say 4.19.9
    ],
)
def test_versions_are_compared_numerically(openshift: str, link: str, too_old: list[str]) -> None:
    missing = maas.missing_prerequisites(config(openshiftVersion=openshift, connectivityLinkVersion=link), FLAVOUR)
    assert [key for key, _ in missing] == too_old
    assert all("is too old" in why for _, why in missing)


def test_only_llm_d_models_can_be_enrolled() -> None:
    [(key, why)] = maas.missing_prerequisites(config(models=[{"name": "m", "kind": "InferenceService"}]), FLAVOUR)
    assert key == "maas.models[0].kind"
    assert "only llm-d LLMInferenceServices" in why and "plain vLLM InferenceServices cannot" in why


@pytest.mark.parametrize("window", ["1m", "2m", "500ms", "1h30m", "99999s", "1h1m1s1ms"])
def test_windows_kuadrant_accepts(window: str) -> None:
    assert config(tiers=[tier("t", window)]).tiers[0].request_limit.window == window


@pytest.mark.parametrize("window", ["123456m", "1d", "m", "1 m", "1h1m1s1ms1h", ""])
def test_windows_kuadrant_rejects(window: str) -> None:
    with pytest.raises(ValidationError):
        config(tiers=[tier("t", window)])


def test_a_tier_name_fits_the_namespace_maas_api_makes_for_it() -> None:
    longest = "t" * maas.MAX_TIER_NAME
    assert len(f"{maas.TIER_NAMESPACE_PREFIX}{longest}") == 63
    assert config(tiers=[tier(longest)]).tiers[0].name == longest
    with pytest.raises(ValidationError, match="maas-default-gateway-tier-<tier>"):
        config(tiers=[tier(longest + "t")])


def test_tier_names_are_unique() -> None:
    """Limits are keyed by tier name: a second `free` would lose its limits without a word."""
    with pytest.raises(ValidationError, match=r"tier names must be unique: \['free'\]"):
        config(tiers=[tier("free"), tier("free", level=1)])


def test_a_model_may_name_only_known_tiers() -> None:
    [(key, why)] = maas.missing_prerequisites(config(models=[{"name": "m", "tiers": ["gold"]}]), FLAVOUR)
    assert key == "maas.models[0].tiers" and "unknown tiers ['gold']" in why


def test_enrollment_opts_the_model_in_and_lets_kserve_build_its_route() -> None:
    model = config(models=[{"name": "qwen3", "namespace": "llm", "tiers": ["premium"]}]).models[0]
    patch = maas.model_enrollment(model, "private-ai", {"pulumi.com/patchFieldManager": "genai-playground"}, FLAVOUR)
    assert patch == {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "LLMInferenceService",
        "metadata": {
            "name": "qwen3",
            "namespace": "llm",
            "annotations": {
                "alpha.maas.opendatahub.io/tiers": '["premium"]',
                "pulumi.com/patchFieldManager": "genai-playground",
            },
        },
        "spec": {
            "router": {
                "route": {},
                "gateway": {"refs": [{"name": "maas-default-gateway", "namespace": "openshift-ingress"}]},
            }
        },
    }


def test_no_tiers_listed_means_every_tier() -> None:
    model = config().models[0]
    annotations = maas.model_enrollment(model, "private-ai", {}, FLAVOUR)["metadata"]["annotations"]
    assert json.loads(annotations[maas.TIERS_ANNOTATION]) == []
    assert maas.model_url(config(), model, "private-ai") == "https://maas.apps.example.com/private-ai/qwen3/v1"


def test_every_tier_has_a_request_and_a_token_limit_keyed_to_its_name() -> None:
    ready = config(tiers=[tier("team", level=3, groups=["team-a", "team-b"])])
    mapping = yaml.safe_load(maas.tier_mapping(ready, FLAVOUR)["data"]["tiers"])
    assert mapping == [{"name": "team", "level": 3, "groups": ["team-a", "team-b"]}]
    requests = maas.rate_limit_policy(ready)["spec"]["limits"]
    tokens = maas.token_rate_limit_policy(ready.tiers)["spec"]["limits"]
    for limits in (requests, tokens):
        [limit] = limits.values()
        assert limit["when"] == [{"predicate": 'auth.identity.tier == "team"'}]
        assert limit["counters"] == [{"expression": "auth.identity.userid"}]


def test_every_policy_targets_the_maas_gateway() -> None:
    ready = config()
    policies = [maas.auth_policy(FLAVOUR), maas.rate_limit_policy(ready), maas.token_rate_limit_policy(ready.tiers)]
    for policy in policies:
        assert policy["metadata"]["namespace"] == "openshift-ingress"
        assert policy["spec"]["targetRef"] == {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": "maas-default-gateway",
        }


def test_the_gateway_serves_maas_dot_domain_with_the_declared_tls_secret() -> None:
    gateway = maas.gateway(config(), FLAVOUR)
    listeners = {listener["name"]: listener for listener in gateway["spec"]["listeners"]}
    assert {(name, item["port"], item["protocol"]) for name, item in listeners.items()} == {
        ("http", 80, "HTTP"),
        ("https", 443, "HTTPS"),
    }
    assert {item["hostname"] for item in listeners.values()} == {"maas.apps.example.com"}
    assert listeners["https"]["tls"]["certificateRefs"] == [{"group": "", "kind": "Secret", "name": "maas-tls"}]


def test_status_off_and_on() -> None:
    off = maas.status(MaasConfig(), "private-ai", PROFILES["3.0"])
    assert off["enabled"] is False and len(off["missingPrerequisites"]) == 5
    on = maas.status(config(), "private-ai", PROFILES["3.0"])
    assert on == {
        "enabled": True,
        "status": "enabled",
        "gateway": "openshift-ingress/maas-default-gateway",
        "release": "3.0",
        "models": {"qwen3": "https://maas.apps.example.com/private-ai/qwen3/v1"},
        "providers": {"qwen3": "maas-qwen3"},
        "tiers": ["free", "premium", "enterprise"],
    }


def test_maas_values_are_as_strict_as_the_rest_of_the_config() -> None:
    """A boolean is no number and a number no boolean; what the Pulumi CLI writes (digits, true) still reads."""
    written = config(enabled="true", tiers=[tier("free", requestLimit={"limit": "20", "window": "2m"}, groups=[123])])
    assert written.enabled is True
    assert (written.tiers[0].request_limit.limit, written.tiers[0].groups) == (20, ["123"])
    for bad in (
        {"enabled": 1},
        {"tiers": [tier("free", requestLimit={"limit": True, "window": "2m"})]},
        {"tiers": [tier("free", level=1.5)]},
        {"tiers": [tier("free", level=2**31)]},
        {"tlsSecretName": "TLS"},
    ):
        with pytest.raises(ValidationError):
            config(**bad)
    assert config(tlsSecretName="maas.tls").tls_secret_name == "maas.tls"  # a Secret name is a DNS subdomain
