"""The stack config: what `Pulumi.<stack>.yaml` may say, validated once before anything is registered."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from genai_playground import model_base
from genai_playground.maas import MaasConfig, MaasPrerequisitesError, require_prerequisites
from genai_playground.model_base import FLAG_INPUT, INT32_MAX, NUMBER_INPUT, TEXT_INPUT, CamelModel, Flag, shown

PROJECT = "genai-playground"

# Kubernetes object names: a DNS-1123 label (namespaces, InferenceServices) or subdomain (Secrets).
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# A Secret's data key (Kubernetes IsConfigMapKey).
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"
# Kubernetes resource quantities such as 250m, 2, 12Gi.
QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$"

# Upper bounds (README, "Input limits"). Tokens: above the longest context any released model serves (10M).
MAX_TOKENS = 16_777_216
MAX_GPUS = 1024
MAX_WAIT_SECONDS = 86_400
# Free text lands in InferenceService annotations, whose keys and values share 256 KiB with the annotations
# the object already has: ours stay under 20 KiB (4 bytes per character at worst).
MAX_NAME_TEXT = 256
MAX_DESCRIPTION = 4096
MAX_URL = 2048
# Llama Stack replaces `${env.NAME}` (and `${env.NAME:=default}`, `${env.NAME:+value}`) in every string of
# run.yaml at start-up (llama_stack/core/stack.py, replace_env_vars, in llama-stack 0.2.23 and 0.3.0rc3+rhai0).
ENV_REFERENCE = "${"
# How a value under a secret key appears in a problem.
SECRET_SHOWN = "[secret]"


_ENV_REFERENCE_RULE = (
    "must not contain '${': Llama Stack replaces ${env.NAME} in the strings of run.yaml with the value of an"
    " environment variable of its pod (another model's API token, say)"
)


def _no_env_reference(text: str | None) -> str | None:
    if text is not None and ENV_REFERENCE in text:
        raise ValueError(_ENV_REFERENCE_RULE)
    return text


def refuse_env_references(texts: Mapping[str, str]) -> None:
    """The run.yaml builder's own check of text that did not come through the config models (a served name
    read from the cluster): where it came from -> text."""
    problems = [
        f"{where}: {shown(text)} is not allowed: {_ENV_REFERENCE_RULE}"
        for where, text in texts.items()
        if ENV_REFERENCE in text
    ]
    if problems:
        raise ConfigError(problems)


DnsLabel = Annotated[str, Field(pattern=DNS_LABEL, max_length=63), TEXT_INPUT]
# "<name>-predictor" must itself be a DNS label, so an InferenceService name has 53 characters at most.
InferenceServiceName = Annotated[str, Field(pattern=DNS_LABEL, max_length=53), TEXT_INPUT]
Quantity = Annotated[str, Field(pattern=QUANTITY, max_length=32), TEXT_INPUT]
# Text a user writes that reaches the cluster: bounded, never an env reference.
NameText = Annotated[str, Field(min_length=1, max_length=MAX_NAME_TEXT), TEXT_INPUT, AfterValidator(_no_env_reference)]
DescriptionText = Annotated[
    str, Field(min_length=1, max_length=MAX_DESCRIPTION), TEXT_INPUT, AfterValidator(_no_env_reference)
]
Tokens = Annotated[int, Field(gt=0, le=MAX_TOKENS), NUMBER_INPUT]
# A host, then any path ending in /v1; no whitespace, user info, query or fragment.
OPENAI_BASE = re.compile(r"https?://[^\s/?#@]+(/[^\s?#]*)?/v1")


class SecretKeyRef(CamelModel):
    """A key of a Secret in the playground's namespace; the value never enters the stack."""

    name: Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253), TEXT_INPUT]
    key: Annotated[str, Field(pattern=SECRET_KEY, max_length=253), TEXT_INPUT] = "token"


