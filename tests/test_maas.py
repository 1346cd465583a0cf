"""MaaS: off by default with a 'what would it take' output; every prerequisite named; the 3.0 objects when on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES

from genai_playground.config import ConfigError, parse_stack_config
from genai_playground.maas import MaasConfig, missing_prerequisites, model_url
from offline_preview.errors import OfflineRunError
from tests.conftest import stack
from tests.support.destroy import destroy_effect
from tests.support.program import run_main
from tests.test_crds import ENABLED_MAAS
from tests.test_offline_preview import preview, project_with

COMPONENT = "genai-playground:index:MaasGatewayPlaceholder"


def maas_children(result: Any) -> dict[str, Any]:
    [component] = result.by_type(COMPONENT)
    return {r.name: r for r in result.resources if r.parent == component.urn}


def test_disabled_by_default_renders_nothing_and_says_what_it_would_take() -> None:
    result = run_main(stack())
    assert maas_children(result) == {}
    output = result.outputs["maas"]
    assert output["enabled"] is False
    assert [line.split(":")[0] for line in output["missingPrerequisites"]] == [
        "maas.openshiftVersion",
        "maas.connectivityLinkVersion",
        "maas.clusterDomain",
        "maas.tlsSecretName",
        "maas.models",
    ]


def test_disabled_with_prerequisites_declared_has_nothing_missing() -> None:
    output = run_main(stack(maas={**ENABLED_MAAS, "enabled": False})).outputs["maas"]
    assert output == {
        "enabled": False,
        "release": "3.0",
        "status": "disabled; on RHOAI 3.0 MaaS is installed by script (models-as-a-service 0.0.1, Developer Preview)",
        "missingPrerequisites": [],
    }


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        ({"openshiftVersion": None}, "maas.openshiftVersion", "OpenShift >= 4.19.9"),
        ({"openshiftVersion": "4.19.8"}, "maas.openshiftVersion", "'4.19.8' is too old"),
        ({"connectivityLinkVersion": None}, "maas.connectivityLinkVersion", "Connectivity Link >= 1.2"),
        ({"connectivityLinkVersion": "1.1.3"}, "maas.connectivityLinkVersion", "'1.1.3' is too old"),
        ({"clusterDomain": None}, "maas.clusterDomain", "apps domain"),
        ({"tlsSecretName": None}, "maas.tlsSecretName", "TLS Secret"),
        ({"models": []}, "maas.models", "LLMInferenceService"),
        ({"models": [{"name": "mistral", "kind": "InferenceService"}]}, "maas.models[0].kind", "only llm-d"),
        ({"models": [{"name": "q", "tiers": ["gold"]}]}, "maas.models[0].tiers", "unknown tiers ['gold']"),
    ],
)
def test_each_missing_prerequisite_has_its_own_message(change: dict[str, Any], key: str, reason: str) -> None:
    raw = {k: v for k, v in {**ENABLED_MAAS, **change}.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(stack(maas=raw))
    [problem] = caught.value.problems
    assert problem.startswith(f"{key}: ") and reason in problem


def test_all_missing_prerequisites_are_listed_at_once_and_nothing_is_registered() -> None:
    with pytest.raises(OfflineRunError) as caught:
        run_main(stack(maas={"enabled": True}))
    message = str(caught.value)
    for key in ("openshiftVersion", "connectivityLinkVersion", "clusterDomain", "tlsSecretName", "models"):
        assert f"maas.{key}: " in message


def test_enabled_renders_the_3_0_objects() -> None:
    children = maas_children(run_main(stack(maas=ENABLED_MAAS)))
    kinds = {
        name: (r.type, r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]) for name, r in children.items()
    }
    assert kinds == {
        "maas-gateway": (
            "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            "openshift-ingress",
            "maas-default-gateway",
        ),
        "maas-auth-policy": ("kubernetes:kuadrant.io/v1:AuthPolicy", "openshift-ingress", "gateway-auth-policy"),
        "maas-rate-limits": ("kubernetes:kuadrant.io/v1:RateLimitPolicy", "openshift-ingress", "gateway-rate-limits"),
        "maas-token-rate-limits": (
            "kubernetes:kuadrant.io/v1alpha1:TokenRateLimitPolicy",
            "openshift-ingress",
            "gateway-token-rate-limits",
        ),
        "maas-tier-mapping": ("kubernetes:core/v1:ConfigMap", "maas-api", "tier-to-group-mapping"),
        "maas-qwen3-enrollment": ("kubernetes:serving.kserve.io/v1alpha1:LLMInferenceServicePatch", "llm", "qwen3"),
        "maas-granite-enrollment": (
            "kubernetes:serving.kserve.io/v1alpha1:LLMInferenceServicePatch",
            "private-ai",
            "granite",
        ),
    }
    gateway = children["maas-gateway"].inputs["spec"]
    assert {(listener["port"], listener["hostname"]) for listener in gateway["listeners"]} == {
        (80, "maas.apps.cluster.example.com"),
        (443, "maas.apps.cluster.example.com"),
    }
    auth = children["maas-auth-policy"].inputs["spec"]["rules"]["authentication"]["service-accounts"]
    assert auth["kubernetesTokenReview"]["audiences"] == ["maas-default-gateway-sa"]
    granite = children["maas-granite-enrollment"].inputs
    assert granite["metadata"]["annotations"]["alpha.maas.opendatahub.io/tiers"] == '["premium"]'
    assert granite["spec"]["router"]["gateway"]["refs"] == [
        {"name": "maas-default-gateway", "namespace": "openshift-ingress"}
    ]


def test_default_tiers_and_limits_are_upstreams() -> None:
    children = maas_children(run_main(stack(maas=ENABLED_MAAS)))
    tiers = yaml.safe_load(children["maas-tier-mapping"].inputs["data"]["tiers"])
    assert [(t["name"], t["level"]) for t in tiers] == [("free", 0), ("premium", 1), ("enterprise", 2)]
    requests = children["maas-rate-limits"].inputs["spec"]["limits"]
    tokens = children["maas-token-rate-limits"].inputs["spec"]["limits"]
    assert {name: limit["rates"] for name, limit in requests.items()} == {
        "free": [{"limit": 5, "window": "2m"}],
        "premium": [{"limit": 20, "window": "2m"}],
        "enterprise": [{"limit": 50, "window": "2m"}],
    }
    assert {name: limit["rates"][0]["limit"] for name, limit in tokens.items()} == {
        "free-user-tokens": 100,
        "premium-user-tokens": 50_000,
        "enterprise-user-tokens": 100_000,
    }


def test_tiers_come_from_config() -> None:
    tiers = [
        {
            "name": "team",
            "level": 0,
            "groups": ["team-a"],
            "requestLimit": {"limit": 60, "window": "1m"},
            "tokenLimit": {"limit": 9000, "window": "1h"},
        },
    ]
    children = maas_children(run_main(stack(maas={**ENABLED_MAAS, "models": [{"name": "q"}], "tiers": tiers})))
    assert list(children["maas-rate-limits"].inputs["spec"]["limits"]) == ["team"]
    assert children["maas-token-rate-limits"].inputs["spec"]["limits"]["team-user-tokens"]["rates"] == [
        {"limit": 9000, "window": "1h"}
    ]


def test_models_are_routed_only_after_auth_and_limits_exist() -> None:
    children = maas_children(run_main(stack(maas=ENABLED_MAAS)))
    guards = {
        children[name].urn
        for name in ("maas-gateway", "maas-auth-policy", "maas-rate-limits", "maas-token-rate-limits")
    }
    assert guards <= set(children["maas-qwen3-enrollment"].dependencies)


def test_destroy_removes_what_it_created_and_gives_the_models_back() -> None:
    children = maas_children(run_main(stack(maas=ENABLED_MAAS)))
    effects = {name: destroy_effect(r) for name, r in children.items()}
    assert (
        effects.pop("maas-qwen3-enrollment")
        == effects.pop("maas-granite-enrollment")
        == "fields given back (object kept)"
    )
    # A later release's operator deploys the same AuthPolicy: the stack never deletes it (README, MaaS).
    assert effects.pop("maas-auth-policy") == "kept (retainOnDelete)"
    assert set(effects.values()) == {"deleted"}


def test_outputs_list_each_models_endpoint() -> None:
    output = run_main(stack(maas=ENABLED_MAAS)).outputs["maas"]
    assert output["models"] == {
        "qwen3": "https://maas.apps.cluster.example.com/llm/qwen3/v1",
        "granite": "https://maas.apps.cluster.example.com/private-ai/granite/v1",
    }


def test_route_path_is_namespace_then_model() -> None:
    config = MaasConfig.model_validate({**ENABLED_MAAS})
    assert model_url(config, config.models[0], "ignored") == "https://maas.apps.cluster.example.com/llm/qwen3/v1"
    assert missing_prerequisites(config, PROFILES["3.0"].maas) == []


def test_enrolled_names_are_unique() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(stack(maas={**ENABLED_MAAS, "models": [{"name": "q"}, {"name": "q", "namespace": "x"}]}))
    assert caught.value.problems[0].startswith("maas.models: ")


def test_enabled_maas_passes_the_pack_end_to_end(tmp_path: Path) -> None:
    """The real program with MaaS on, through the offline preview and the real pack: no MaaS violation."""
    project = project_with(tmp_path, stack(maas=ENABLED_MAAS))
    result = preview("--stack", "test", "--project-dir", str(project), "--json")
    assert result.returncode == 0, result.stderr + result.stdout
    document = json.loads(result.stdout)
    assert not [v for v in document["violations"] if v["policy"].startswith("maas-")]
    assert {r["type"].rsplit(":", 1)[-1] for r in document["resources"]} >= {"Gateway", "AuthPolicy"}
