"""A Gateway that routes models to callers has a Kuadrant AuthPolicy, or anyone reaches the models.

A Gateway routes models when an LLMInferenceService (or its patch) lists it in `spec.router.gateway.refs`,
or an HTTPRoute lists it in `spec.parentRefs`. It is protected by an AuthPolicy of its own namespace whose
`spec.targetRef` is the whole Gateway (`{group: gateway.networking.k8s.io, kind: Gateway, name: <gateway>}`);
an AuthPolicy naming a `sectionName` guards one listener only and does not count, and one in another
namespace targets nothing (a policy's targetRef is local to its namespace).

From RHOAI 3.3 the operator deploys the gateway's auth itself once the DataScienceCluster switches MaaS on (3.3:
its `gateway-auth-policy`; 3.4 on: maas-controller's AuthPolicies from the MaaSAuthPolicy objects): a Gateway the
stack's MaaS component renders for such a release (its `release` prop, whose profile says the operator guards
the gateway) counts as protected when the stack also holds that release's switch (a DataScienceCluster patch
with the flavour's `spec.components` fields).

Only Gateways in the stack are judged: a referenced Gateway the stack does not hold (made by another stack
or by the cluster's admins) cannot be, and gives no violation. An LLMInferenceService relying on KServe's
default gateway (no refs) is not judged either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from genai_contract.names import LLM_ISVC, LLM_ISVC_PATCH, TYPE_PREFIX
from genai_contract.releases import PROFILES
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_list, get, object_key, show
from genai_policies._stack import StackResource

NAME = "maas-gateway-requires-auth"
GATEWAY: Final = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE: Final = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
AUTH_POLICY: Final = "kubernetes:kuadrant.io/v1:AuthPolicy"
GATEWAY_GROUP: Final = "gateway.networking.k8s.io"
MAAS_COMPONENT: Final = f"{TYPE_PREFIX}:MaasGatewayPlaceholder"
DSC_PATCH: Final = "kubernetes:datasciencecluster.opendatahub.io/v2:DataScienceClusterPatch"
MAAS_GATEWAY: Final = ("openshift-ingress", "maas-default-gateway")

Key = tuple[str, str]


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    by_type: dict[str, list[StackResource]] = {}
    for item in args.resources:
        by_type.setdefault(item.resource_type, []).append(item)

    gateways: dict[Key, StackResource] = {object_key(r.props): r for r in by_type.get(GATEWAY, [])}
    if not gateways:
        return
    protected, elsewhere = _auth_targets(by_type.get(AUTH_POLICY, []))
    if _operator_guards(by_type):
        protected.add(MAAS_GATEWAY)

    routed_by: dict[Key, list[str]] = {}  # gateway key -> the objects that route through it, in stack order

    def routes(ref: Key, title: str) -> None:
        key = ref if ref in gateways else ("", ref[1])
        if key in gateways and title not in routed_by.setdefault(key, []):
            routed_by[key].append(title)

    for token in (LLM_ISVC, LLM_ISVC_PATCH):
        for resource in by_type.get(token, []):
            own = object_key(resource.props)
            for ref in as_list(get(resource.props, "spec", "router", "gateway", "refs")):
                name = get(ref, "name")
                if name:
                    routes((str(get(ref, "namespace") or own[0]), str(name)), f"LLMInferenceService {show(own)}")
    for resource in by_type.get(HTTP_ROUTE, []):
        own = object_key(resource.props)
        for ref in as_list(get(resource.props, "spec", "parentRefs")):
            name = get(ref, "name")
            if name and get(ref, "kind") in (None, "Gateway") and get(ref, "group") in (None, GATEWAY_GROUP):
                routes((str(get(ref, "namespace") or own[0]), str(name)), f"HTTPRoute {show(own)}")

    for key, titles in routed_by.items():
        if key in protected:
            continue
        namespace, name = key
        gateway = show(key)
        hint = "".join(f" {note}" for note in elsewhere.get(name, []))
        report_violation(
            f"Gateway {gateway} routes models ({', '.join(sorted(titles))}) but no AuthPolicy"
            f"{f' in namespace {namespace}' if namespace else ''} targets it: without an AuthPolicy any caller "
            f"reaches the models, with no token check and no tier.{hint} Fix: create an AuthPolicy "
            f"{f'in namespace {namespace} ' if namespace else ''}with targetRef {{group: {GATEWAY_GROUP}, "
            f"kind: Gateway, name: {name}}} (maas-api's gateway-auth-policy).",
            gateways[key].urn,
        )


def _operator_guards(by_type: Mapping[str, list[StackResource]]) -> bool:
    """The stack switches MaaS on for a release whose operator deploys the gateway's auth itself."""
    switches = [get(r.props, "spec", "components") for r in by_type.get(DSC_PATCH, [])]
    for component in by_type.get(MAAS_COMPONENT, []):
        profile = PROFILES.get(str(get(component.props, "release")))
        if profile is None or profile.maas.renders_auth_policy or not profile.maas.dsc_switch:
            continue
        if any(_contains(switch, profile.maas.dsc_switch) for switch in switches):
            return True
    return False


def _contains(value: object, wanted: object) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(value, Mapping) and all(_contains(value.get(k), v) for k, v in wanted.items())
    return value == wanted


def _auth_targets(policies: list[StackResource]) -> tuple[set[Key], dict[str, list[str]]]:
    """Gateways (namespace, name) an AuthPolicy guards whole; notes on near misses, by gateway name."""
    protected: set[Key] = set()
    elsewhere: dict[str, list[str]] = {}
    for resource in policies:
        target = get(resource.props, "spec", "targetRef")
        if not isinstance(target, Mapping) or target.get("kind") != "Gateway" or not target.get("name"):
            continue
        if target.get("group") != GATEWAY_GROUP:
            continue
        own = object_key(resource.props)
        name = str(target.get("name"))
        section = target.get("sectionName")
        if section:
            note = f"AuthPolicy {show(own)} guards only the listener {section} (sectionName), not the whole Gateway."
            elsewhere.setdefault(name, []).append(note)
            continue
        protected.add((own[0], name))
        note = (
            f"AuthPolicy {show(own)} targets a Gateway {name} of its own namespace {own[0] or '(default)'}, "
            "not this one (a targetRef is local to the policy's namespace)."
        )
        elsewhere.setdefault(name, []).append(note)
    return protected, elsewhere


POLICY = StackValidationPolicy(
    name=NAME,
    description="A Gateway that routes models (LLMInferenceService refs, HTTPRoute parentRefs) has an AuthPolicy.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
