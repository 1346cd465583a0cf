"""The stack config: what `Pulumi.<stack>.yaml` may say, validated once before anything is registered."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from genai_playground.maas import MaasConfig, MaasPrerequisitesError, require_prerequisites
from genai_playground.model_base import CamelModel

PROJECT = "genai-playground"

# Kubernetes object names: a DNS-1123 label (namespaces, InferenceServices) or subdomain (Secrets).
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# Kubernetes resource quantities such as 250m, 2, 12Gi.
QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$"

DnsLabel = Annotated[str, Field(pattern=DNS_LABEL, max_length=63)]
# "<name>-predictor" must itself be a DNS label, so an InferenceService name has 53 characters at most.
InferenceServiceName = Annotated[str, Field(pattern=DNS_LABEL, max_length=53)]
Quantity = Annotated[str, Field(pattern=QUANTITY)]
NonEmpty = Annotated[str, Field(min_length=1)]


class SecretKeyRef(CamelModel):
    """A key of a Secret in the playground's namespace; the value never enters the stack."""

    name: Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253)]
    key: NonEmpty = "token"


class ModelConfig(CamelModel):
    """One served model: an existing KServe InferenceService running vLLM."""

    name: InferenceServiceName
    display_name: NonEmpty | None = None
    use_case: NonEmpty
    description: NonEmpty | None = None
    gpus: Annotated[int, Field(ge=0)] = 1
    context_length: Annotated[int, Field(gt=0)] | None = None
    max_tokens: Annotated[int, Field(gt=0)] | None = None
    served_model_name: NonEmpty | None = None
    url: Annotated[
        NonEmpty | None,
        Field(
            description="the provider URL, used as written: an http(s) URL ending in `/v1`; without it the URL is "
            "the predictor's (`discover`: its `status.address.url`, else from `predictorService` and `authProxy`)"
        ),
    ] = None
    predictor_service: Annotated[
        Literal["headless", "headed"],
        Field(
            description="the kind of the `<name>-predictor` Service: `headless` (RHOAI 3.0's default; "
            "`http://<name>-predictor.<namespace>.svc.cluster.local:8080/v1`) or `headed` (port 80, no port in the "
            "URL); `discover` reads the Service instead"
        ),
    ] = "headless"
    auth_proxy: Annotated[
        bool,
        Field(
            description='the InferenceService has `security.opendatahub.io/enable-auth: "true"`: the URL is its '
            "auth proxy, `https://<name>-predictor.<namespace>.svc.cluster.local:8443/v1`, and `apiTokenSecret` "
            "(a token the proxy accepts) is required; `discover` reads the annotation instead"
        ),
    ] = False
    min_replicas: Annotated[int, Field(ge=0)] = 1
    discover: bool = False
    tls_verify: bool | None = None
    api_token_secret: SecretKeyRef | None = None

    @field_validator("url")
    @classmethod
    def _url_is_openai_base(cls, url: str | None) -> str | None:
        # The remote::vllm adapter appends /chat/completions etc. to this base.
        if url is not None and (not url.startswith(("http://", "https://")) or not url.endswith("/v1")):
            raise ValueError("must be an http(s) URL ending in /v1 (the OpenAI-compatible base of the vLLM server)")
        return url

    @model_validator(mode="after")
    def _context_length_known(self) -> ModelConfig:
        if self.context_length is None and not self.discover:
            raise ValueError("contextLength is required unless discover is true: set it to the model's --max-model-len")
        return self

    @model_validator(mode="after")
    def _auth_proxy_has_a_token(self) -> ModelConfig:
        if self.auth_proxy and self.api_token_secret is None:
            raise ValueError(
                "authProxy needs apiTokenSecret: the auth proxy answers 401 without a bearer token it accepts "
                "(the token of a ServiceAccount allowed to get the InferenceService)"
            )
        return self


class ResourceList(CamelModel):
    cpu: Quantity
    memory: Quantity


class ContainerResources(CamelModel):
    """Defaults are what the RHOAI 3.0 dashboard gives its own playground."""

    requests: ResourceList = ResourceList(cpu="250m", memory="500Mi")
    limits: ResourceList = ResourceList(cpu="2", memory="12Gi")


