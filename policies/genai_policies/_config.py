"""The per-stack policy config names only this pack's policies and their own keys; anything else is an error.

The Pulumi engine cannot be told so through the policies' schemas: it validates each policy's properties
against `{"type": "object", "properties": ..., "required": ...}` built from the schema the pack reports, with
nothing else carried over (pulumi/pulumi pkg/resource/analyzer/config.go, convertSchema; the schema message
of pulumi's analyzer.proto has only properties and required), so an unknown key passes; and it hands the
pack every policy name of the file, known or not (applyConfig, then Configure). The pack is the one place
that sees both: its Configure answers a config naming anything else with INVALID_ARGUMENT, and the engine
stops with "configuring policy pack ...: <this message>" before any resource is judged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import grpc  # type: ignore[import-untyped]
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi_policy import Policy
from pulumi_policy import policy as sdk

ALL: Final = "all"
LEVEL_KEY: Final = "enforcementLevel"  # the engine takes it out before Configure; a file may still carry it


def config_problems(policies: Sequence[Policy], config: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per unknown policy name or key: policy -> its properties, as Configure receives them."""
    schemas = {policy.name: _keys(policy) for policy in policies}
    problems = []
    for name, properties in config.items():
        if name == ALL:
            extra = sorted(set(properties) - {LEVEL_KEY})
            if extra:
                problems.append(f"{ALL}: sets only the enforcement level; unknown keys {', '.join(extra)}")
            continue
        if name not in schemas:
            problems.append(
                f"{name}: no policy of this pack has this name; policies: {', '.join(sorted(schemas))} (or {ALL})"
            )
            continue
        extra = sorted(set(properties) - schemas[name] - {LEVEL_KEY})
        if extra:
            allowed = ", ".join(sorted(schemas[name] | {LEVEL_KEY}))
            problems.append(
                f"{name}: unknown key{'s' if len(extra) > 1 else ''} {', '.join(extra)}; allowed: {allowed}"
            )
    return problems


def _keys(policy: Policy) -> set[str]:
    schema = policy.config_schema
    return set(schema.properties) if schema is not None else set()


def install_config_check(policies: Iterable[Policy]) -> None:
    """Make the SDK's Configure refuse a config that names anything but `policies` and their keys.

    pulumi-policy (1.21, pinned in requirements.txt) offers no hook for it, so this wraps the method of its
    analyzer servicer; tests/policies/test_pack_over_grpc.py fails if an upgrade moves it.
    """
    chosen = list(policies)
    servicer: Any = sdk._PolicyAnalyzerServicer
    original: Callable[..., Any] = getattr(servicer, "_genai_unchecked_configure", servicer.Configure)

    def configure(self: Any, request: Any, context: Any) -> Any:
        config = {name: json_format.MessageToDict(entry.properties) for name, entry in request.policyConfig.items()}
        problems = config_problems(chosen, config)
        if problems:
            message = "invalid policy config:\n" + "\n".join(f"  - {problem}" for problem in problems)
            if context is None:  # called in-process, as the tests' harness does
                raise ValueError(message)
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, message)
        return original(self, request, context)

    servicer._genai_unchecked_configure = original
    servicer.Configure = configure
