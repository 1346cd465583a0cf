"""Models-as-a-Service (MaaS) on RHOAI 3.0 (Developer Preview): config, prerequisites and manifests.

What is real on 3.0 (not what the seed sketched): no InferenceGateway CRD and no `maas.opendatahub.io/enabled`
label. A Gateway `maas-default-gateway` in openshift-ingress with Kuadrant (Red Hat Connectivity Link) policies;
a model opts in with the annotation `alpha.maas.opendatahub.io/tiers` and `spec.router.gateway.refs` on its
LLMInferenceService (llm-d): plain vLLM InferenceServices cannot be enrolled. Routes are
`https://maas.<apps domain>/<namespace>/<model>/v1`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import yaml
from pydantic import Field, field_validator

from genai_playground.model_base import (
    DNS_LABEL,
    DNS_SUBDOMAIN,
    FLAG_INPUT,
    INT32_MAX,
    NUMBER_INPUT,
    TEXT_INPUT,
    CamelModel,
    Shape,
)
from genai_playground.versions import dotted, parse

GATEWAY_NAME = "maas-default-gateway"
GATEWAY_NAMESPACE = "openshift-ingress"
GATEWAY_CLASS = "openshift-default"
AUDIENCE = "maas-default-gateway-sa"
MAAS_API_NAMESPACE = "maas-api"
TIER_MAPPING_NAME = "tier-to-group-mapping"
TIERS_ANNOTATION = "alpha.maas.opendatahub.io/tiers"
TIER_LOOKUP_URL = f"http://maas-api.{MAAS_API_NAMESPACE}.svc.cluster.local:8080/v1/tiers/lookup"
# maas-api keeps each tier's API-key ServiceAccounts in namespace `<gateway>-tier-<tier>` (63 characters at most).
TIER_NAMESPACE_PREFIX = f"{GATEWAY_NAME}-tier-"
MAX_TIER_NAME = 63 - len(TIER_NAMESPACE_PREFIX)
MIN_OPENSHIFT = (4, 19, 9)
MIN_CONNECTIVITY_LINK = (1, 2)

VERSION = r"^\d+(\.\d+){0,2}$"
DOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
# Kuadrant's own pattern for a rate's window (RateLimitPolicy and TokenRateLimitPolicy CRDs): 1m, 1h30m, 500ms.
WINDOW = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"


# An OpenShift group and a tier as a model's annotation names them: bounded text, numbers written bare read as text.
GroupName = Annotated[str, Field(min_length=1, max_length=253), TEXT_INPUT]
TierName = Annotated[str, Field(min_length=1, max_length=63), TEXT_INPUT]


class Limit(CamelModel):
    limit: Annotated[int, Field(gt=0, le=INT32_MAX), NUMBER_INPUT] = Field(
        description="the most requests (`requestLimit`) or tokens (`tokenLimit`) one user may use per window"
    )
    window: Annotated[str, Field(pattern=WINDOW), Shape("duration")] = Field(
        description="the window, in Kuadrant's format: `2m`, `1h30m`, `500ms`"
    )


class Tier(CamelModel):
    name: Annotated[str, Field(pattern=DNS_LABEL), Shape("DNS label", max_length=MAX_TIER_NAME)] = Field(
        description=f"the tier; maas-api keeps its API keys in namespace `{TIER_NAMESPACE_PREFIX}<name>`"
    )
    # opendatahub-io/maas-billing, maas-api/internal/tier/mapper.go, GetTierForGroups.
    level: Annotated[int, Field(ge=0, le=INT32_MAX), NUMBER_INPUT] = Field(
        description="the tier's rank: a user in the groups of several tiers gets the one with the highest level"
    )
    groups: Annotated[list[GroupName], Field(min_length=1)] = Field(description="the groups whose members get the tier")
    request_limit: Limit = Field(description="requests per user (RateLimitPolicy `gateway-rate-limits`)")
    token_limit: Limit = Field(
        description="tokens per user, counted from each response's `usage.total_tokens` (TokenRateLimitPolicy "
        "`gateway-token-rate-limits`)"
    )

    @field_validator("name")
    @classmethod
    def _fits_a_namespace(cls, name: str) -> str:
        if len(name) > MAX_TIER_NAME:
            raise ValueError(
                f"a tier name has at most {MAX_TIER_NAME} characters: maas-api creates the namespace "
                f"{TIER_NAMESPACE_PREFIX}<tier> (63 characters at most) for the tier's API keys"
            )
        return name


# The upstream defaults (opendatahub-io/maas-billing 0.0.1): requests per 2 minutes, tokens per minute, per user.
DEFAULT_TIERS = [
    Tier(
        name="free",
        level=0,
        groups=["tier-free-users", "system:authenticated"],
        request_limit=Limit(limit=5, window="2m"),
        token_limit=Limit(limit=100, window="1m"),
    ),
    Tier(
        name="premium",
        level=1,
        groups=["tier-premium-users", "premium-group"],
        request_limit=Limit(limit=20, window="2m"),
        token_limit=Limit(limit=50_000, window="1m"),
    ),
    Tier(
        name="enterprise",
        level=2,
        groups=["tier-enterprise-users", "enterprise-group", "admin-group"],
        request_limit=Limit(limit=50, window="2m"),
        token_limit=Limit(limit=100_000, window="1m"),
    ),
]


class EnrolledModel(CamelModel):
    """A model served through the MaaS gateway: an llm-d LLMInferenceService."""

    name: Annotated[str, Field(pattern=DNS_LABEL, max_length=63), Shape("DNS label")] = Field(
        description="the LLMInferenceService"
    )
    namespace: Annotated[str, Field(pattern=DNS_LABEL, max_length=63), Shape("DNS label")] | None = Field(
        None, description="the LLMInferenceService's namespace (default: the stack's `namespace`)"
    )
    kind: str = Field(
        "LLMInferenceService",
        description="only an llm-d `LLMInferenceService` can be enrolled, a plain vLLM InferenceService cannot",
    )
    tiers: list[TierName] = Field(
        default_factory=list,
        description=f"annotation `{TIERS_ANNOTATION}`: the tiers that may use the model; `[]` = every tier",
    )


class MaasConfig(CamelModel):
    """`maas:` in the stack file. Off by default; `pulumi stack output maas` says what enabling would take."""

    enabled: Annotated[bool, FLAG_INPUT] = Field(
        False,
        description="switch MaaS on: the versions, `clusterDomain`, `tlsSecretName` and `models` are then required",
    )
    openshift_version: Annotated[str, Field(pattern=VERSION), Shape("version")] | None = Field(
        None, description=f"the cluster's OpenShift version; MaaS needs >= {dotted(MIN_OPENSHIFT)} (Gateway API)"
    )
    connectivity_link_version: Annotated[str, Field(pattern=VERSION), Shape("version")] | None = Field(
        None,
        description="the cluster's Red Hat Connectivity Link (Kuadrant) version; MaaS needs >= "
        f"{dotted(MIN_CONNECTIVITY_LINK)}",
    )
    cluster_domain: Annotated[str, Field(pattern=DOMAIN, max_length=253), Shape("domain name")] | None = Field(
        None, description="the cluster's apps domain; the gateway serves `maas.<domain>`"
    )
    tls_secret_name: Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253), Shape("DNS subdomain")] | None = (
        Field(None, description=f"the TLS Secret in `{GATEWAY_NAMESPACE}` for the gateway's HTTPS listener")
    )
    models: list[EnrolledModel] = Field(
        default_factory=list, description="the llm-d LLMInferenceServices served through the gateway"
    )
    tiers: Annotated[list[Tier], Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_TIERS),
        description=f"the tiers of ConfigMap `{TIER_MAPPING_NAME}`, with their limits; the default ones are "
        'upstream\'s (opendatahub-io/maas-billing 0.0.1), limits in "Models-as-a-Service (MaaS)"',
    )

    @field_validator("models")
    @classmethod
    def _unique_models(cls, models: list[EnrolledModel]) -> list[EnrolledModel]:
        _require_unique("enrolled model names", [model.name for model in models])
        return models

    @field_validator("tiers")
    @classmethod
    def _unique_tiers(cls, tiers: list[Tier]) -> list[Tier]:
        # Limits are keyed by tier name: a second tier of the same name would silently lose its limits.
        _require_unique("tier names", [tier.name for tier in tiers])
        return tiers

    @property
    def host(self) -> str:
        return f"maas.{self.cluster_domain}"


def _require_unique(what: str, names: list[str]) -> None:
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{what} must be unique: {duplicates} appear more than once")


def missing_prerequisites(config: MaasConfig) -> list[tuple[str, str]]:
    """(key path, why) for each prerequisite not declared or not met; empty when MaaS can be switched on."""
    missing: list[tuple[str, str]] = []
    if config.openshift_version is None:
        missing.append(
            (
                "maas.openshiftVersion",
                f"required: MaaS needs OpenShift >= {dotted(MIN_OPENSHIFT)} (Gateway API support)",
            )
        )
    elif (parse(config.openshift_version) or ()) < MIN_OPENSHIFT:
        missing.append(
            (
                "maas.openshiftVersion",
                f"{config.openshift_version!r} is too old: MaaS needs OpenShift >= {dotted(MIN_OPENSHIFT)}",
            )
        )
    if config.connectivity_link_version is None:
        missing.append(
            (
                "maas.connectivityLinkVersion",
                f"required: MaaS needs Red Hat Connectivity Link >= {dotted(MIN_CONNECTIVITY_LINK)} (Kuadrant: "
                "AuthPolicy, RateLimitPolicy, TokenRateLimitPolicy)",
            )
        )
    elif (parse(config.connectivity_link_version) or ()) < MIN_CONNECTIVITY_LINK:
        missing.append(
            (
                "maas.connectivityLinkVersion",
                f"{config.connectivity_link_version!r} is too old: MaaS needs Connectivity Link >= "
                f"{dotted(MIN_CONNECTIVITY_LINK)}",
            )
        )
    if config.cluster_domain is None:
        missing.append(("maas.clusterDomain", "required: the cluster's apps domain; the gateway serves maas.<domain>"))
    if config.tls_secret_name is None:
        missing.append(
            ("maas.tlsSecretName", "required: the TLS Secret in openshift-ingress for the gateway's HTTPS listener")
        )
    if not config.models:
        missing.append(("maas.models", "required: at least one llm-d LLMInferenceService to serve through MaaS"))
    for index, model in enumerate(config.models):
        if model.kind != "LLMInferenceService":
            missing.append(
                (
                    f"maas.models[{index}].kind",
                    f"{model.kind!r} cannot be enrolled: only llm-d LLMInferenceServices "
                    "(serving.kserve.io/v1alpha1) can, plain vLLM InferenceServices cannot",
                )
            )
    tier_names = {tier.name for tier in config.tiers}
    for index, model in enumerate(config.models):
        unknown = sorted(set(model.tiers) - tier_names)
        if unknown:
            missing.append((f"maas.models[{index}].tiers", f"unknown tiers {unknown}; tiers are {sorted(tier_names)}"))
    return missing


class MaasPrerequisitesError(ValueError):
    """MaaS is switched on without its prerequisites: one `key: why` line per missing item."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("MaaS is enabled but prerequisites are missing:\n" + "\n".join(f"  - {p}" for p in problems))


