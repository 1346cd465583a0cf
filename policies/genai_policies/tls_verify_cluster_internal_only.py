"""Unverified TLS and plain HTTP only inside the cluster.

`tls_verify: false` (or an env var that resolves to false) and `http://` are fine for a predictor Service
(`*.svc`, `*.svc.cluster.local`, a one-label Service name, or `<svc>.<ns>` naming a workload of the stack);
towards anything else they send prompts, answers and tokens where they can be read or redirected.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from genai_contract.addresses import is_cluster_internal
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_map, providers_of
from genai_policies._stack import Playground, StackView, build_view

NAME = "tls-verify-cluster-internal-only"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = build_view(args.resources)
    for playground in view.playgrounds:
        for _, provider in providers_of(playground.document):
            for message in _problems(view, playground, provider):
                report_violation(message, playground.config_map.resource.urn)


def _problems(view: StackView, playground: Playground, provider: Mapping[str, Any]) -> Iterator[str]:
    config = as_map(provider.get("config"))
    url = playground.setting(config, playground.profile.vllm_url_field)  # url, from 3.3 on base_url
    if not url.known or not isinstance(url.value, str) or _internal(view, playground, url.value):
        return
    subject = f"provider {provider.get('provider_id')} in {playground.where} (url {url.value})"
    tls_verify = playground.setting(config, "tls_verify", True)
    if tls_verify.known and tls_verify.value is False:
        yield (
            f"{subject}: tls_verify is false ({tls_verify.origin}) for a server outside the cluster; anyone on the "
            "path can impersonate it. Fix: tls_verify: true, or a CA bundle path; false only for *.svc URLs."
        )
    if url.value.lower().startswith("http://"):
        yield (
            f"{subject}: plain http to a server outside the cluster sends prompts and the api token unencrypted. "
            "Fix: https, or the in-cluster predictor URL (*.svc.cluster.local)."
        )


def _internal(view: StackView, playground: Playground, url: str) -> bool:
    return is_cluster_internal(url) or view.workload_at(url, playground.namespace) is not None


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "tls_verify: false and plain http:// appear only for cluster-internal URLs (*.svc, *.svc.cluster.local, "
        "Service names)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
