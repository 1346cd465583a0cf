"""What the playground needs to reach one model: ids, URL, limits; from config, or from the live objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from genai_contract import names
from genai_contract.endpoint_props import EndpointProps
from genai_contract.workloads import ServingFacts, inference_service_facts
from pydantic import BaseModel, ConfigDict

from genai_playground import maas
from genai_playground.config import ModelConfig, SecretKeyRef, StackConfig
from genai_playground.maas import EnrolledModel


class EndpointError(Exception):
    """What discovery found makes the model unreachable as configured. Message only."""


@dataclass(frozen=True)
class LiveModel:
    """What `discover` reads from the cluster for one model (plain objects, as `oc get -o yaml` shows them)."""

    inference_service: Mapping[str, Any]
    serving_runtime: Mapping[str, Any] | None = None  # the one spec.predictor.model.runtime names
    predictor_service: Mapping[str, Any] | None = None  # Service <name>-predictor
    # The dashboard's token Secret for the InferenceService's service account (read only for an auth-proxy model
    # without apiTokenSecret; its data is never read into the program).
    token_secret: Mapping[str, Any] | None = None

    def facts(self) -> ServingFacts:
        return inference_service_facts(self.inference_service, self.serving_runtime)


class ModelEndpoint(BaseModel):
    """One model as the playground sees it. Everything a policy needs is here."""

    model_config = ConfigDict(frozen=True)

    model_id: str
    provider_id: str
    namespace: str
    inference_service_name: str
    served_model_name: str
    url: str
    max_tokens: int
    context_length: int | None
    gpus: int
    min_replicas: int
    runtime: str | None
    discovered: bool
    display_name: str
    use_case: str
    description: str | None
    tls_verify: bool
    api_token_secret: SecretKeyRef | None
    flag_problems: tuple[str, ...] = ()  # vLLM flags of the live objects that vLLM refuses
    token_source: str | None = None  # where the API token comes from when apiTokenSecret was not set

    def props(self) -> EndpointProps:
        """The component's props and outputs: camelCase, JSON-ready, as policies read them."""
        return {
            "modelName": self.model_id,
            "modelId": self.model_id,
            "providerId": self.provider_id,
            "namespace": self.namespace,
            "inferenceServiceName": self.inference_service_name,
            "servedModelName": self.served_model_name,
            "url": self.url,
            "maxTokens": self.max_tokens,
            "contextLength": self.context_length,
            "gpus": self.gpus,
            "minReplicas": self.min_replicas,
            "runtime": self.runtime,
            "discovered": self.discovered,
            "displayName": self.display_name,
            "useCase": self.use_case,
        }


# ------------------------------------------------------------------------------------------------ URL rules


def predictor_url(
    name: str, namespace: str, service: Literal["headless", "headed"], *, auth_proxy: bool = False
) -> str:
    """The in-cluster OpenAI base of an InferenceService's predictor, from what the config says of it.

    KServe rhoai-3.0 (reconcilers/service/service_reconciler.go): a headless Service (ODH's default) resolves to
    the pods, so the client uses the container port (8080 in the RHOAI vLLM runtime); a headed one maps port 80;
    with `security.opendatahub.io/enable-auth` the Service's https port 8443 is the auth proxy.
    """
    host = names.service_host(names.predictor_service(name), namespace)
    if auth_proxy:
        return f"https://{host}:{names.AUTH_PROXY_PORT}/v1"
    return f"http://{host}:{names.VLLM_RUNTIME_PORT}/v1" if service == "headless" else f"http://{host}/v1"


def live_url(isvc: Mapping[str, Any], service: Mapping[str, Any] | None, *, auth: bool) -> str | None:
    """The URL the RHOAI 3.0 dashboard gives the playground for a live InferenceService, or None before KServe
    has set status.address.url.

    red-hat-data-services/odh-dashboard@rhoai-3.0, packages/gen-ai/bff/internal/integrations/kubernetes/
    token_k8s_client.go (getModelDetailsFromServingRuntime): status.address.url; http unless the model has
    enable-auth; a headless Service (spec.clusterIP None) and no port in the URL: the Service's first
    targetPort (8080 when it is no number); then `/v1`.
    """
    address = _get(isvc, "status", "address", "url")
    if not isinstance(address, str) or not address:
        return None
    parts = urlsplit(address)
    scheme = parts.scheme if auth else "http"
    host = parts.hostname or ""
    port = parts.port
    if port is None and service is not None and _get(service, "spec", "clusterIP") == "None":
        target = _get(_first(_get(service, "spec", "ports")), "targetPort")
        port = target if isinstance(target, int) and not isinstance(target, bool) else names.VLLM_RUNTIME_PORT
    base = f"{scheme}://{host}{f':{port}' if port else ''}{parts.path.rstrip('/')}"
    return base if base.endswith("/v1") else f"{base}/v1"


