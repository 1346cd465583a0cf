"""Models-as-a-Service (MaaS) as the stack's RHOAI release ships it: config, prerequisites and manifests.

Every release: a Gateway `maas-default-gateway` in openshift-ingress guarded by Kuadrant (Red Hat Connectivity
Link); a model opts in with `spec.router.gateway.refs` on its LLMInferenceService (llm-d): plain vLLM
InferenceServices cannot be enrolled on any release. Routes are `https://maas.<apps domain>/<namespace>/<model>/v1`.
What differs per release (who installs MaaS, tiers or subscriptions, the DataScienceCluster switch) is the
release profile's MaaS flavour (genai_contract.releases.maas); the builders here ask it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import yaml
from genai_contract import names
from genai_contract.releases import PROFILES
from genai_contract.releases import maas as flavours
from genai_contract.releases.maas import MaasFlavour
from genai_contract.releases.profile import ReleaseProfile
from pydantic import Field, field_validator, model_validator

from genai_playground.model_base import (
    DNS_LABEL,
    DNS_SUBDOMAIN,
    FLAG_INPUT,
    INT32_MAX,
    NUMBER_INPUT,
    TEXT_INPUT,
    CamelModel,
    Requires,
    Shape,
)
from genai_playground.versions import dotted, parse

GATEWAY_NAME = "maas-default-gateway"
GATEWAY_NAMESPACE = "openshift-ingress"
GATEWAY_CLASS = "openshift-default"
AUDIENCE = "maas-default-gateway-sa"
TIER_MAPPING_NAME = "tier-to-group-mapping"
TIERS_ANNOTATION = "alpha.maas.opendatahub.io/tiers"
MAAS_API_VERSION = "maas.opendatahub.io/v1alpha1"
DSC_API_VERSION = "datasciencecluster.opendatahub.io/v2"  # the storage version from 3.3; aigateway is v2 only
PROVIDER_PREFIX = names.MAAS_PROVIDER_PREFIX  # the dashboard sends a MaaS token only for these providers
# maas-api keeps each tier's API-key ServiceAccounts in namespace `<gateway>-tier-<tier>` (63 characters at most).
TIER_NAMESPACE_PREFIX = f"{GATEWAY_NAME}-tier-"
MAX_TIER_NAME = 63 - len(TIER_NAMESPACE_PREFIX)
MIN_OPENSHIFT = (4, 19, 9)
MIN_CONNECTIVITY_LINK = (1, 2)  # the oldest any release needs; each flavour says its own

VERSION = r"^\d+(\.\d+){0,2}$"
DOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
# Kuadrant's own pattern for a rate's window (RateLimitPolicy and TokenRateLimitPolicy CRDs): 1m, 1h30m, 500ms.
WINDOW = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"
# MaaSSubscription's pattern and bounds for a token limit (opendatahub-io/models-as-a-service@release-3.4,
# deployment/base/maas-controller/crd/bases/maas.opendatahub.io_maassubscriptions.yaml).
SUBSCRIPTION_WINDOW = r"^[1-9]\d{0,3}(s|m|h)$"
MAX_SUBSCRIPTION_TOKENS = 1_000_000_000


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
        description="only an llm-d `LLMInferenceService` can be enrolled, a plain vLLM InferenceService cannot "
        "(on every release)",
    )
    served_model_name: Annotated[str, Field(min_length=1, max_length=256), TEXT_INPUT] | None = Field(
        None,
        description="the name the model is served under (the LLMInferenceService's `spec.model.name`), the "
        "playground's `provider_model_id`; default `name`",
    )
    tiers: Annotated[list[TierName], Requires(flavours.MODEL_TIERS)] = Field(
        default_factory=list,
        description=f"annotation `{TIERS_ANNOTATION}`: the tiers that may use the model; `[]` = every tier "
        "(RHOAI 3.0 to 3.3)",
    )


SubscriptionName = Annotated[str, Field(pattern=DNS_LABEL, max_length=63), Shape("DNS label"), TEXT_INPUT]
UserName = Annotated[str, Field(min_length=1, max_length=253), TEXT_INPUT]


class TokenLimit(CamelModel):
    limit: Annotated[int, Field(gt=0, le=MAX_SUBSCRIPTION_TOKENS), NUMBER_INPUT] = Field(
        description="the most tokens one subscriber may use per window"
    )
    window: Annotated[str, Field(pattern=SUBSCRIPTION_WINDOW), Shape("duration `<1-9999>s|m|h`")] = Field(
        description="the window: `1m`, `24h` (MaaSSubscription allows 1 to 9999 seconds, minutes or hours)"
    )


class Subscription(CamelModel):
    """A MaaSSubscription (token limits) and the MaaSAuthPolicy (access) of the same owners and models."""

    name: SubscriptionName = Field(description="the MaaSSubscription and its MaaSAuthPolicy")
    groups: list[GroupName] = Field(default_factory=list, description="the groups subscribed")
    users: list[UserName] = Field(default_factory=list, description="the users subscribed")
    models: list[Annotated[str, Field(pattern=DNS_LABEL, max_length=63), Shape("DNS label"), TEXT_INPUT]] = Field(
        default_factory=list, description="names of enrolled `models` it covers; `[]` = every enrolled model"
    )
    token_limit: TokenLimit = Field(description="tokens per subscriber and window, on each of its models")
    priority: Annotated[int, Field(ge=0, le=INT32_MAX), NUMBER_INPUT] = Field(
        0, description="the subscription that wins when a user has several (highest first)"
    )

    @model_validator(mode="after")
    def _has_owners(self) -> Subscription:
        # MaaSAuthPolicy's CEL rule: at least one group or user in spec.subjects.
        if not (self.groups or self.users):
            raise ValueError("a subscription needs at least one group or user: MaaSAuthPolicy refuses none")
        return self


class MaasConfig(CamelModel):
    """`maas:` in the stack file. Off by default; `pulumi stack output maas` says what enabling would take."""

    enabled: Annotated[bool, FLAG_INPUT] = Field(
        False,
        description="switch MaaS on, as the stack's `release` ships it: the versions, `clusterDomain`, "
        "`tlsSecretName` and `models` are then required (and from 3.4 `databaseSecret` and `subscriptions`)",
    )
    openshift_version: Annotated[str, Field(pattern=VERSION), Shape("version")] | None = Field(
        None, description=f"the cluster's OpenShift version; MaaS needs >= {dotted(MIN_OPENSHIFT)} (Gateway API)"
    )
    connectivity_link_version: Annotated[str, Field(pattern=VERSION), Shape("version")] | None = Field(
        None,
        description="the cluster's Red Hat Connectivity Link (Kuadrant) version; MaaS needs >= "
        f"{dotted(MIN_CONNECTIVITY_LINK)} (1.3 from RHOAI 3.4)",
    )
    cluster_domain: Annotated[str, Field(pattern=DOMAIN, max_length=253), Shape("domain name")] | None = Field(
        None, description="the cluster's apps domain; the gateway serves `maas.<domain>`"
    )
    tls_secret_name: Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253), Shape("DNS subdomain")] | None = (
        Field(None, description=f"the TLS Secret in `{GATEWAY_NAMESPACE}` for the gateway's HTTPS listener")
    )
    database_secret: Annotated[
        str | None,
        Field(pattern=DNS_SUBDOMAIN, max_length=253),
        Shape("DNS subdomain"),
        Requires(flavours.DATABASE_SECRET),
    ] = Field(
        None,
        description="RHOAI 3.4 and later: the PostgreSQL Secret maas-api reads (`maas-db-config`, key "
        "`DB_CONNECTION_URL`, in `redhat-ods-applications`), created by you before MaaS is switched on; never read or "
        "written here",
    )
    models: list[EnrolledModel] = Field(
        default_factory=list,
        description="the llm-d LLMInferenceServices served through the gateway; each also appears in the "
        "playground as provider `maas-<name>`",
    )
    tiers: Annotated[list[Tier], Field(min_length=1), Requires(flavours.TIERS)] = Field(
        default_factory=lambda: list(DEFAULT_TIERS),
        description=f"RHOAI 3.0 and 3.2: the tiers of ConfigMap `{TIER_MAPPING_NAME}`, with their limits; the "
        "default ones are upstream's (opendatahub-io/models-as-a-service 0.0.1), limits in "
        '"Models-as-a-Service (MaaS)"',
    )
    subscriptions: Annotated[list[Subscription], Requires(flavours.SUBSCRIPTIONS)] = Field(
        default_factory=list,
        description="RHOAI 3.4 and later: who may use which enrolled models, with token limits (a MaaSSubscription "
        "and a MaaSAuthPolicy each); at least one when MaaS is on",
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

    @field_validator("subscriptions")
    @classmethod
    def _unique_subscriptions(cls, subscriptions: list[Subscription]) -> list[Subscription]:
        _require_unique("subscription names", [subscription.name for subscription in subscriptions])
        return subscriptions

    @property
    def host(self) -> str:
        return f"maas.{self.cluster_domain}"


def _require_unique(what: str, names: list[str]) -> None:
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{what} must be unique: {duplicates} appear more than once")


def missing_prerequisites(config: MaasConfig, flavour: MaasFlavour) -> list[tuple[str, str]]:
    """(key path, why) for each prerequisite not declared or not met on the release whose flavour this is; empty
    when MaaS can be switched on."""
    missing: list[tuple[str, str]] = []
    missing += _version_problems(
        "maas.openshiftVersion", "OpenShift", config.openshift_version, MIN_OPENSHIFT, "Gateway API support"
    )
    missing += _version_problems(
        "maas.connectivityLinkVersion",
        "Red Hat Connectivity Link",
        config.connectivity_link_version,
        flavour.min_connectivity_link,
        "Kuadrant: AuthPolicy, TokenRateLimitPolicy" + (", RateLimitPolicy" if flavour.request_limits else ""),
    )
    if config.cluster_domain is None:
        missing.append(("maas.clusterDomain", "required: the cluster's apps domain; the gateway serves maas.<domain>"))
    if config.tls_secret_name is None:
        missing.append(
            ("maas.tlsSecretName", "required: the TLS Secret in openshift-ingress for the gateway's HTTPS listener")
        )
    missing += _database_problems(config, flavour)
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
    if flavour.access == "tiers":
        tier_names = [tier.name for tier in tiers_of(config, flavour)]
        for index, model in enumerate(config.models):
            unknown = sorted(set(model.tiers) - set(tier_names))
            if unknown:
                missing.append((f"maas.models[{index}].tiers", f"unknown tiers {unknown}; tiers are {tier_names}"))
    else:
        missing += _subscription_problems(config)
    return missing


def _version_problems(
    key: str, product: str, declared: str | None, minimum: tuple[int, ...], why: str
) -> list[tuple[str, str]]:
    if declared is None:
        return [(key, f"required: MaaS needs {product} >= {dotted(minimum)} ({why})")]
    if (parse(declared) or ()) < minimum:
        return [(key, f"{declared!r} is too old: MaaS needs {product} >= {dotted(minimum)}")]
    return []


def _database_problems(config: MaasConfig, flavour: MaasFlavour) -> list[tuple[str, str]]:
    wanted = flavour.database_secret
    if wanted is None:
        return []
    where = f"{flavour.api_namespace}/{wanted}"
    if config.database_secret is None:
        return [
            (
                "maas.databaseSecret",
                f"required: create the PostgreSQL Secret {where} (key DB_CONNECTION_URL, "
                "postgresql://user:password@host:5432/db?sslmode=require) before MaaS is switched on, then set "
                f"this to {wanted}; the program never creates or reads it",
            )
        ]
    if config.database_secret != wanted:
        return [("maas.databaseSecret", f"{config.database_secret!r}: maas-api reads only the Secret {where}")]
    return []


def _subscription_problems(config: MaasConfig) -> list[tuple[str, str]]:
    if not config.subscriptions:
        return [
            (
                "maas.subscriptions",
                "required: at least one subscription (groups or users, models, token limit); without a "
                "MaaSSubscription and a MaaSAuthPolicy no one may call a model",
            )
        ]
    enrolled = [model.name for model in config.models]
    problems: list[tuple[str, str]] = []
    for index, subscription in enumerate(config.subscriptions):
        unknown = sorted(set(subscription.models) - set(enrolled))
        if unknown:
            problems.append(
                (f"maas.subscriptions[{index}].models", f"not enrolled: {unknown}; enrolled models are {enrolled}")
            )
    return problems


class MaasPrerequisitesError(ValueError):
    """MaaS is switched on without its prerequisites: one `key: why` line per missing item."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("MaaS is enabled but prerequisites are missing:\n" + "\n".join(f"  - {p}" for p in problems))


