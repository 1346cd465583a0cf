"""The pack's own Analyzer servicer, called in-process: the SDK code path the pack process runs, minus gRPC.

Requests are built by offline_preview.policy_pack exactly as the driver sends them over the wire, so a unit test sees
what the engine would: proxied props, the SDK's enforcement levels, its advisory for unknown values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from offline_preview.policy_pack import (
    AnalyzedResource,
    PackInfo,
    Violation,
    analyze_request,
    analyze_stack_request,
    configure_request,
    pack_info_of,
    resolve_policy_config,
    violations_of,
)
from tests.policies.fixtures import StackFixture


class InProcessPack:
    def __init__(self, policies: Iterable[Policy] | None = None, config: Mapping[str, Any] | None = None) -> None:
        from genai_policies import ALL_POLICIES, PACK_NAME

        chosen = list(policies) if policies is not None else list(ALL_POLICIES)
        self.servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", chosen, EnforcementLevel.MANDATORY)
        self.configure(config or {})

    def info(self) -> PackInfo:
        return pack_info_of(self.servicer.GetAnalyzerInfo(None, None))

    def configure(self, user_config: Mapping[str, Any]) -> None:
        self.servicer.Configure(configure_request(resolve_policy_config(self.info(), user_config)), None)

    def analyze(self, resource: AnalyzedResource) -> list[Violation]:
        return violations_of(self.servicer.Analyze(analyze_request(resource), None), default_urn=resource.urn)

    def analyze_stack(self, resources: Iterable[AnalyzedResource]) -> list[Violation]:
        return violations_of(self.servicer.AnalyzeStack(analyze_stack_request(resources), None))

    def check(self, stack: StackFixture) -> list[Violation]:
        """A preview: Analyze for every registered resource, then AnalyzeStack over all of them."""
        found = [v for resource in stack.analyzed() for v in self.analyze(resource)]
        return found + self.analyze_stack(stack.resources)


def single(policy: Policy, stack: StackFixture, config: Mapping[str, Any] | None = None) -> list[Violation]:
    """Violations of one policy alone, with its config given as in a --policy-config file."""
    return InProcessPack([policy], {policy.name: dict(config)} if config else None).check(stack)