class ModelConfig(CamelModel):
    """One served model: an existing KServe InferenceService running vLLM."""

    name: InferenceServiceName
    display_name: NameText | None = None
    use_case: NameText
    description: DescriptionText | None = None
    gpus: Annotated[int, Field(ge=0, le=MAX_GPUS), NUMBER_INPUT] = 1
    context_length: Tokens | None = None
    max_tokens: Tokens | None = None
    served_model_name: NameText | None = None
    url: Annotated[
        str | None,
        Field(
            max_length=MAX_URL,
            description="the provider URL, used as written: an http(s) URL ending in `/v1`; without it the URL is "
            "the predictor's (`discover`: its `status.address.url`, else from `predictorService` and `authProxy`)",
        ),
        TEXT_INPUT,
        AfterValidator(_no_env_reference),
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
        FLAG_INPUT,
    ] = False
    min_replicas: Annotated[int, Field(ge=0, le=INT32_MAX), NUMBER_INPUT] = 1
    discover: Flag = False
    tls_verify: Flag | None = None
    api_token_secret: SecretKeyRef | None = None

    @field_validator("url")
    @classmethod
    def _url_is_openai_base(cls, url: str | None) -> str | None:
        # The remote::vllm adapter appends /chat/completions etc. to this base.
        if url is not None and not OPENAI_BASE.fullmatch(url):
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
    display_name: NameText = "GenAI Playground"
    config_map_name: Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253), TEXT_INPUT] = "llama-stack-config"
    replicas: Annotated[int, Field(ge=1, le=INT32_MAX), NUMBER_INPUT] = 1
    default_max_tokens: Tokens = 4096
    tls_verify: Flag = True
    rag: Flag = True
    resources: ContainerResources = ContainerResources()
    storage_size: Quantity | None = None
    wait_timeout_seconds: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description="how long `pulumi up` waits, on create and on every update, until the server serves the new "
            "config; 0 = do not wait (pulumi.com/skipAwait)",
        ),
        NUMBER_INPUT,
    ] = 300
    # Keep the ConfigMap and LlamaStackDistribution on the cluster when the stack is destroyed.
    retain_on_delete: Flag = False


class PrerequisitesConfig(CamelModel):
    """Cluster-wide switches the playground needs; patched only when `manage` is true."""

    manage: Flag = False
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


def parse_stack_config(raw: Mapping[str, Any], secret_keys: Collection[str] = ()) -> StackConfig:
    """Validate the project's config (keys without the `genai-playground:` prefix).

    The values of `secret_keys` (secure: in the stack file) are never shown in a problem: only their key path.
    """
    try:
        config = StackConfig.model_validate(dict(raw))
    except ValidationError as error:
        raise ConfigError([_describe(detail, secret_keys) for detail in error.errors()]) from None
    try:
        # Switching MaaS on needs every prerequisite declared: one line per missing item, nothing registered.
        require_prerequisites(config.maas)
    except MaasPrerequisitesError as error:
        raise ConfigError(error.problems) from None
    return config


def config_from_engine(
    values: Mapping[str, str], secret_keys: Collection[str] = (), other_problems: Sequence[str] = ()
) -> StackConfig:
    """Parse config as the Pulumi engine hands it over: `project:key` -> string (JSON for structured values),
    with the keys the engine marks secret. `other_problems` (the provider's) are reported with the config's."""
    prefix = f"{PROJECT}:"
    raw = {key[len(prefix) :]: _decode(value) for key, value in values.items() if key.startswith(prefix)}
    secret = {key[len(prefix) :] for key in secret_keys if key.startswith(prefix)}
    try:
        config = parse_stack_config(raw, secret)
    except ConfigError as error:
        raise ConfigError([*error.problems, *other_problems]) from None
    if other_problems:
        raise ConfigError(list(other_problems))
    return config


def _decode(value: str) -> Any:
    # The engine hands a list or mapping as JSON text and any other value as its text: `namespace: "123"` (or
    # 123) arrives as "123", which is the namespace 123, never a number.
    try:
        decoded = json.loads(value)
    except (ValueError, RecursionError):
        return value
    return decoded if isinstance(decoded, dict | list) else value


def _describe(detail: ErrorDetails, secret_keys: Collection[str]) -> str:
    loc = detail["loc"]
    path = key_path(loc)
    value = detail.get("input")
    secret = (bool(loc) and loc[0] in secret_keys) or "secure" in loc or _holds_secure(value)
    text = SECRET_SHOWN if secret else shown(value)
    if detail["type"] == "extra_forbidden":
        return f"{path}: unknown key (value {text}); {_allowed_keys_hint(loc)}"
    if detail["type"] == "missing":
        return f"{path}: required key is missing"
    if detail["type"] == "model_type":
        return f"{path}: {text} is not allowed: must be a mapping of keys; {_allowed_keys_hint((*loc, '?'))}"
    message = detail["msg"].removeprefix("Value error, ")
    rule = f"{message[:1].lower()}{message[1:]}"
    if detail["type"] == "value_error" and isinstance(value, dict | list):
        return f"{path}: {rule}"  # a rule over a whole mapping or list names what is wrong itself
    return f"{path}: {text} is not allowed: {rule}"


def _holds_secure(value: Any) -> bool:
    """A `secure:` mapping the engine did not take for one (it has other keys): its text may be ciphertext."""
    if isinstance(value, dict):
        return "secure" in value or any(_holds_secure(item) for item in value.values())
    return isinstance(value, list) and any(_holds_secure(item) for item in value)


def key_path(loc: tuple[int | str, ...]) -> str:
    """('models', 2, 'maxTokens') -> 'models[2].maxTokens'."""
    return model_base.key_path(loc) or "(top level)"


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