def require_prerequisites(config: MaasConfig, flavour: MaasFlavour) -> None:
    """Raise (listing every missing item) when MaaS is on without what it needs; nothing to do when off."""
    if config.enabled and (missing := missing_prerequisites(config, flavour)):
        raise MaasPrerequisitesError([f"{key}: {why}" for key, why in missing])


def tiers_of(config: MaasConfig, flavour: MaasFlavour) -> list[Tier]:
    """The tiers the gateway knows: the stack's, or (where the operator deploys the tier ConfigMap) upstream's."""
    return list(config.tiers) if flavour.tier_mapping == "stack" else list(DEFAULT_TIERS)


def status(config: MaasConfig, namespace: str, profile: ReleaseProfile) -> dict[str, Any]:
    """The `maas` stack output: what is on, or what switching it on would take, on the stack's release."""
    flavour = profile.maas
    if not config.enabled:
        return {
            "enabled": False,
            "release": profile.release,
            "status": f"disabled; on {profile.title} MaaS is {flavour.name}",
            "missingPrerequisites": [f"{key}: {why}" for key, why in missing_prerequisites(config, flavour)],
        }
    on: dict[str, Any] = {
        "enabled": True,
        "release": profile.release,
        "status": "enabled",
        "gateway": f"{GATEWAY_NAMESPACE}/{GATEWAY_NAME}",
        "models": {model.name: model_url(config, model, namespace) for model in config.models},
        "providers": {model.name: provider_id(model) for model in config.models},
    }
    if flavour.access == "tiers":
        on["tiers"] = [tier.name for tier in tiers_of(config, flavour)]
    else:
        on["subscriptions"] = [subscription.name for subscription in config.subscriptions]
    if flavour.operator_deploys:
        on["operatorDeploys"] = list(flavour.operator_deploys)
    return on