def require_prerequisites(config: MaasConfig) -> None:
    """Raise (listing every missing item) when MaaS is on without what it needs; nothing to do when off."""
    if config.enabled and (missing := missing_prerequisites(config)):
        raise MaasPrerequisitesError([f"{key}: {why}" for key, why in missing])


def status(config: MaasConfig, namespace: str) -> dict[str, Any]:
    """The `maas` stack output: what is on, or what switching it on would take."""
    if not config.enabled:
        return {
            "enabled": False,
            "status": "disabled (Developer Preview on RHOAI 3.0)",
            "missingPrerequisites": [f"{key}: {why}" for key, why in missing_prerequisites(config)],
        }
    return {
        "enabled": True,
        "status": "enabled",
        "gateway": f"{GATEWAY_NAMESPACE}/{GATEWAY_NAME}",
        "models": {model.name: model_url(config, model, namespace) for model in config.models},
        "tiers": [tier.name for tier in config.tiers],
    }


def model_namespace(model: EnrolledModel, namespace: str) -> str:
    return model.namespace or namespace


def model_url(config: MaasConfig, model: EnrolledModel, namespace: str) -> str:
    return f"https://{config.host}/{model_namespace(model, namespace)}/{model.name}/v1"


def _target() -> dict[str, str]:
    return {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY_NAME}


