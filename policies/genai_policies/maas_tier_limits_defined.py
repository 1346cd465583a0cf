"""Every MaaS tier has a request limit (RateLimitPolicy) and a token limit (TokenRateLimitPolicy).

maas-api assigns each user to a tier through the `tiers` key of the ConfigMap `tier-to-group-mapping` (a YAML
list of `{name, level, groups}`), and the gateway's limits are written per tier: a limit belongs to a tier
when one of its `when[].predicate` compares the tier with that name (`auth.identity.tier == "free"`,
`auth.metadata.matchedTier["tier"] == "free"`, or `... tier in ["free", ...]`). With Kuadrant a request that
matches no limit is not limited, so a tier without a request limit is not rate limited and a tier without a
token limit has its tokens neither counted nor limited. A limit without rates limits nothing and does not
count; a limit with rates and no `when` applies to every request, so it covers every tier. Limits are read
from `spec.limits`, `spec.defaults.limits` and `spec.overrides.limits` of every such policy in the stack.

Where the release's operator deploys the tier ConfigMap itself (RHOAI 3.3: rhods-operator rhoai-3.3,
prefetched-manifests/maas/overlays/odh), the stack holds no mapping: the tiers are those the stack's MaaS component
names (its `tiers` output, upstream's), and only the limit kinds that release has count (3.3 ships token limits,
no request-count RateLimitPolicy: prefetched-manifests/maas/base/policies/usage-policies/kustomization.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from genai_contract.names import CONFIG_MAP, TYPE_PREFIX
from genai_contract.releases import PROFILES
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_list, as_map, get, is_list, object_key, parse_run_yaml, show
from genai_policies._stack import StackResource

NAME = "maas-tier-limits-defined"
RATE_LIMIT_POLICY: Final = "kubernetes:kuadrant.io/v1:RateLimitPolicy"
TOKEN_RATE_LIMIT_POLICY: Final = "kubernetes:kuadrant.io/v1alpha1:TokenRateLimitPolicy"
TIER_MAPPING: Final = "tier-to-group-mapping"
TIERS_KEY: Final = "tiers"
MAAS_COMPONENT: Final = f"{TYPE_PREFIX}:MaasGatewayPlaceholder"

# `auth.identity.tier` or `auth.metadata.matchedTier["tier"]`, compared with == (either side) or `in [...]`.
_TIER: Final = r"""(?:\.tier\b|\[\s*["']tier["']\s*\])"""
TIER_EQUALS: Final = re.compile(rf"""{_TIER}\s*==\s*(?P<q>["'])(?P<tier>.*?)(?P=q)""")
TIER_EQUALS_REVERSED: Final = re.compile(rf"""(?P<q>["'])(?P<tier>.*?)(?P=q)\s*==\s*[\w.]*{_TIER}""")
TIER_IN: Final = re.compile(rf"{_TIER}\s+in\s*\[(?P<items>[^\]]*)\]")
QUOTED: Final = re.compile(r"""(["'])(.*?)\1""")


@dataclass
class Coverage:
    """The tiers the limits of one policy kind cover, and the policies of that kind the stack holds."""

    kind: str
    policies: list[str] = field(default_factory=list)
    tiers: set[str] = field(default_factory=set)
    every_tier: list[str] = field(default_factory=list)  # limits with rates and no `when`

    def covers(self, tier: str) -> bool:
        return bool(self.every_tier) or tier in self.tiers


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    by_type: dict[str, list[StackResource]] = {}
    for item in args.resources:
        by_type.setdefault(item.resource_type, []).append(item)
    mappings = [r for r in by_type.get(CONFIG_MAP, []) if object_key(r.props)[1] == TIER_MAPPING]
    requests = _coverage("RateLimitPolicy", by_type.get(RATE_LIMIT_POLICY, []))
    tokens = _coverage("TokenRateLimitPolicy", by_type.get(TOKEN_RATE_LIMIT_POLICY, []))
    for component in by_type.get(MAAS_COMPONENT, []):
        profile = PROFILES.get(str(get(component.props, "release")))
        if profile is None or profile.maas.tier_mapping != "operator" or get(component.props, "enabled") is not True:
            continue
        kinds = [requests, tokens] if profile.maas.request_limits else [tokens]
        where = f"the ConfigMap {profile.maas.api_namespace}/{TIER_MAPPING} the operator deploys on {profile.title}"
        for tier in [str(name) for name in as_list(get(component.props, TIERS_KEY))]:
            missing = [coverage for coverage in kinds if not coverage.covers(tier)]
            if missing:
                report_violation(_message(where, tier, missing), component.urn)

    for resource in mappings:
        where = f"ConfigMap {show(object_key(resource.props))}"
        tiers, problem = _tiers(get(resource.props, "data", TIERS_KEY))
        if problem is not None:
            report_violation(
                f"{where}: {problem}. maas-api reads its tiers from this key and cannot assign users to tiers. "
                f"Fix: make {TIERS_KEY} a YAML list of {{name, level, groups}}, one entry per tier.",
                resource.urn,
            )
        for tier in tiers:
            missing = [coverage for coverage in (requests, tokens) if not coverage.covers(tier)]
            if missing:
                report_violation(_message(where, tier, missing), resource.urn)


def _message(where: str, tier: str, missing: list[Coverage]) -> str:
    effects = {
        "RateLimitPolicy": f"requests from tier {tier} are not rate limited",
        "TokenRateLimitPolicy": f"tokens of tier {tier} are not counted or limited",
    }
    lacks = " and ".join(
        f"no {c.kind} limit" + ("" if c.policies else f" (the stack has no {c.kind})") for c in missing
    )
    predicate = f'auth.identity.tier == "{tier}"'
    return (
        f"tier {tier} of {where} has {lacks}: {' and '.join(effects[c.kind] for c in missing)} (Kuadrant leaves a "
        "request that matches no limit unlimited). maas-api assigns every user to a tier of this mapping, so the "
        f"limits must cover every tier. Fix: add to the {' and the '.join(c.kind for c in missing)} a limit with "
        f"rates and when: [{{predicate: '{predicate}'}}]."
    )


def _tiers(raw: Any) -> tuple[list[str], str | None]:
    """The tier names of a `tiers` value, and what is wrong with it (None when nothing)."""
    if raw is None:
        return [], f"has no {TIERS_KEY} key"
    if not isinstance(raw, str):
        return [], f"{TIERS_KEY} is not a string"
    parsed = parse_run_yaml(raw)
    if parsed.error is not None:
        return [], f"{TIERS_KEY} is not valid YAML ({parsed.error})"
    if not is_list(parsed.document):
        return [], f"{TIERS_KEY} is not a YAML list (found {type(parsed.document).__name__})"
    names: list[str] = []
    unnamed: list[int] = []
    for index, entry in enumerate(parsed.document):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name:
            unnamed.append(index)
        elif name not in names:
            names.append(name)
    positions = ", ".join(str(index) for index in unnamed)
    problem = f"{TIERS_KEY} entries at positions {positions} (from 0) have no name" if unnamed else None
    return names, problem


def _coverage(kind: str, policies: list[StackResource]) -> Coverage:
    coverage = Coverage(kind)
    for resource in policies:
        coverage.policies.append(show(object_key(resource.props)))
        spec = get(resource.props, "spec")
        for limit_name, limit in _limits(spec):
            if not as_list(get(limit, "rates")):
                continue
            predicates = [str(get(w, "predicate") or "") for w in as_list(get(limit, "when"))]
            if not any(predicates):
                coverage.every_tier.append(limit_name)
            for predicate in predicates:
                coverage.tiers.update(tiers_in(predicate))
    return coverage


def _limits(spec: Any) -> Iterator[tuple[str, Any]]:
    for path in (("limits",), ("defaults", "limits"), ("overrides", "limits")):
        for name, limit in as_map(get(spec, *path)).items():
            yield str(name), limit


def tiers_in(predicate: str) -> set[str]:
    """The tier names a CEL predicate compares the tier with."""
    found: set[str] = set()
    for pattern in (TIER_EQUALS, TIER_EQUALS_REVERSED):
        found.update(match.group("tier") for match in pattern.finditer(predicate))
    for match in TIER_IN.finditer(predicate):
        found.update(quoted for _, quoted in QUOTED.findall(match.group("items")))
    return found


POLICY = StackValidationPolicy(
    name=NAME,
    description="Every MaaS tier has the limits its release ships: a RateLimitPolicy limit (3.0, 3.2) and a "
    "TokenRateLimitPolicy limit (3.0 to 3.3).",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