def playground_service_url(distribution_name: str, namespace: str, port: int) -> str:
    """The Service the llama-stack operator creates for a LlamaStackDistribution."""
    return f"http://{distribution_name}-service.{namespace}.svc.cluster.local:{port}"


# ------------------------------------------------------------------------------------------ the dashboard's token

# The dashboard's deploy wizard gives a model behind its auth proxy a ServiceAccount `<name>-sa`, owned by the
# InferenceService, and one `kubernetes.io/service-account-token` Secret per token, named
# `<token name>-<name>-sa`; its first token is called `default-name` (red-hat-data-services/odh-dashboard,
# branches rhoai-3.0 … rhoai-3.5: packages/kserve/src/deployUtils.ts getModelServiceAccountName, setUpTokenAuth;
# frontend/src/api/k8s/secrets.ts assembleSecretSA; packages/model-serving/src/components/deploymentWizard/fields/
# TokenAuthenticationField.tsx). The gen-ai BFF gives the playground the Secret of the ServiceAccount that the
# InferenceService owns, key `token` (packages/gen-ai/bff/internal/integrations/kubernetes/token_k8s_client.go
# findServiceAccountAndSecret, findSecretForServiceAccount). The BFF lists Secrets to find it; a Pulumi program
# can only read objects by name, so the program reads the wizard's default one.
DASHBOARD_TOKEN_NAME = "default-name"
SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name"
SERVICE_ACCOUNT_TOKEN_KEY = "token"


def dashboard_service_account(inference_service: str) -> str:
    return f"{inference_service}-sa"


def dashboard_token_secret(inference_service: str) -> str:
    """The Secret the deploy wizard makes for its default token of the model's ServiceAccount."""
    return f"{DASHBOARD_TOKEN_NAME}-{dashboard_service_account(inference_service)}"


def needs_dashboard_token(model: ModelConfig, isvc: Mapping[str, Any]) -> bool:
    """discover found the auth proxy on an InferenceService, and the stack file names no token."""
    annotations = _get(isvc, "metadata", "annotations")
    auth = isinstance(annotations, Mapping) and annotations.get(names.ENABLE_AUTH_ANNOTATION) == "true"
    return model.discover and auth and model.api_token_secret is None


def _dashboard_token(model: ModelConfig, stack: StackConfig, live: LiveModel | None) -> tuple[SecretKeyRef, str]:
    secret_name = dashboard_token_secret(model.name)
    account = dashboard_service_account(model.name)
    where = f"{stack.namespace}/{model.name}"
    missing = (
        f'model {model.name}: InferenceService {where} has security.opendatahub.io/enable-auth: "true", so it '
        "answers only through its auth proxy with a bearer token, and the stack file sets no apiTokenSecret"
    )
    secret = live.token_secret if live is not None else None
    if secret is None:
        raise EndpointError(f"{missing}; set apiTokenSecret to a Secret holding one (every chat would fail with 401)")
    kind_ok = secret.get("type") == SERVICE_ACCOUNT_TOKEN_TYPE
    owner = _get(secret, "metadata", "annotations", SERVICE_ACCOUNT_NAME_ANNOTATION)
    if not kind_ok or owner != account:
        raise EndpointError(
            f"{missing}; Secret {stack.namespace}/{secret_name} is not the dashboard's token of ServiceAccount "
            f"{account} (type {secret.get('type')!r}, {SERVICE_ACCOUNT_NAME_ANNOTATION} {owner!r}): set apiTokenSecret"
        )
    source = (
        f"model {model.name}: no apiTokenSecret; using Secret {stack.namespace}/{secret_name} (key "
        f"{SERVICE_ACCOUNT_TOKEN_KEY}), the token of ServiceAccount {account} that the dashboard's deploy wizard "
        "made for this InferenceService and that the dashboard's own playground uses; set apiTokenSecret to use "
        "another token"
    )
    return SecretKeyRef(name=secret_name, key=SERVICE_ACCOUNT_TOKEN_KEY), source


# --------------------------------------------------------------------------------------------- the endpoint


