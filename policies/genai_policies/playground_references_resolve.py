"""Every model the run.yaml registers resolves: to a provider, to a GenAI asset, to the name vLLM serves.

A model whose provider_id is not a provider stops the server at startup; an InferenceService without the
`opendatahub.io/genai-asset: "true"` label is not listed by the dashboard (the seed's "Playground shows no
models"); a provider_model_id vLLM does not serve answers every chat with 404.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from genai_contract.names import GENAI_ASSET_LABEL
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import providers_of
from genai_policies._stack import Playground, StackView, VllmProvider, build_view

NAME = "playground-references-resolve"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = build_view(args.resources)
    for playground in view.playgrounds:
        urn = playground.config_map.resource.urn
        for message in [*_provider_ids(playground), *_duplicates(playground), *_assets(view, playground)]:
            report_violation(message, urn)


def _provider_ids(playground: Playground) -> Iterator[str]:
    known = {str(provider.get("provider_id")) for _, provider in providers_of(playground.document)}
    for model in playground.models():
        provider_id = model.get("provider_id")
        if provider_id not in known:
            yield (
                f"model {model.get('model_id')} in {playground.where} names provider_id {provider_id}, which no "
                f"provider of run.yaml has (providers: {', '.join(sorted(known)) or 'none'}); Llama Stack stops at "
                "startup when it registers the model. Fix: use one of the provider ids, or add the provider."
            )


def _duplicates(playground: Playground) -> Iterator[str]:
    counts = Counter(str(model.get("model_id")) for model in playground.models())
    for model_id, count in sorted(counts.items()):
        if count > 1:
            yield (
                f"model_id {model_id} is registered {count} times in {playground.where}: the playground can only "
                "offer one of them. Fix: give each model a unique model_id."
            )


def _assets(view: StackView, playground: Playground) -> Iterator[str]:
    for provider in view.vllm_providers(playground):
        for model in playground.llm_models_by_provider.get(provider.provider_id, []):
            yield from _asset_problems(playground, provider, model)


def _asset_problems(playground: Playground, provider: VllmProvider, model: str) -> Iterator[str]:
    subject = f"model {model} (provider {provider.provider_id} in {playground.where})"
    workload = provider.workload
    if workload is None:
        yield (
            f"{subject}: its url {provider.url or '(unresolved)'} is no InferenceService of this stack, so nothing "
            f'labels it {GENAI_ASSET_LABEL}: "true" and the playground will not list it. Fix: point the url at the '
            "InferenceService's predictor (http://<name>-predictor.<namespace>.svc.cluster.local:8080/v1) and "
            "label that InferenceService in this stack (a VllmModelEndpoint does)."
        )
        return
    if not workload.is_asset():
        yield (
            f'{subject}: {workload.title} is not labelled {GENAI_ASSET_LABEL}: "true" by any resource of this '
            "stack, so the dashboard does not list it and the playground shows no such model. Fix: patch the "
            f"label on (a VllmModelEndpoint does), or: oc label inferenceservice {workload.key[1]} "
            f"-n {workload.key[0]} {GENAI_ASSET_LABEL}=true"
        )
    served = workload.served_model_name()
    requested = _provider_model_id(playground, model)
    if served is not None and requested != served:
        yield (
            f"{subject}: provider_model_id is {requested} but {workload.title} serves the model as {served}; "
            f'every chat would fail with vLLM\'s 404 "The model `{requested}` does not exist." '
            f"Fix: set provider_model_id (servedModelName in the stack config) to {served}."
        )


def _provider_model_id(playground: Playground, model_id: str) -> str:
    model = playground.models_by_id.get(model_id, {})
    return str(model.get("provider_model_id") or model_id)  # Llama Stack's default is the model_id


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Every model in run.yaml names an existing provider, model ids are unique, and every vLLM model is an "
        'InferenceService labelled opendatahub.io/genai-asset: "true" serving the provider_model_id.'
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