def _metadata(name: str, namespace: str = GATEWAY_NAMESPACE) -> dict[str, str]:
    return {"name": name, "namespace": namespace}


def gateway(config: MaasConfig) -> dict[str, Any]:
    routes = {"namespaces": {"from": "All"}}
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": _metadata(GATEWAY_NAME),
        "spec": {
            "gatewayClassName": GATEWAY_CLASS,
            "listeners": [
                {"name": "http", "hostname": config.host, "port": 80, "protocol": "HTTP", "allowedRoutes": routes},
                {
                    "name": "https",
                    "hostname": config.host,
                    "port": 443,
                    "protocol": "HTTPS",
                    "allowedRoutes": routes,
                    "tls": {
                        "mode": "Terminate",
                        "certificateRefs": [{"group": "", "kind": "Secret", "name": config.tls_secret_name}],
                    },
                },
            ],
        },
    }


def auth_policy() -> dict[str, Any]:
    """ServiceAccount tokens minted by maas-api (TokenReview), the caller's tier from maas-api, and access to a
    model checked as `post` on its LLMInferenceService (path /<namespace>/<model>/...)."""
    path_part = 'request.path.split("/")[{}]'
    return {
        "apiVersion": "kuadrant.io/v1",
        "kind": "AuthPolicy",
        "metadata": _metadata("gateway-auth-policy"),
        "spec": {
            "targetRef": _target(),
            "rules": {
                "metadata": {
                    "matchedTier": {
                        "http": {
                            "url": TIER_LOOKUP_URL,
                            "contentType": "application/json",
                            "method": "POST",
                            "body": {"expression": '{ "groups": auth.identity.user.groups }'},
                        },
                        "cache": {"key": {"selector": "auth.identity.user.username"}, "ttl": 300},
                    }
                },
                "authentication": {
                    "service-accounts": {
                        "kubernetesTokenReview": {"audiences": [AUDIENCE]},
                        "defaults": {"userid": {"expression": 'auth.identity.user.username.split(":")[3]'}},
                    }
                },
                "authorization": {
                    "tier-access": {
                        "kubernetesSubjectAccessReview": {
                            "user": {"expression": "auth.identity.user.username"},
                            "authorizationGroups": {"expression": "auth.identity.user.groups"},
                            "resourceAttributes": {
                                "group": {"value": "serving.kserve.io"},
                                "resource": {"value": "llminferenceservices"},
                                "namespace": {"expression": path_part.format(1)},
                                "name": {"expression": path_part.format(2)},
                                "verb": {"value": "post"},
                            },
                        }
                    }
                },
                "response": {
                    "success": {
                        "filters": {
                            "identity": {
                                "json": {
                                    "properties": {
                                        "userid": {"expression": "auth.identity.userid"},
                                        "tier": {"expression": 'auth.metadata.matchedTier["tier"]'},
                                    }
                                }
                            }
                        }
                    }
                },
            },
        },
    }