class PlaygroundConfig(CamelModel):
    """The LlamaStackDistribution the dashboard's playground uses, and its run.yaml."""

    name: DnsLabel = "lsd-genai-playground"
    display_name: NonEmpty = "GenAI Playground"
    config_map_name: Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253)] = "llama-stack-config"
    replicas: Annotated[int, Field(ge=1)] = 1
    default_max_tokens: Annotated[int, Field(gt=0)] = 4096
    tls_verify: bool = True
    rag: bool = True
    resources: ContainerResources = ContainerResources()
    storage_size: Quantity | None = None
    wait_timeout_seconds: Annotated[
        int,
        Field(
            ge=0,
            description="how long `pulumi up` waits, on create and on every update, until the server serves the new "
            "config; 0 = do not wait (pulumi.com/skipAwait)",
        ),
    ] = 300
    # Keep the ConfigMap and LlamaStackDistribution on the cluster when the stack is destroyed.
    retain_on_delete: bool = False


class PrerequisitesConfig(CamelModel):
    """Cluster-wide switches the playground needs; patched only when `manage` is true."""

    manage: bool = False
    dashboard_config_name: DnsLabel = "odh-dashboard-config"
    dashboard_config_namespace: DnsLabel = "redhat-ods-applications"
    data_science_cluster_name: DnsLabel = "default-dsc"


class StackConfig(CamelModel):
    namespace: DnsLabel
    models: Annotated[list[ModelConfig], Field(min_length=1)]
    playground: PlaygroundConfig = PlaygroundConfig()
    prerequisites: PrerequisitesConfig = PrerequisitesConfig()
    maas: MaasConfig = MaasConfig()

    @field_validator("models")
    @classmethod
    def _unique_names(cls, models: list[ModelConfig]) -> list[ModelConfig]:
        seen: set[str] = set()
        for model in models:
            if model.name in seen:
                raise ValueError(f"model name {model.name!r} appears twice: each InferenceService is listed once")
            seen.add(model.name)
        return models

    def max_tokens_of(self, model: ModelConfig) -> int:
        return model.max_tokens if model.max_tokens is not None else self.playground.default_max_tokens

    def tls_verify_of(self, model: ModelConfig) -> bool:
        return model.tls_verify if model.tls_verify is not None else self.playground.tls_verify


class ConfigError(Exception):
    """Invalid stack config: one line per problem, each naming the key path, the value and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid stack config:\n" + "\n".join(f"  - {problem}" for problem in problems))


def parse_stack_config(raw: Mapping[str, Any]) -> StackConfig:
    """Validate the project's config (keys without the `genai-playground:` prefix)."""
    try:
        config = StackConfig.model_validate(dict(raw))
    except ValidationError as error:
        raise ConfigError([_describe(detail) for detail in error.errors()]) from None
    try:
        # Switching MaaS on needs every prerequisite declared: one line per missing item, nothing registered.
        require_prerequisites(config.maas)
    except MaasPrerequisitesError as error:
        raise ConfigError(error.problems) from None
    return config


def config_from_engine(values: Mapping[str, str]) -> StackConfig:
    """Parse config as the Pulumi engine hands it over: `project:key` -> string (JSON for structured values)."""
    prefix = f"{PROJECT}:"
    raw = {key[len(prefix) :]: _decode(value) for key, value in values.items() if key.startswith(prefix)}
    return parse_stack_config(raw)


def _decode(value: str) -> Any:
    # The engine passes structured values as JSON text and plain strings as they are.
    try:
        return json.loads(value)
    except ValueError:
        return value


def _describe(detail: ErrorDetails) -> str:
    path = key_path(detail["loc"])
    value = detail.get("input")
    if detail["type"] == "extra_forbidden":
        return f"{path}: unknown key (value {_show(value)}); {_allowed_keys_hint(detail['loc'])}"
    if detail["type"] == "missing":
        return f"{path}: required key is missing"
    message = detail["msg"].removeprefix("Value error, ")
    return f"{path}: {_show(value)} is not allowed: {message[:1].lower()}{message[1:]}"


def key_path(loc: tuple[int | str, ...]) -> str:
    """('models', 2, 'maxTokens') -> 'models[2].maxTokens'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _allowed_keys_hint(loc: tuple[int | str, ...]) -> str:
    model: type[CamelModel] = StackConfig
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = next((f for f in model.model_fields.values() if f.alias == part), None)
        annotation = _model_in(field.annotation) if field else None
        if annotation is None:
            return "see the config reference in README.md"
        model = annotation
    allowed = sorted(f.alias or name for name, f in model.model_fields.items())
    return "allowed keys: " + ", ".join(allowed)


def _model_in(annotation: Any) -> type[CamelModel] | None:
    """The config model a field holds, directly or as list items or an optional value."""
    if isinstance(annotation, type) and issubclass(annotation, CamelModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