def model_namespace(model: EnrolledModel, namespace: str) -> str:
    return model.namespace or namespace


def model_url(config: MaasConfig, model: EnrolledModel, namespace: str) -> str:
    return f"https://{config.host}/{model_namespace(model, namespace)}/{model.name}/v1"


def provider_id(model: EnrolledModel) -> str:
    """The playground's provider of an enrolled model: `maas-` first, or the dashboard sends no MaaS token."""
    return f"{PROVIDER_PREFIX}{model.name}"


def releases_with(predicate: Any) -> list[str]:
    """The supported releases whose MaaS flavour satisfies `predicate`."""
    return [release for release, profile in PROFILES.items() if predicate(profile.maas)]


# ------------------------------------------------------------------------------------------- the objects


def _target() -> dict[str, str]:
    return {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY_NAME}


def _metadata(name: str, namespace: str = GATEWAY_NAMESPACE) -> dict[str, Any]:
    return {"name": name, "namespace": namespace}


def gateway(config: MaasConfig, flavour: MaasFlavour) -> dict[str, Any]:
    """The Gateway every release's MaaS routes through; from 3.3 it must exist before MaaS is switched on."""
    routes = {"namespaces": {"from": "All"}}
    metadata = _metadata(GATEWAY_NAME)
    if flavour.gateway_annotations:
        metadata["annotations"] = dict(flavour.gateway_annotations)
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": metadata,
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


