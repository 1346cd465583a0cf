"""GenAI asset metadata the RHOAI 3.0 dashboard relies on.

The dashboard selects assets with the label selector `opendatahub.io/genai-asset=true` (so "True" or "yes"
lists nothing), shows the use-case annotation, and its 3.0 backend dereferences
`spec.predictor.model.runtime` of every asset InferenceService without a check.
"""

from __future__ import annotations

from collections.abc import Iterator

from genai_contract.names import GENAI_ASSET_LABEL, USE_CASE_ANNOTATION
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_map, get
from genai_policies._stack import StackResource, Workload, build_view

NAME = "genai-asset-metadata"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for workload in build_view(args.resources).workloads.values():
        for message, urn in _problems(workload):
            report_violation(message, urn)


def _problems(workload: Workload) -> Iterator[tuple[str, str]]:
    setter = _label_setter(workload)
    value = workload.metadata("labels").get(GENAI_ASSET_LABEL)
    if setter is not None and value != "true":
        yield (
            f"{workload.title}: {setter.name} sets the label {GENAI_ASSET_LABEL} to {value!r}; the dashboard "
            f'selects {GENAI_ASSET_LABEL}=true exactly, so this model is not listed. Fix: the string "true".',
            setter.urn,
        )
    if value != "true":
        return
    if not str(workload.metadata("annotations").get(USE_CASE_ANNOTATION) or "").strip():
        yield (
            f"{workload.title} is a GenAI asset without the annotation {USE_CASE_ANNOTATION}; the dashboard's asset "
            "list has no use case to show for it. Fix: set the annotation (a VllmModelEndpoint's useCase).",
            setter.urn if setter else workload.primary_urn,
        )
    source = workload.spec_source()
    if workload.family == "InferenceService" and source is not None and workload.runtime() is None:
        yield (
            f"{workload.title} is a GenAI asset without spec.predictor.model.runtime; the RHOAI 3.0 dashboard "
            "backend reads it unchecked and its AI asset endpoints page fails. Fix: name the ServingRuntime "
            "(for example vllm-runtime) in spec.predictor.model.runtime.",
            source.urn,
        )


def _label_setter(workload: Workload) -> StackResource | None:
    """The resource whose asset label wins: patches apply over the object, the last one last."""
    setter = None
    for resource in [*workload.objects, *workload.patches]:
        if GENAI_ASSET_LABEL in as_map(get(resource.props, "metadata", "labels")):
            setter = resource
    return setter


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        'GenAI asset labels are the string "true", assets carry the use-case annotation, and asset '
        "InferenceServices name their runtime."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
