"""The GPUs held by always-on models (minReplicas > 0) stay within a budget.

Advisory: models beyond the budget are not broken, but the ones that cannot be scheduled queue (Kueue) and
the playground shows them as unavailable.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from genai_policies._common import config_int, show
from genai_policies._stack import build_view

NAME = "gpu-budget"
DEFAULT_MAX_ALWAYS_ON_GPUS = 8  # one 8-GPU node


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    budget = config_int(args.get_config(), "maxAlwaysOnGpus", DEFAULT_MAX_ALWAYS_ON_GPUS)
    held: list[tuple[int, str]] = []
    for workload in build_view(args.resources).workloads.values():
        replicas, gpus = workload.min_replicas(), workload.gpus()
        if replicas and gpus:
            held.append((replicas * gpus, show(workload.key)))
    total = sum(count for count, _ in held)
    if total > budget:
        largest = ", ".join(f"{name} {count}" for count, name in sorted(held, key=lambda item: (-item[0], item[1])))
        report_violation(
            f"always-on models (minReplicas > 0) hold {total} GPUs, over the budget of {budget} (maxAlwaysOnGpus): "
            f"{largest}. Models that do not fit wait in the queue and the playground shows them unavailable. "
            "Fix: scale some to zero (minReplicas 0), use smaller variants, or raise maxAlwaysOnGpus.",
            None,
        )


POLICY = StackValidationPolicy(
    name=NAME,
    description="The GPUs of always-on models (minReplicas > 0) stay within the budget maxAlwaysOnGpus.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=validate,
    config_schema=PolicyConfigSchema(
        properties={
            "maxAlwaysOnGpus": {
                "type": "integer",
                "minimum": 0,
                "default": DEFAULT_MAX_ALWAYS_ON_GPUS,
                "description": "GPUs the always-on models may hold together (GPUs per replica x minReplicas).",
            }
        }
    ),
)