def _tier_limit(tier: Tier, limit: Limit) -> dict[str, Any]:
    return {
        "rates": [{"limit": limit.limit, "window": limit.window}],
        "when": [{"predicate": f'auth.identity.tier == "{tier.name}"'}],
        "counters": [{"expression": "auth.identity.userid"}],
    }


def rate_limit_policy(config: MaasConfig) -> dict[str, Any]:
    return {
        "apiVersion": "kuadrant.io/v1",
        "kind": "RateLimitPolicy",
        "metadata": _metadata("gateway-rate-limits"),
        "spec": {
            "targetRef": _target(),
            "limits": {tier.name: _tier_limit(tier, tier.request_limit) for tier in config.tiers},
        },
    }


def token_rate_limit_policy(config: MaasConfig) -> dict[str, Any]:
    """Counts `usage.total_tokens` of each (non-streaming) response against the caller's tier."""
    return {
        "apiVersion": "kuadrant.io/v1alpha1",
        "kind": "TokenRateLimitPolicy",
        "metadata": _metadata("gateway-token-rate-limits"),
        "spec": {
            "targetRef": _target(),
            "limits": {f"{tier.name}-user-tokens": _tier_limit(tier, tier.token_limit) for tier in config.tiers},
        },
    }


def tier_mapping(config: MaasConfig) -> dict[str, Any]:
    tiers = [{"name": tier.name, "level": tier.level, "groups": tier.groups} for tier in config.tiers]
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(TIER_MAPPING_NAME, MAAS_API_NAMESPACE),
        "data": {"tiers": yaml.safe_dump(tiers, sort_keys=False)},
    }


def model_enrollment(model: EnrolledModel, namespace: str, annotations: dict[str, str]) -> dict[str, Any]:
    """What opts an LLMInferenceService into MaaS: its tiers ([] = all) and the gateway as its route parent.

    `route: {}` too: KServe builds the model's HTTPRoute (path /<namespace>/<model>) only when `router.route` is
    set, and attaches it to `gateway.refs`; refs alone route nothing. Server-side apply merges the empty object,
    so a route the model already has keeps its fields.
    """
    return {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "LLMInferenceService",
        "metadata": {
            "name": model.name,
            "namespace": model_namespace(model, namespace),
            "annotations": {TIERS_ANNOTATION: json.dumps(model.tiers), **annotations},
        },
        "spec": {
            "router": {
                "route": {},
                "gateway": {"refs": [{"name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE}]},
            }
        },
    }