def resolve_endpoint(model: ModelConfig, stack: StackConfig, live: LiveModel | None = None) -> ModelEndpoint:
    """Combine the model's config with what the cluster runs (`live`: what discover read, if it did)."""
    facts = live.facts() if live is not None else ServingFacts()
    auth = facts.auth if live is not None else model.auth_proxy
    token, token_source = model.api_token_secret, None
    if auth and token is None:
        token, token_source = _dashboard_token(model, stack, live)
    return ModelEndpoint(
        model_id=model.name,
        provider_id=names.provider_id(model.name),
        namespace=stack.namespace,
        inference_service_name=model.name,
        served_model_name=_served_name(model, facts),
        url=model.url or _discovered_url(live, auth) or _declared_url(model, stack, live, auth),
        max_tokens=stack.max_tokens_of(model),
        context_length=facts.max_model_len or model.context_length,
        gpus=facts.gpus if facts.gpus is not None else model.gpus,
        min_replicas=facts.min_replicas if facts.min_replicas is not None else model.min_replicas,
        runtime=facts.runtime,
        discovered=live is not None,
        display_name=model.display_name or model.name,
        use_case=model.use_case,
        description=model.description,
        tls_verify=stack.tls_verify_of(model),
        api_token_secret=token,
        flag_problems=facts.problems,
        token_source=token_source,
    )


def maas_endpoint(model: EnrolledModel, stack: StackConfig) -> ModelEndpoint:
    """A model enrolled in MaaS as the playground reaches it: through the gateway, as provider `maas-<name>`.

    The dashboard writes the same for a MaaS model it adds: provider `maas-vllm-inference-<n>`, the model's MaaS
    URL, `api_token: ${env.VLLM_API_TOKEN_<n>:=fake}`; its backend swaps in a MaaS token per request for a model
    id starting with `maas-` (red-hat-data-services/odh-dashboard@rhoai-3.4, packages/gen-ai/bff/internal/
    integrations/kubernetes/token_k8s_client.go; api/lsd_responses_handler.go, constants/maas.go).
    """
    return ModelEndpoint(
        model_id=model.name,
        provider_id=maas.provider_id(model),
        namespace=maas.model_namespace(model, stack.namespace),
        inference_service_name=model.name,
        served_model_name=model.served_model_name or model.name,
        url=maas.model_url(stack.maas, model, stack.namespace),
        max_tokens=stack.playground.default_max_tokens,
        context_length=None,
        gpus=0,
        min_replicas=1,
        runtime=None,
        discovered=False,
        display_name=model.name,
        use_case="Models-as-a-Service",
        description=None,
        tls_verify=True,
        api_token_secret=None,
    )


def maas_endpoints(stack: StackConfig) -> list[ModelEndpoint]:
    """The enrolled models the playground offers: all of them when MaaS is on, none when off."""
    return [maas_endpoint(model, stack) for model in stack.maas.models] if stack.maas.enabled else []


def _served_name(model: ModelConfig, facts: ServingFacts) -> str:
    """The configured name when vLLM answers to it (it answers to each of its served names), else the one vLLM
    reports."""
    wanted = model.served_model_name or model.name
    return wanted if not facts.served_names or wanted in facts.served_names else facts.served_names[0]


def _discovered_url(live: LiveModel | None, auth: bool) -> str | None:
    return live_url(live.inference_service, live.predictor_service, auth=auth) if live is not None else None


def _declared_url(model: ModelConfig, stack: StackConfig, live: LiveModel | None, auth: bool) -> str:
    """Before KServe has written status.address.url, from the Service read (if any) or the config."""
    service = model.predictor_service
    if live is not None and live.predictor_service is not None:
        service = "headless" if _get(live.predictor_service, "spec", "clusterIP") == "None" else "headed"
    return predictor_url(model.name, stack.namespace, service, auth_proxy=auth)


def drift(model: ModelConfig, endpoint: ModelEndpoint) -> list[str]:
    """Where the live objects disagree with the stack file (the live value wins), flags vLLM refuses, and which
    token the program found when the stack file names none."""
    compared = {
        "context_length": ("contextLength", endpoint.context_length),
        "served_model_name": ("servedModelName", endpoint.served_model_name),
        "min_replicas": ("minReplicas", endpoint.min_replicas),
        "gpus": ("gpus", endpoint.gpus),
    }
    # Only keys the stack file sets: a default is no claim about the cluster.
    found = [
        f"model {model.name}: {key} is {getattr(model, field)} in the stack file"
        f" but {live} on the cluster; using {live}"
        for field, (key, live) in compared.items()
        if field in model.model_fields_set and getattr(model, field) != live
    ]
    found += [f"model {model.name}: vLLM refuses its flags and does not start: {p}" for p in endpoint.flag_problems]
    if endpoint.token_source is not None:
        found.append(endpoint.token_source)
    return found


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list | tuple) and value else None
