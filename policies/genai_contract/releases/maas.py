"""How each RHOAI release ships Models-as-a-Service (MaaS): what the stack renders and what the operator does.

A release profile names its flavour (`ReleaseProfile.maas`); the MaaS builders (genai_playground.maas), the
component and the pack's MaaS rules ask the flavour, never the release string. Stdlib only: the pack ships it.

Sources (MAAS = opendatahub-io/models-as-a-service, RHODS = red-hat-data-services/rhods-operator):
- 3.0: MAAS@0.0.1 deployment/base/{networking/maas,policies,maas-api/resources} (installed by script).
- 3.2: MAAS@v0.0.2 docs/content/install/maas-setup.md (policies applied by hand, maas-api in the applications
  namespace), deployment/base/networking/maas/maas-gateway-api.yaml (Gateway annotations),
  deployment/base/policies/auth-policies/gateway-auth-policy.yaml (auth caches),
  deployment/base/maas-api/resources/tier-mapping-configmap.yaml (`displayName`, `opendatahub.io/managed: "false"`).
  RHODS@rhoai-3.2 has no DataScienceCluster field for MaaS.
- 3.3: RHODS@rhoai-3.3 api/components/v1alpha1/kserve_types.go (`kserve.modelsAsService`),
  prefetched-manifests/maas/overlays/odh/kustomization.yaml (the operator deploys maas-api with the tier ConfigMap,
  the gateway AuthPolicy and an Authorino NetworkPolicy), internal/controller/components/modelsasservice/
  modelsasservice_controller_actions.go (validateGatewayExists), prefetched-manifests/maas/base/policies/
  usage-policies/kustomization.yaml (token limits only, no request-count RateLimitPolicy).
- 3.4: MAAS@release-3.4 docs/content/install/maas-setup.md (Secret `maas-db-config`, Gateway first, its two
  annotations), docs/samples/maas-system/*/maas/*.yaml (MaaSModelRef in the model's namespace, MaaSSubscription and
  MaaSAuthPolicy in `models-as-a-service`), docs/content/install/prerequisites.md (RHCL 1.3).
- 3.5: RHODS@rhoai-3.5 api/components/v1alpha1/aigateway_types.go (`aigateway.modelsAsAService`), kserve_types.go
  (`kserve.modelsAsService` deprecated, CEL refuses Removed -> Managed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

# How users get access: tiers (a ConfigMap of groups, Kuadrant limits per tier) or MaaS subscriptions (CRDs).
Access = Literal["tiers", "subscriptions"]
# Who makes ConfigMap `tier-to-group-mapping`: the stack, or the operator (then the stack leaves it alone).
TierMapping = Literal["stack", "operator", "none"]

# Features (ReleaseProfile.features) naming the MaaS keys only some releases have (genai_playground.config.Requires).
TIERS = "maas.tiers"
MODEL_TIERS = "maas.models.tiers"
SUBSCRIPTIONS = "maas.subscriptions"
DATABASE_SECRET = "maas.databaseSecret"

MANAGED_ANNOTATION = "opendatahub.io/managed"
AUTHORINO_TLS_ANNOTATION = "security.opendatahub.io/authorino-tls-bootstrap"


@dataclass(frozen=True)
class MaasFlavour:
    name: str  # how the release ships MaaS, for status and errors
    source: str  # the upstream it follows (repo@ref)
    api_namespace: str  # where maas-api (and the tier ConfigMap, the database Secret) live
    access: Access
    tier_mapping: TierMapping
    # The gateway AuthPolicy `gateway-auth-policy`: the tier lookup URL when the stack renders it, None when the
    # operator deploys it.
    tier_lookup_url: str | None
    auth_caches: bool  # the AuthPolicy caches token reviews and access checks (models-as-a-service >= v0.0.2)
    request_limits: bool  # a request-count RateLimitPolicy per tier
    token_limits: bool  # a TokenRateLimitPolicy per tier (with subscriptions the controller writes them)
    tier_display_names: bool  # tier entries carry `displayName` (v0.0.2)
    gateway_annotations: Mapping[str, str]
    # spec.components of the DataScienceCluster that switches MaaS on (merged into one patch); empty: no switch.
    dsc_switch: Mapping[str, Mapping[str, object]]
    operator_deploys: tuple[str, ...]  # objects the operator deploys itself once switched on (never rendered)
    # A key of the stack (feature) asking for something the operator deploys on this release: why it is refused.
    operator_owned: Mapping[str, str] = field(default_factory=dict)
    min_connectivity_link: tuple[int, ...] = (1, 2)
    database_secret: str | None = None  # the PostgreSQL Secret maas-api reads (key DB_CONNECTION_URL)
    subscription_namespace: str | None = None  # where MaaSSubscription and MaaSAuthPolicy objects live

    @property
    def renders_auth_policy(self) -> bool:
        return self.tier_lookup_url is not None


_GATEWAY = "openshift-ingress/maas-default-gateway"
APPLICATIONS_NAMESPACE = "redhat-ods-applications"

SCRIPT_0_0_1 = MaasFlavour(
    name="installed by script (models-as-a-service 0.0.1, Developer Preview)",
    source="opendatahub-io/models-as-a-service@0.0.1",
    api_namespace="maas-api",
    access="tiers",
    tier_mapping="stack",
    tier_lookup_url="http://maas-api.maas-api.svc.cluster.local:8080/v1/tiers/lookup",
    auth_caches=False,
    request_limits=True,
    token_limits=True,
    tier_display_names=False,
    gateway_annotations={},
    dsc_switch={},
    operator_deploys=(),
)

# Each later flavour states what changed from the one before it, as the release profiles do.
SCRIPT_0_0_2 = replace(
    SCRIPT_0_0_1,
    name="installed by hand (models-as-a-service v0.0.2): maas-api in the applications namespace",
    source="opendatahub-io/models-as-a-service@v0.0.2",
    api_namespace=APPLICATIONS_NAMESPACE,
    # maas-setup.md rewrites the base policy's maas-api.maas-api.svc to the RHOAI namespace.
    tier_lookup_url=f"http://maas-api.{APPLICATIONS_NAMESPACE}.svc.cluster.local:8080/v1/tiers/lookup",
    auth_caches=True,
    tier_display_names=True,
    gateway_annotations={MANAGED_ANNOTATION: "false", AUTHORINO_TLS_ANNOTATION: "true"},
)

_TIER_CONFIGMAP = (
    f"ConfigMap {APPLICATIONS_NAMESPACE}/tier-to-group-mapping (tiers free, premium, enterprise; annotated "
    f'{MANAGED_ANNOTATION}: "false", so edit it on the cluster)'
)

KSERVE_OPERATOR = replace(
    SCRIPT_0_0_2,
    name="deployed by the operator: DataScienceCluster kserve.modelsAsService",
    source="red-hat-data-services/rhods-operator@rhoai-3.3",
    tier_mapping="operator",
    tier_lookup_url=None,
    request_limits=False,
    dsc_switch={"kserve": {"modelsAsService": {"managementState": "Managed"}}},
    operator_deploys=(
        f"maas-api in {APPLICATIONS_NAMESPACE}",
        f"AuthPolicy {_GATEWAY.split('/')[0]}/gateway-auth-policy",
        _TIER_CONFIGMAP,
        "NetworkPolicy maas-authorino-allow",
    ),
    operator_owned={TIERS: f"the operator deploys {_TIER_CONFIGMAP}"},
)

MAAS_CRDS = replace(
    KSERVE_OPERATOR,
    name="deployed by the operator (maas-controller); access by MaaSSubscription and MaaSAuthPolicy",
    source="opendatahub-io/models-as-a-service@release-3.4",
    access="subscriptions",
    tier_mapping="none",
    token_limits=False,
    tier_display_names=False,
    operator_deploys=(
        f"maas-api and maas-controller in {APPLICATIONS_NAMESPACE}",
        "the gateway's AuthPolicies and TokenRateLimitPolicies (maas-controller, from the MaaS objects)",
    ),
    operator_owned={},
    min_connectivity_link=(1, 3),
    database_secret="maas-db-config",
    subscription_namespace="models-as-a-service",
)

# RHOAI 3.5: the switch moved under the AI gateway component; the MaaS objects are those of 3.4.
AIGATEWAY_OPERATOR = replace(
    MAAS_CRDS,
    name="deployed by the operator: DataScienceCluster aigateway.modelsAsAService",
    source="red-hat-data-services/rhods-operator@rhoai-3.5",
    dsc_switch={"aigateway": {"managementState": "Managed", "modelsAsAService": {"managementState": "Managed"}}},
)
