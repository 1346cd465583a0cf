"""MaaS stacks as the policy pack receives them: the gateway, its Kuadrant policies, the tier mapping, enrollments.

`maas_stack(...)` runs the program's MaasGatewayPlaceholder component (`maas`, switched on, upstream's tiers)
under Pulumi's mocks and hands over what it registers: the Gateway `maas-gateway`, the AuthPolicy
`maas-auth-policy`, the RateLimitPolicy `maas-rate-limits`, the TokenRateLimitPolicy `maas-token-rate-limits`,
the ConfigMap `maas-tier-mapping` and one LLMInferenceService patch `maas-<model>-enrollment` per model. The
other builders hand-write such objects in other shapes, as another stack may hold them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from genai_contract.releases import PROFILES

from components.maas_gateway_placeholder import MaasGatewayPlaceholder, MaasGatewayPlaceholderArgs
from genai_playground.maas import MaasConfig
from offline_preview.policy_pack import AnalyzedResource
from tests.conftest import stack
from tests.policies.fixtures import CONFIG_MAP, StackFixture, dump, urn
from tests.support.program import run, run_main

MAAS = "genai-playground:index:MaasGatewayPlaceholder"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
AUTH_POLICY = "kubernetes:kuadrant.io/v1:AuthPolicy"
RATE_LIMIT_POLICY = "kubernetes:kuadrant.io/v1:RateLimitPolicy"
TOKEN_RATE_LIMIT_POLICY = "kubernetes:kuadrant.io/v1alpha1:TokenRateLimitPolicy"
LLM_ISVC_PATCH = "kubernetes:serving.kserve.io/v1alpha1:LLMInferenceServicePatch"

GATEWAY_NAME = "maas-default-gateway"
GATEWAY_NS = "openshift-ingress"
MAAS_API_NS = "maas-api"
MODEL_NS = "llm"
HOST = "maas.apps.example.com"
MAAS_URN = urn(MAAS, "maas")
PARENTS = (MAAS,)

# tier -> (requests per 2m, tokens per 1m), as the program renders them.
TIERS: dict[str, tuple[int, int]] = {"free": (5, 100), "premium": (20, 50000), "enterprise": (50, 100000)}
TIER_GROUPS = {
    "free": ["tier-free-users", "system:authenticated"],
    "premium": ["tier-premium-users", "premium-group"],
    "enterprise": ["tier-enterprise-users", "enterprise-group", "admin-group"],
}


def target(name: str = GATEWAY_NAME, kind: str = "Gateway") -> dict[str, Any]:
    return {"group": "gateway.networking.k8s.io", "kind": kind, "name": name}


def _child(type_token: str, name: str, props: dict[str, Any]) -> AnalyzedResource:
    return AnalyzedResource(type_token, urn(type_token, name, PARENTS), name, props, MAAS_URN)


def gateway(
    name: str = "maas-gateway", *, object_name: str = GATEWAY_NAME, namespace: str = GATEWAY_NS
) -> AnalyzedResource:
    allowed = {"namespaces": {"from": "All"}}
    return _child(
        GATEWAY,
        name,
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": object_name, "namespace": namespace},
            "spec": {
                "gatewayClassName": "openshift-default",
                "listeners": [
                    {"name": "http", "hostname": HOST, "port": 80, "protocol": "HTTP", "allowedRoutes": allowed},
                    {
                        "name": "https",
                        "hostname": HOST,
                        "port": 443,
                        "protocol": "HTTPS",
                        "allowedRoutes": allowed,
                        "tls": {
                            "mode": "Terminate",
                            "certificateRefs": [{"group": "", "kind": "Secret", "name": "maas-tls"}],
                        },
                    },
                ],
            },
        },
    )


def auth_policy(
    name: str = "maas-auth-policy",
    *,
    target_ref: Mapping[str, Any] | None = None,
    namespace: str = GATEWAY_NS,
    object_name: str = "gateway-auth-policy",
) -> AnalyzedResource:
    return _child(
        AUTH_POLICY,
        name,
        {
            "apiVersion": "kuadrant.io/v1",
            "kind": "AuthPolicy",
            "metadata": {"name": object_name, "namespace": namespace},
            "spec": {
                "targetRef": dict(target_ref) if target_ref is not None else target(),
                "rules": {
                    "authentication": {
                        "service-accounts": {"kubernetesTokenReview": {"audiences": [f"{GATEWAY_NAME}-sa"]}}
                    }
                },
            },
        },
    )


def limit(tier: str, count: int, window: str, predicate: str | None = None) -> dict[str, Any]:
    return {
        "rates": [{"limit": count, "window": window}],
        "when": [{"predicate": predicate if predicate is not None else f'auth.identity.tier == "{tier}"'}],
        "counters": [{"expression": "auth.identity.userid"}],
    }


def request_limits(tiers: Iterable[str] = TIERS) -> dict[str, Any]:
    return {tier: limit(tier, TIERS.get(tier, (10, 0))[0], "2m") for tier in tiers}


def token_limits(tiers: Iterable[str] = TIERS) -> dict[str, Any]:
    return {f"{tier}-user-tokens": limit(tier, TIERS.get(tier, (0, 1000))[1], "1m") for tier in tiers}


def rate_limit_policy(
    limits: Mapping[str, Any] | None = None,
    *,
    name: str = "maas-rate-limits",
    kind: str = "RateLimitPolicy",
    object_name: str = "gateway-rate-limits",
) -> AnalyzedResource:
    token = kind == "TokenRateLimitPolicy"
    return _child(
        TOKEN_RATE_LIMIT_POLICY if token else RATE_LIMIT_POLICY,
        name,
        {
            "apiVersion": "kuadrant.io/v1alpha1" if token else "kuadrant.io/v1",
            "kind": kind,
            "metadata": {"name": object_name, "namespace": GATEWAY_NS},
            "spec": {
                "targetRef": target(),
                "limits": dict(limits) if limits is not None else (token_limits() if token else request_limits()),
            },
        },
    )


def token_rate_limit_policy(limits: Mapping[str, Any] | None = None) -> AnalyzedResource:
    return rate_limit_policy(
        limits, name="maas-token-rate-limits", kind="TokenRateLimitPolicy", object_name="gateway-token-rate-limits"
    )


def tiers_yaml(tiers: Iterable[str] = TIERS) -> str:
    return dump(
        [
            {"name": tier, "level": level, "groups": TIER_GROUPS.get(tier, [f"tier-{tier}-users"])}
            for level, tier in enumerate(tiers)
        ]
    )


def tier_mapping(text: str | None = None, *, name: str = "maas-tier-mapping") -> AnalyzedResource:
    return _child(
        CONFIG_MAP,
        name,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "tier-to-group-mapping", "namespace": MAAS_API_NS},
            "data": {"tiers": text if text is not None else tiers_yaml()},
        },
    )


def enrollment(model: str, *, namespace: str = MODEL_NS, refs: list[dict[str, Any]] | None = None) -> AnalyzedResource:
    return _child(
        LLM_ISVC_PATCH,
        f"maas-{model}-enrollment",
        {
            "apiVersion": "serving.kserve.io/v1alpha1",
            "kind": "LLMInferenceService",
            "metadata": {
                "name": model,
                "namespace": namespace,
                "annotations": {
                    "alpha.maas.opendatahub.io/tiers": "[]",
                    "pulumi.com/patchFieldManager": "genai-playground",
                },
            },
            "spec": {
                "router": {
                    "gateway": {"refs": refs if refs is not None else [{"name": GATEWAY_NAME, "namespace": GATEWAY_NS}]}
                }
            },
        },
    )


def http_route(name: str, parent_refs: list[dict[str, Any]], *, namespace: str = MODEL_NS) -> AnalyzedResource:
    return AnalyzedResource(
        HTTP_ROUTE,
        urn(HTTP_ROUTE, name),
        name,
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "parentRefs": parent_refs,
                "rules": [{"backendRefs": [{"name": f"{name}-kserve-workload-svc", "port": 8000}]}],
            },
        },
    )


def maas_stack(*models: str) -> StackFixture:
    """What the component registers for some enrolled models (qwen3 when none), each in namespace `llm`."""
    resources = _maas_resources(models or ("qwen3",))
    return StackFixture(copy.deepcopy(resources))


@cache
def _maas_resources(models: tuple[str, ...]) -> list[AnalyzedResource]:
    config = MaasConfig.model_validate(
        {
            "enabled": True,
            "openshiftVersion": "4.19.9",
            "connectivityLinkVersion": "1.2",
            "clusterDomain": HOST.removeprefix("maas."),
            "tlsSecretName": "maas-tls",
            "models": [{"name": model, "namespace": MODEL_NS} for model in models],
        }
    )
    result = run(
        lambda: MaasGatewayPlaceholder("maas", MaasGatewayPlaceholderArgs(config, "private-ai", PROFILES["3.0"])), {}
    )
    return [AnalyzedResource(r.type, r.urn, r.name, r.outputs, r.parent) for r in result.resources]


def program_maas_stack(release: str = "3.0") -> StackFixture:
    """The whole program (a vLLM model, the playground, MaaS on) as the stack's `release` renders it: qwen3 (in
    `llm`) and granite enrolled; 3.4 with a subscription for everyone."""
    return StackFixture(copy.deepcopy(_program_maas_resources(release)))


@cache
def _program_maas_resources(release: str) -> list[AnalyzedResource]:
    maas: dict[str, Any] = {
        "enabled": True,
        "openshiftVersion": "4.19.9",
        "connectivityLinkVersion": "1.3",
        "clusterDomain": HOST.removeprefix("maas."),
        "tlsSecretName": "maas-tls",
        "models": [{"name": "qwen3", "namespace": MODEL_NS}, {"name": "granite"}],
    }
    if PROFILES[release].maas.access == "subscriptions":
        maas["databaseSecret"] = "maas-db-config"
        maas["subscriptions"] = [
            {"name": "everyone", "groups": ["system:authenticated"], "tokenLimit": {"limit": 100, "window": "1m"}}
        ]
    result = run_main(stack(release=release, maas=maas))
    return [
        AnalyzedResource(r.type, r.urn, r.name, r.outputs, r.parent, tuple(r.dependencies)) for r in result.resources
    ]