def auth_policy(flavour: MaasFlavour) -> dict[str, Any]:
    """ServiceAccount tokens minted by maas-api (TokenReview), the caller's tier from maas-api, and access to a
    model checked as `post` on its LLMInferenceService (path /<namespace>/<model>/...). Only where the stack
    installs MaaS: from 3.3 the operator deploys this policy."""
    if flavour.tier_lookup_url is None:
        raise ValueError(f"{flavour.name}: the operator deploys the gateway AuthPolicy")
    path_part = 'request.path.split("/")[{}]'
    authentication: dict[str, Any] = {
        "kubernetesTokenReview": {"audiences": [AUDIENCE]},
        "defaults": {"userid": {"expression": 'auth.identity.user.username.split(":")[3]'}},
    }
    access: dict[str, Any] = {
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
    if flavour.auth_caches:
        # models-as-a-service@v0.0.2 deployment/base/policies/auth-policies/gateway-auth-policy.yaml.
        authentication["cache"] = {
            "key": {"selector": "context.request.http.headers.authorization.@case:lower"},
            "ttl": 600,
        }
        access = {"cache": {"key": {"selector": "{auth.identity.user.username}:{request.path}"}, "ttl": 60}, **access}
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
                            "url": flavour.tier_lookup_url,
                            "contentType": "application/json",
                            "method": "POST",
                            "body": {"expression": '{ "groups": auth.identity.user.groups }'},
                        },
                        "cache": {"key": {"selector": "auth.identity.user.username"}, "ttl": 300},
                    }
                },
                "authentication": {"service-accounts": authentication},
                "authorization": {"tier-access": access},
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


def token_rate_limit_policy(tiers: Sequence[Tier]) -> dict[str, Any]:
    """Counts `usage.total_tokens` of each (non-streaming) response against the caller's tier."""
    return {
        "apiVersion": "kuadrant.io/v1alpha1",
        "kind": "TokenRateLimitPolicy",
        "metadata": _metadata("gateway-token-rate-limits"),
        "spec": {
            "targetRef": _target(),
            "limits": {f"{tier.name}-user-tokens": _tier_limit(tier, tier.token_limit) for tier in tiers},
        },
    }


