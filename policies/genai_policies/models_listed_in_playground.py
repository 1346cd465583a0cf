"""A chat model whose id the dashboard hides never appears in the playground's model list.

The gen-ai BFF drops every model of the Llama Stack server's `GET /v1/openai/v1/models` whose id, lower-cased,
contains `embedding`, `all-mini` or `embed` (red-hat-data-services/odh-dashboard, branches rhoai-3.0, -3.2, -3.3:
packages/gen-ai/bff/internal/api/lsd_models_handler.go `filterModels`; rhoai-3.4 and -3.5: the same keywords,
skipped only for `include_embedding_models=true`, which the vector-stores tab asks for and the chat playground
does not: packages/gen-ai/frontend/src/app/hooks/useFetchLlamaModels.ts). The server lists a model as
`<provider_id>/<model_id>` (the program's model ids carry that prefix already), so a keyword in either
hides it. Advisory: the model still answers the API, and the
model id is the InferenceService's name, so the fix is a rename of the InferenceService, not of a stack key.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._stack import build_view

NAME = "models-listed-in-playground"
HIDDEN_KEYWORDS = ("embedding", "all-mini", "embed")


def hidden_by(listed_id: str) -> str | None:
    """The keyword for which the dashboard hides a model listed under this id, or None."""
    lowered = listed_id.lower()
    return next((word for word in HIDDEN_KEYWORDS if word in lowered), None)


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = build_view(args.resources)
    for playground in view.playgrounds:
        providers = {provider.provider_id: provider for provider in view.vllm_providers(playground)}
        for provider_id, model_ids in playground.llm_models_by_provider.items():
            for model_id in model_ids:
                listed = model_id if model_id.startswith(f"{provider_id}/") else f"{provider_id}/{model_id}"
                word = hidden_by(listed)
                if word is None:
                    continue
                workload = providers[provider_id].workload if provider_id in providers else None
                urn = (workload.primary_urn if workload else None) or playground.config_map.resource.urn
                report_violation(
                    f"model {listed} ({playground.where}) never appears in the playground's model list: the "
                    f'dashboard hides every model whose id contains "{word}" (it hides "embedding", "all-mini" and '
                    '"embed" as embedding models). It still answers the API. To chat with it in the playground, '
                    "serve it under a name without these words (the model id is the InferenceService's name).",
                    urn,
                )


POLICY = StackValidationPolicy(
    name=NAME,
    description="A chat model whose id contains embed, embedding or all-mini, which the dashboard never lists.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=validate,
)
