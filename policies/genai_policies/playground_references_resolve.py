"""Every model the run.yaml registers resolves: to a provider, to a GenAI asset, to a name vLLM serves, through
a URL and a token the predictor answers.

A model whose provider_id is not a provider stops the server at startup; an InferenceService without the
`opendatahub.io/genai-asset: "true"` label is not listed by the dashboard (the seed's "Playground shows no
models"); a provider_model_id vLLM does not serve answers every chat with 404 (vLLM answers to each of its
`--served-model-name`s); a port the predictor Service does not serve refuses the connection; a model behind
its auth proxy answers 401 to the placeholder token.

A model reached through Models-as-a-Service (`https://maas.<domain>/<namespace>/<model>/v1`) is listed by maas-api,
not by the asset label, and the dashboard's backend sends a MaaS token for it only when its provider id starts
with `maas-` (odh-dashboard rhoai-3.0 to rhoai-3.5, packages/gen-ai/bff/internal/constants/maas.go
MaaSProviderPrefix): without the prefix the gateway answers 401 to the placeholder token; with the prefix on a
provider that is no MaaS route, the backend swaps its token for a MaaS token that the model does not accept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from genai_contract.addresses import ServiceAddress, maas_route, service_address
from genai_contract.names import (
    AUTH_PROXY_PORT,
    ENABLE_AUTH_ANNOTATION,
    GENAI_ASSET_LABEL,
    MAAS_PROVIDER_PREFIX,
    PLACEHOLDER_TOKEN,
    VLLM_RUNTIME_PORT,
)
from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_list, get, providers_of, to_int
from genai_policies._stack import Playground, StackView, VllmProvider, Workload, build_view

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
        models = playground.llm_models_by_provider.get(provider.provider_id, [])
        route = maas_route(provider.url) if provider.url else None
        if route is not None or provider.provider_id.startswith(MAAS_PROVIDER_PREFIX):
            if models:
                yield from _maas_problems(playground, provider, route)
            continue
        for model in models:
            yield from _asset_problems(playground, provider, model)
        if models:
            yield from _reachability(view, playground, provider)


def _maas_problems(playground: Playground, provider: VllmProvider, route: tuple[str, str] | None) -> Iterator[str]:
    subject = f"provider {provider.provider_id} in {playground.where} (url {provider.url or '(unresolved)'})"
    prefixed = provider.provider_id.startswith(MAAS_PROVIDER_PREFIX)
    if route is not None and not prefixed:
        token = playground.setting(provider.config, "api_token", PLACEHOLDER_TOKEN)
        if token.known and str(token.value or PLACEHOLDER_TOKEN) == PLACEHOLDER_TOKEN:
            yield (
                f"{subject}: reaches {route[0]}/{route[1]} through the MaaS gateway, but its id does not start with "
                f"{MAAS_PROVIDER_PREFIX}: the dashboard sends its MaaS token only for such providers, so the gateway "
                f"answers 401 to the placeholder token {PLACEHOLDER_TOKEN!r} and every chat fails. Fix: name the "
                f"provider {MAAS_PROVIDER_PREFIX}<model> (the program's maas.models do)."
            )
    elif route is None and prefixed and provider.url is not None:
        yield (
            f"{subject}: its id starts with {MAAS_PROVIDER_PREFIX} but its url is no MaaS route "
            "(https://maas.<apps domain>/<namespace>/<model>/v1): the dashboard replaces its api_token with a MaaS "
            "token on every request, which the model does not accept. Fix: drop the prefix, or point the url at the "
            "model's MaaS route."
        )


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
    served = workload.served_model_names()
    requested = _provider_model_id(playground, model)
    if served and requested not in served:
        facts = workload.facts()
        where = facts.served_names_from if facts else ""
        yield (
            f"{subject}: provider_model_id is {requested} but vLLM serves {workload.served_by()} as "
            f"{' and '.join(served)} ({where}); every chat would fail with vLLM's 404 "
            f'"The model `{requested}` does not exist." Fix: set provider_model_id (servedModelName in the '
            f"stack config) to {served[0]}, or add {requested} to --served-model-name."
        )


def _reachability(view: StackView, playground: Playground, provider: VllmProvider) -> Iterator[str]:
    """The port the predictor Service serves (when the stack reads it) and the token its auth proxy wants."""
    if provider.url is None:
        return
    subject = f"provider {provider.provider_id} in {playground.where} (url {provider.url})"
    address = service_address(provider.url, playground.namespace)
    service = view.service_at(provider.url, playground.namespace)
    if address is not None and service is not None:
        yield from _port_problems(subject, address.port, address.explicit_port, service.props)
    if provider.workload is not None:
        yield from _auth_problems(subject, playground, provider, provider.workload, address)


def _auth_problems(
    subject: str, playground: Playground, provider: VllmProvider, workload: Workload, address: ServiceAddress | None
) -> Iterator[str]:
    """A model with the enable-auth annotation answers only through its proxy (https :8443), with a real token."""
    facts = workload.facts()
    annotated = facts is not None and facts.auth
    proxy_url = address is not None and address.scheme == "https" and address.port == AUTH_PROXY_PORT
    if annotated and address is not None and address.scheme != "https":
        yield (
            f'{subject}: {workload.title} has {ENABLE_AUTH_ANNOTATION}: "true"; the playground reaches it through '
            f"its auth proxy, https on port {AUTH_PROXY_PORT}. Fix: url "
            f"https://{address.service}.{address.namespace}.svc.cluster.local:{AUTH_PROXY_PORT}/v1."
        )
    if not (annotated or proxy_url):
        return
    token = playground.setting(provider.config, "api_token", PLACEHOLDER_TOKEN)
    if token.known and str(token.value or PLACEHOLDER_TOKEN) == PLACEHOLDER_TOKEN:
        why = f'{workload.title} has {ENABLE_AUTH_ANNOTATION}: "true"' if annotated else "it is an auth proxy"
        yield (
            f"{subject}: {why}, which answers 401 to the placeholder token {PLACEHOLDER_TOKEN!r} "
            f"(api_token from {token.origin}), so every chat fails. Fix: set the token env var from a Secret holding "
            "a token the proxy accepts (a VllmModelEndpoint's apiTokenSecret)."
        )


def _port_problems(subject: str, port: int, explicit: bool, service: Mapping[str, Any]) -> Iterator[str]:
    """A headless Service resolves to the pods: only the container's ports answer. A headed one: its own."""
    ports = [p for p in as_list(get(service, "spec", "ports")) if isinstance(p, Mapping)]
    name = get(service, "metadata", "name")
    if get(service, "spec", "clusterIP") == "None":
        # A named targetPort is the container's port of that name: the auth proxy's https is 8443 on the pod too.
        found = [to_int(p.get("targetPort")) or to_int(p.get("port")) for p in ports]
        kind, hint = "headless", f"the container port (:{VLLM_RUNTIME_PORT} for the RHOAI vLLM runtime)"
    else:
        found = [to_int(p.get("port")) for p in ports]
        kind, hint = "headed", "a port of the Service (80: no port in the URL)"
    open_ports = sorted({p for p in found if p is not None})
    if open_ports and port not in open_ports:
        shown = f"port {port}" if explicit else f"no port (so {port})"
        yield (
            f"{subject}: the URL has {shown} but Service {name} is {kind} and serves "
            f"{', '.join(map(str, open_ports))}: the connection is refused. Fix: use {hint}."
        )


def _provider_model_id(playground: Playground, model_id: str) -> str:
    model = playground.models_by_id.get(model_id, {})
    return str(model.get("provider_model_id") or model_id)  # Llama Stack's default is the model_id


POLICY = StackValidationPolicy(
    name=NAME,
    description=(
        "Every model in run.yaml names an existing provider, model ids are unique, and every vLLM model is an "
        'InferenceService labelled opendatahub.io/genai-asset: "true" serving the provider_model_id, reached on a '
        "port its Service serves, with a real token when it is behind its auth proxy."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