def tier_mapping(config: MaasConfig, flavour: MaasFlavour) -> dict[str, Any]:
    tiers: list[dict[str, Any]] = []
    for tier in config.tiers:
        entry: dict[str, Any] = {"name": tier.name}
        if flavour.tier_display_names:
            entry["displayName"] = f"{tier.name.capitalize()} Tier"  # v0.0.2's own: "Free Tier"
        tiers.append({**entry, "level": tier.level, "groups": tier.groups})
    metadata = _metadata(TIER_MAPPING_NAME, flavour.api_namespace)
    if flavour.tier_display_names:
        metadata["annotations"] = {flavours.MANAGED_ANNOTATION: "false"}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata,
        "data": {"tiers": yaml.safe_dump(tiers, sort_keys=False)},
    }


def model_enrollment(
    model: EnrolledModel, namespace: str, annotations: dict[str, str], flavour: MaasFlavour
) -> dict[str, Any]:
    """What routes an LLMInferenceService through the MaaS gateway: the gateway as its route parent and, where
    access goes by tier, its tiers ([] = all).

    `route: {}` too: KServe builds the model's HTTPRoute (path /<namespace>/<model>) only when `router.route` is
    set, and attaches it to `gateway.refs`; refs alone route nothing (models-as-a-service@release-3.4
    docs/samples/models/simulator/model.yaml has both). Server-side apply merges the empty object, so a route the
    model already has keeps its fields.
    """
    metadata: dict[str, Any] = {"name": model.name, "namespace": model_namespace(model, namespace)}
    tier_annotations = {TIERS_ANNOTATION: json.dumps(model.tiers)} if flavour.access == "tiers" else {}
    if tier_annotations or annotations:
        metadata["annotations"] = {**tier_annotations, **annotations}
    return {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "LLMInferenceService",
        "metadata": metadata,
        "spec": {
            "router": {
                "route": {},
                "gateway": {"refs": [{"name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE}]},
            }
        },
    }


def data_science_cluster_switch(flavour: MaasFlavour, data_science_cluster: str) -> dict[str, Any]:
    """The DataScienceCluster fields that make the operator deploy MaaS (3.3 on)."""
    return {
        "apiVersion": DSC_API_VERSION,
        "kind": "DataScienceCluster",
        "metadata": {"name": data_science_cluster},
        "spec": {"components": json.loads(json.dumps(flavour.dsc_switch))},
    }


def model_ref(model: EnrolledModel, namespace: str) -> dict[str, Any]:
    """MaaSModelRef (3.4): registers the model with MaaS, in the model's namespace
    (docs/samples/maas-system/*/maas/maas-model.yaml)."""
    return {
        "apiVersion": MAAS_API_VERSION,
        "kind": "MaaSModelRef",
        "metadata": {"name": model.name, "namespace": model_namespace(model, namespace)},
        "spec": {"modelRef": {"kind": model.kind, "name": model.name}},
    }


def _covered(config: MaasConfig, subscription: Subscription, namespace: str) -> list[dict[str, str]]:
    names = subscription.models or [model.name for model in config.models]
    enrolled = {model.name: model for model in config.models}
    return [
        {"name": name, "namespace": model_namespace(enrolled[name], namespace)} for name in names if name in enrolled
    ]


def _owners(subscription: Subscription) -> dict[str, Any]:
    return {"groups": [{"name": group} for group in subscription.groups], "users": list(subscription.users)}


def subscription(config: MaasConfig, item: Subscription, namespace: str, flavour: MaasFlavour) -> dict[str, Any]:
    """MaaSSubscription (3.4): the token limit of its owners on each model (maas-subscription.yaml samples)."""
    return {
        "apiVersion": MAAS_API_VERSION,
        "kind": "MaaSSubscription",
        "metadata": {"name": item.name, "namespace": str(flavour.subscription_namespace)},
        "spec": {
            "owner": _owners(item),
            "modelRefs": [
                {**ref, "tokenRateLimits": [{"limit": item.token_limit.limit, "window": item.token_limit.window}]}
                for ref in _covered(config, item, namespace)
            ],
            "priority": item.priority,
        },
    }


def access_policy(config: MaasConfig, item: Subscription, namespace: str, flavour: MaasFlavour) -> dict[str, Any]:
    """MaaSAuthPolicy (3.4): the same owners may call the same models (maas-auth-policy.yaml samples)."""
    return {
        "apiVersion": MAAS_API_VERSION,
        "kind": "MaaSAuthPolicy",
        "metadata": {"name": item.name, "namespace": str(flavour.subscription_namespace)},
        "spec": {"modelRefs": _covered(config, item, namespace), "subjects": _owners(item)},
    }
