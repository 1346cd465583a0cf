"""A model scaled to zero is offered in the playground but answers with errors until a replica runs.

The seed's "Playground returns errors for a model": its root cause is `minReplicas: 0`. Advisory, because
scaling to zero can be deliberate (GPUs are shared through Kueue); the playground user should just know.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._stack import build_view

NAME = "scaled-to-zero-models"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = build_view(args.resources)
    for playground in view.playgrounds:
        for provider in view.vllm_providers(playground):
            workload = provider.workload
            if workload is None or workload.min_replicas() != 0:
                continue
            for model in playground.llm_models_by_provider.get(provider.provider_id, []):
                report_violation(
                    f"model {model} is registered in the playground ({playground.where}) but {workload.title} has "
                    'minReplicas 0: when no replica runs, choosing it gives "Connection error" or a timeout. '
                    f"Scale it up first (minReplicas >= 1, or: oc scale deployment {workload.key[1]}-predictor "
                    f"-n {workload.key[0]} --replicas=1), or leave it out of the playground.",
                    workload.primary_urn or playground.config_map.resource.urn,
                )


POLICY = StackValidationPolicy(
    name=NAME,
    description="A model registered in the playground has minReplicas 0 (it shows errors until scaled up).",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=validate,
)
