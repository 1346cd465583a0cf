"""The stack config: what `Pulumi.<stack>.yaml` may say, validated once before anything is registered."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Annotated, Any, Literal

from genai_contract import names as contract_names
from genai_contract.releases import PROFILES, RELEASE_COMMAND, SUPPORTED
from genai_contract.releases.profile import ReleaseProfile
from pydantic import AfterValidator, BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from genai_playground import model_base
from genai_playground.inputs import ExternalEndpoint, McpServer, VectorStoresConfig
from genai_playground.maas import MaasConfig, MaasPrerequisitesError, require_prerequisites
from genai_playground.model_base import (
    DNS_LABEL,
    DNS_SUBDOMAIN,
    INT32_MAX,
    NUMBER_INPUT,
    TEXT_INPUT,
    CamelModel,
    Flag,
    Requires,
    Shape,
    repeated,
    shown,
)

PROJECT = "genai-playground"

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
MAX_ALLOWED_NAMESPACES = 64
# Feature names a release profile lists (genai_contract.releases) for the keys only some releases have.
NETWORK_ALLOWED_FROM = "network.allowedFrom"
EXTERNAL_ENDPOINTS = "externalEndpoints"
VECTOR_STORES = "vectorStores"
MAX_MCP_SERVERS = 64
MAX_EXTERNAL_ENDPOINTS = 64
OGX_ADOPTION = "ogx.adoption"
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


# C0 and C1 controls and DEL: a name is one line of text. A newline or NUL in a display name or a served name
# reaches the dashboard, an annotation and run.yaml (where it would end the value); an ESC sequence reaches every
# terminal that prints it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _no_control_character(text: str | None) -> str | None:
    if text is not None and (found := _CONTROL.search(text)):
        raise ValueError(
            f"must not contain control characters (found {json.dumps(found.group())} at character"
            f" {found.start() + 1}): a name is one line of printable text"
        )
    return text


def refuse_unsafe_text(texts: Mapping[str, str]) -> None:
    """The config builder's own check of text that did not come through the config models (a served name read
    from the cluster), by the same rules as the models' text: no env reference, no control character.
    `texts`: where it came from -> text."""
    problems = []
    for where, text in texts.items():
        for rule in (_no_env_reference, _no_control_character):
            try:
                rule(text)
            except ValueError as error:
                problems.append(f"{where}: {shown(text)} is not allowed: {error}")
    if problems:
        raise ConfigError(problems)


DnsLabel = Annotated[str, Field(pattern=DNS_LABEL, max_length=63), Shape("DNS label"), TEXT_INPUT]
DnsSubdomain = Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253), Shape("DNS subdomain"), TEXT_INPUT]
# KServe's webhook refuses an InferenceService name that does not start with a letter: IsvcNameFmt
# `[a-z]([-a-z0-9]*[a-z0-9])?` (opendatahub-io/kserve master, the fork RHOAI builds,
# pkg/apis/serving/v1beta1/inference_service_validation.go, validateInferenceServiceName). "<name>-predictor"
# must itself be a DNS label, so an InferenceService name has 53 characters at most.
ISVC_NAME = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_ISVC_NAME_WORDS = "DNS label starting with a letter"


def _isvc_name(text: str) -> str:
    if not ISVC_NAME.fullmatch(text):
        raise ValueError(
            "must be a name KServe accepts for an InferenceService: lowercase letters, digits and '-', starting with"
            " a letter and ending with a letter or digit (KServe's IsvcNameFmt; a leading digit is refused)"
        )
    return text


InferenceServiceName = Annotated[
    str, Field(max_length=53), Shape(_ISVC_NAME_WORDS), TEXT_INPUT, AfterValidator(_isvc_name)
]
Quantity = Annotated[str, Field(pattern=QUANTITY, max_length=32), Shape("quantity"), TEXT_INPUT]
_RELEASE_RULE = (
    f'must be one of {", ".join(SUPPORTED)}, as text (quoted: "3.0"), the RHOAI release of the cluster: '
    f"{RELEASE_COMMAND}"
)


def _supported_release(release: str) -> str:
    if release not in PROFILES:
        raise ValueError(_RELEASE_RULE)
    return release


ReleaseName = Annotated[
    str,
    Shape("one of " + ", ".join(f"`{release}`" for release in SUPPORTED)),
    TEXT_INPUT,
    AfterValidator(_supported_release),
]


# Text a user writes that reaches the cluster: bounded, never an env reference.
NameText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_TEXT),
    TEXT_INPUT,
    AfterValidator(_no_control_character),
    AfterValidator(_no_env_reference),
]
DescriptionText = Annotated[
    str, Field(min_length=1, max_length=MAX_DESCRIPTION), TEXT_INPUT, AfterValidator(_no_env_reference)
]
Tokens = Annotated[int, Field(gt=0, le=MAX_TOKENS), NUMBER_INPUT]
# A host, then any path ending in /v1; no whitespace, user info, query or fragment.
OPENAI_BASE = re.compile(r"https?://[^\s/?#@]+(/[^\s?#]*)?/v1")


class SecretKeyRef(CamelModel):
    """A key of a Secret in the playground's namespace; the value never enters the stack."""

    name: DnsSubdomain = Field(description="the Secret, in `namespace`")
    key: Annotated[str, Field(pattern=SECRET_KEY, max_length=253), Shape("Secret data key"), TEXT_INPUT] = Field(
        "token", description="the Secret's data key holding the token"
    )


class ModelConfig(CamelModel):
    """One served model: an existing KServe InferenceService running vLLM."""

    name: InferenceServiceName = Field(
        description="the InferenceService, in `namespace`; also the model's id in the playground"
    )
    display_name: NameText | None = Field(
        None,
        description="the model's name in the playground (default `name`); when set, also annotation "
        "`openshift.io/display-name` (otherwise the one the dashboard wrote stays)",
    )
    use_case: NameText = Field(description="annotation `opendatahub.io/genai-use-case`")
    description: DescriptionText | None = Field(
        None, description="annotation `openshift.io/description`, written only when set"
    )
    gpus: Annotated[int, Field(ge=0, le=MAX_GPUS), NUMBER_INPUT] = Field(
        1,
        description="GPUs of one replica, for the `gpu-budget` policy (nothing is written to the cluster); "
        "`discover` reads them",
    )
    context_length: Tokens | None = Field(
        None,
        description="vLLM `--max-model-len` of the model, which `maxTokens` must fit (policy "
        "`max-tokens-within-context`); required unless `discover`, which reads it",
    )
    # The remote::vllm adapter sends its config's max_tokens when a request has none (opendatahub-io/llama-stack
    # v0.3.0rc3+rhai0, llama_stack/providers/remote/inference/vllm/vllm.py; its default 4096 in config.py there).
    max_tokens: Tokens | None = Field(
        None,
        description="the max_tokens Llama Stack asks for when a request sets none "
        "(default `playground.defaultMaxTokens`)",
    )
    served_model_name: NameText | None = Field(
        None,
        description="the name vLLM serves the model under (`--served-model-name`, run.yaml `provider_model_id`); "
        "default `name`",
    )
    url: Annotated[
        str | None,
        Field(max_length=MAX_URL),
        Shape("URL `http(s)://…/v1`"),
        TEXT_INPUT,
        AfterValidator(_no_env_reference),
    ] = Field(
        None,
        description="the provider URL, used as written even with `discover`; without it the predictor's URL "
        "(`discover`: its `status.address.url`, else from `predictorService` and `authProxy`)",
    )
    predictor_service: Literal["headless", "headed"] = Field(
        "headless",
        description="the kind of the `<name>-predictor` Service: `headless` (RHOAI 3.0's default; "
        "`http://<name>-predictor.<namespace>.svc.cluster.local:8080/v1`) or `headed` (port 80, no port in the "
        'URL); `discover` reads the Service instead (see "Which provider URL")',
    )
    auth_proxy: Flag = Field(
        False,
        description='the InferenceService has `security.opendatahub.io/enable-auth: "true"`: the URL is its '
        "auth proxy, `https://<name>-predictor.<namespace>.svc.cluster.local:8443/v1`, and `apiTokenSecret` "
        "(a token the proxy accepts) is required; `discover` reads the annotation instead",
    )
    min_replicas: Annotated[int, Field(ge=0, le=INT32_MAX), NUMBER_INPUT] = Field(
        1,
        description="the InferenceService's `minReplicas`, for the policies (nothing is written to the cluster): "
        "0 = scaled to zero, which `scaled-to-zero-models` warns of (the model answers with errors until a "
        "replica runs); `discover` reads it",
    )
    discover: Flag = Field(
        False,
        description="read the live InferenceService, its predictor Service and its ServingRuntime: "
        "`--max-model-len`, `minReplicas`, GPUs, the runtime, the auth proxy and the URL (unless `url` is set) "
        "come from the cluster, and a `servedModelName` vLLM does not serve gives way to one it does; "
        "differences are logged as warnings",
    )
    tls_verify: Flag | None = Field(
        None,
        description="verify the model's TLS certificate (default `playground.tlsVerify`): run.yaml's `tls_verify`; "
        "for https to a cluster Service (the auth proxy) it names the OpenShift service CA the distribution mounts "
        '(see "TLS to the auth proxy")',
    )
    api_token_secret: SecretKeyRef | None = Field(
        None,
        description="the Secret holding the vLLM API token (the bearer token an auth proxy checks), passed to the "
        "server as env, never written to the ConfigMap; required with `authProxy`; with `discover`, a model behind "
        "its auth proxy without it uses the dashboard's token Secret `default-name-<name>-sa` (key `token`), "
        'said in a warning (see "Which provider URL")',
    )

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
    cpu: Quantity = Field(description="CPU, as Kubernetes writes it (`250m`, `2`)")
    memory: Quantity = Field(description="memory, as Kubernetes writes it (`500Mi`, `12Gi`)")


class ContainerResources(CamelModel):
    """Defaults are what the RHOAI 3.0 dashboard gives its own playground."""

    requests: ResourceList = Field(
        ResourceList(cpu="250m", memory="500Mi"), description="what the server container requests"
    )
    limits: ResourceList = Field(ResourceList(cpu="2", memory="12Gi"), description="the server container's limits")


class PlaygroundConfig(CamelModel):
    """The server object the dashboard's playground uses (LlamaStackDistribution; 3.5: OGXServer) and its config."""

    name: DnsLabel = Field(
        "lsd-genai-playground", description="the server object's name (the one the dashboard gives its own)"
    )
    display_name: NameText = Field(
        "GenAI Playground", description="annotation `openshift.io/display-name` of the server object"
    )
    config_map_name: DnsSubdomain = Field(
        "llama-stack-config",
        description="the ConfigMap holding the server config (key `run.yaml`, from 3.3 `config.yaml`)",
    )
    replicas: Annotated[int, Field(ge=1, le=INT32_MAX), NUMBER_INPUT] = Field(
        1, description="replicas of the Llama Stack server"
    )
    default_max_tokens: Tokens = Field(
        4096, description="`maxTokens` of each model that sets none (4096: the remote::vllm provider's own default)"
    )
    tls_verify: Flag = Field(True, description="`tlsVerify` of each model that sets none")
    rag: Flag = Field(
        True,
        description="the dashboard's embedding model (granite-embedding-125m), files and the RAG tool; `false` keeps "
        "chat (agents and their Responses API, which the dashboard's chat uses), MCP tools and Milvus (the agents "
        "need a vector store provider to start; no model weights)",
    )
    resources: ContainerResources = Field(
        ContainerResources(),
        description="the server container's resources (defaults: what the RHOAI 3.0 dashboard gives its own)",
    )
    storage_size: Quantity | None = Field(
        None,
        description="size of a PVC for the server's state (sqlite, Milvus, files); none without it (the state "
        "then lives in the pod and is lost when it restarts); only with `replicas: 1`, and only on a release whose "
        'operator rolls such a server with Recreate (RHOAI 3.4; see "State volume")',
    )
    wait_timeout_seconds: Annotated[int, Field(ge=0, le=MAX_WAIT_SECONDS), NUMBER_INPUT] = Field(
        300,
        description="how long `pulumi up` waits, on create and on every update, until the server serves the new "
        "config; 0 = do not wait (`pulumi.com/skipAwait`)",
    )
    retain_on_delete: Flag = Field(
        False, description="keep the ConfigMap and the server object on the cluster on `pulumi destroy`"
    )
    allowed_from_namespaces: Annotated[
        list[DnsLabel], Field(max_length=MAX_ALLOWED_NAMESPACES), Requires(NETWORK_ALLOWED_FROM)
    ] = Field(
        [],
        description="other namespaces whose pods may reach the server through the NetworkPolicy the operator puts "
        "in front of it (RHOAI 3.3 and later; the playground's own namespace is always allowed, as the 3.4 "
        "dashboard allows it)",
    )
    adopt_storage_from: Annotated[DnsLabel | None, Requires(OGX_ADOPTION)] = Field(
        None,
        description="RHOAI 3.5 and later: the LlamaStackDistribution (of RHOAI 3.4) whose PVC `<name>-pvc` and "
        "Service the OGXServer takes over (annotations `ogx.io/adopt-storage`, `ogx.io/adopt-networking`), so users' "
        "files and vector stores survive the move; must differ from `name` (the OGX operator refuses same-name "
        'adoption); see "Moving from RHOAI 3.4 to 3.5"',
    )

    @model_validator(mode="after")
    def _adopts_another(self) -> PlaygroundConfig:
        if self.adopt_storage_from is not None and self.adopt_storage_from == self.name:
            raise ValueError(
                f"adoptStorageFrom {self.adopt_storage_from!r} is the playground's own name: the OGX operator "
                "refuses same-name adoption (ogx-ai/ogx-k8s-operator v0.10.0, api/v1beta1/ogxserver_webhook.go); "
                "give the playground a new `name` and keep the old one here"
            )
        return self


class PrerequisitesConfig(CamelModel):
    """Cluster-wide switches the playground needs; patched only when `manage` is true."""

    manage: Flag = Field(
        False,
        description="patch the OdhDashboardConfig (`genAiStudio: true`) and the DataScienceCluster (Llama Stack "
        "operator `Managed`); both patches stay on `pulumi destroy`",
    )
    dashboard_config_name: DnsLabel = Field("odh-dashboard-config", description="the OdhDashboardConfig to patch")
    dashboard_config_namespace: DnsLabel = Field(
        "redhat-ods-applications", description="the OdhDashboardConfig's namespace"
    )
    data_science_cluster_name: DnsLabel = Field("default-dsc", description="the DataScienceCluster to patch")
    dashboard_flags: dict[str, Flag] = Field(
        {},
        description="more `spec.dashboardConfig` flags of the OdhDashboardConfig (`promptManagement: true`), only "
        "those the release's CRD has (it prunes others silently); `genAiStudio` and the flags of declared "
        "`externalEndpoints` / `vectorStores` are set without this",
    )


class StackConfig(CamelModel):
    release: ReleaseName = Field(
        description='the RHOAI release the cluster runs, quoted (`"3.4"`): it decides the shape of every object '
        f'(see "RHOAI releases"); read it with `{RELEASE_COMMAND}`'
    )
    namespace: DnsLabel = Field(description="the project (namespace) of the InferenceServices and the playground")
    models: Annotated[list[ModelConfig], Field(min_length=1)] = Field(
        description="the vLLM InferenceServices the playground offers, one entry each"
    )
    playground: PlaygroundConfig = Field(
        PlaygroundConfig(),
        description="the server object the dashboard's playground uses (LlamaStackDistribution; 3.5: OGXServer) "
        "and its config",
    )
    prerequisites: PrerequisitesConfig = Field(
        PrerequisitesConfig(), description="cluster-wide switches the playground needs, patched only with `manage`"
    )
    dashboard_namespace: DnsLabel = Field(
        "redhat-ods-applications",
        description="the dashboard's namespace (the applications namespace), where `gen-ai-aa-mcp-servers` lives",
    )
    mcp_servers: Annotated[list[McpServer], Field(max_length=MAX_MCP_SERVERS)] = Field(
        [],
        description="MCP servers the playground offers as tools: our keys of the cluster-wide ConfigMap "
        "`gen-ai-aa-mcp-servers` (server-side applied, given back on destroy; other keys untouched)",
    )
    external_endpoints: Annotated[
        list[ExternalEndpoint], Field(max_length=MAX_EXTERNAL_ENDPOINTS), Requires(EXTERNAL_ENDPOINTS)
    ] = Field(
        [],
        description="OpenAI-compatible endpoints shown as AI assets beside the models (RHOAI 3.4 and later): the "
        "project's ConfigMap `gen-ai-aa-custom-model-endpoints`",
    )
    vector_stores: Annotated[VectorStoresConfig | None, Requires(VECTOR_STORES)] = Field(
        None,
        description="external vector stores the playground offers (RHOAI 3.4 and later): the project's ConfigMap "
        "`gen-ai-aa-vector-stores`; credentials stay in Secrets",
    )
    maas: MaasConfig = Field(
        MaasConfig(),
        description="Models-as-a-Service as the stack's `release` ships it, off by default; see "
        '"Models-as-a-Service (MaaS)"',
    )

    @field_validator("models")
    @classmethod
    def _unique_names(cls, models: list[ModelConfig]) -> list[ModelConfig]:
        twice = repeated(model.name for model in models)
        if twice:
            raise ValueError(f"model name {_quoted(twice)} appears twice: each InferenceService is listed once")
        return models

    @field_validator("mcp_servers")
    @classmethod
    def _unique_servers(cls, servers: list[McpServer]) -> list[McpServer]:
        twice = repeated(server.name for server in servers)
        if twice:
            raise ValueError(f"server name {_quoted(twice)} appears twice: each is one ConfigMap key")
        return servers

    @field_validator("external_endpoints")
    @classmethod
    def _unique_endpoints(cls, endpoints: list[ExternalEndpoint]) -> list[ExternalEndpoint]:
        twice = repeated(endpoint.model_id for endpoint in endpoints)
        if twice:
            raise ValueError(f"modelId {_quoted(twice)} appears twice: each endpoint is listed once")
        return endpoints

    @property
    def profile(self) -> ReleaseProfile:
        return PROFILES[self.release]

    def declared_inputs(self) -> frozenset[str]:
        """The stack keys that declare objects the dashboard reads (the flags to set follow from them)."""
        declared = {"mcpServers": bool(self.mcp_servers), EXTERNAL_ENDPOINTS: bool(self.external_endpoints)}
        declared[VECTOR_STORES] = self.vector_stores is not None
        return frozenset(key for key, present in declared.items() if present)

    @property
    def reads_cluster(self) -> bool:
        """The program reads the cluster (and so checks its release): `discover` on a model, or prerequisites."""
        return self.prerequisites.manage or any(model.discover for model in self.models)

    def max_tokens_of(self, model: ModelConfig) -> int:
        return model.max_tokens if model.max_tokens is not None else self.playground.default_max_tokens

    def tls_verify_of(self, model: ModelConfig) -> bool:
        return model.tls_verify if model.tls_verify is not None else self.playground.tls_verify


def config_warnings(config: StackConfig) -> list[str]:
    """Combinations that deploy but likely are not what the user meant (warnings, not errors)."""
    warnings = []
    # Two entries that name one endpoint and one served model are one model twice in the playground's list.
    by_target: dict[tuple[str, str], str] = {}
    for model in config.models:
        if model.url is None:
            continue  # the default URL is the model's own predictor
        target = (model.url, model.served_model_name or model.name)
        if target in by_target:
            warnings.append(
                f"models {by_target[target]!r} and {model.name!r} both send to {model.url} as served model"
                f" {target[1]!r}: the playground lists the same model twice"
            )
        else:
            by_target[target] = model.name
    # KServe names an InferenceService's predictor Service `<name>-predictor` (genai_contract.names): a model
    # named so shares that name with another model's predictor.
    names = {model.name for model in config.models}
    for model in config.models:
        predictor = contract_names.predictor_service(model.name)
        if predictor in names:
            warnings.append(
                f"model {predictor!r} is named like the predictor Service KServe creates for model {model.name!r}"
                f" ({predictor}): their Services and routes can collide; rename one"
            )
    return warnings


def _quoted(names: list[str]) -> str:
    return ", ".join(map(repr, names))


class ConfigError(Exception):
    """Invalid stack config: one line per problem, each naming the key path, the value and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid stack config:\n" + problem_lines(problems))


# A stack file with hundreds of bad entries gets this many lines and a count of the rest, not a screenful each.
MAX_PROBLEMS_SHOWN = 20


def problem_lines(problems: Sequence[str]) -> str:
    shown_problems = [f"  - {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    rest = len(problems) - MAX_PROBLEMS_SHOWN
    if rest > 0:
        shown_problems.append(f"  ... and {rest:,} more problem{'s' if rest > 1 else ''} (fix these first)")
    return "\n".join(shown_problems)


def parse_stack_config(raw: Mapping[str, Any], secret_keys: Collection[str] = ()) -> StackConfig:
    """Validate the project's config (keys without the `genai-playground:` prefix).

    The values of `secret_keys` (secure: in the stack file) are never shown in a problem: only their key path.
    """
    try:
        config = StackConfig.model_validate(dict(raw))
    except ValidationError as error:
        raise ConfigError([_describe(detail, secret_keys) for detail in error.errors()]) from None
    unavailable = [
        *unavailable_keys(config, config.profile),
        *unknown_dashboard_flags(config),
        *_maas_name_clashes(config),
    ]
    if unavailable:
        raise ConfigError(unavailable)
    volume = state_volume_problems(config.playground, config.profile)
    if volume:
        raise ConfigError(volume)
    try:
        # Switching MaaS on needs every prerequisite declared: one line per missing item, nothing registered.
        require_prerequisites(config.maas, config.profile.maas)
    except MaasPrerequisitesError as error:
        raise ConfigError(error.problems) from None
    return config


def _maas_name_clashes(config: StackConfig) -> list[str]:
    """A MaaS model named like a vLLM model would share its playground id and env vars."""
    served = {model.name for model in config.models}
    return [
        f"maas.models[{index}].name: {shown(model.name)} is not allowed: a model of `models` has that name too; "
        "both would be the playground's model of that name (and share its env vars): rename one"
        for index, model in enumerate(config.maas.models)
        if config.maas.enabled and model.name in served
    ]


def state_volume_problems(playground: PlaygroundConfig, profile: ReleaseProfile) -> list[str]:
    """`storageSize` combinations that cannot roll out: the operator mounts its one ReadWriteOnce PVC `<name>-pvc`
    into every pod of the server (red-hat-data-services/llama-stack-k8s-operator, rhoai-3.0 … rhoai-3.4,
    controllers/manifests/base/pvc.yaml), and run.yaml keeps Milvus there: milvus-lite locks its file, so a second
    server on it exits at start (milvus-lite 2.5.1 milvus_lite/server.py Server.start; proven on the real server by
    tests/llama_stack_server/test_state_volume.py)."""
    if playground.storage_size is None:
        return []
    problems = []
    if playground.replicas > 1:
        problems.append(
            f"playground.replicas: {playground.replicas} with playground.storageSize {playground.storage_size} "
            f"cannot start: the operator mounts one ReadWriteOnce volume ({playground.name}-pvc) into every replica: "
            "a replica on another node cannot attach it, and where run.yaml keeps Milvus there (milvus-lite) its "
            'lock makes every replica but the first exit at start ("Open local milvus failed"); set replicas: 1 '
            "with storageSize, or leave storageSize out (each replica then keeps its own files and vector stores, "
            "which policy replicas-share-no-state warns of)"
        )
    if profile.storage_rollout == "rolling-update":
        problems.append(
            f"playground.storageSize: {playground.storage_size} does not roll out on {profile.title} (the stack's "
            "`release`): its operator rolls the server's Deployment with RollingUpdate and its "
            "LlamaStackDistribution has no field to change that "
            f"({profile.storage_rollout_source}), so each config change starts the new pod while the old one "
            "holds the volume and milvus-lite's lock: the new pod never starts, the old one keeps serving the old "
            "config, and every `pulumi up` times out. Leave storageSize out on this release (the state lives in "
            "the pod: uploaded files and vector stores are lost when it restarts); the operator of "
            + (", ".join(p.title for p in PROFILES.values() if p.storage_rollout == "recreate") or "no release")
            + " rolls such a Deployment with Recreate"
        )
    return problems


def unavailable_keys(model: BaseModel, profile: ReleaseProfile, path: tuple[str | int, ...] = ()) -> Iterator[str]:
    """Each key the stack sets that the stack's release does not have (a `Requires` key of another release)."""
    for name in sorted(model.model_fields_set):
        info = type(model).model_fields[name]
        where = (*path, info.alias or name)
        required = next((item for item in info.metadata if isinstance(item, Requires)), None)
        if required is not None and required.feature not in profile.features:
            # Where the release's operator deploys what the key asks for, say so: rendering it would fight it.
            owned = profile.maas.operator_owned.get(required.feature)
            why = (
                f"; on {profile.title} {owned} itself, and the program never renders what the operator deploys"
                if owned
                else ""
            )
            yield (
                f"{key_path(where)}: not available on {profile.title} (the stack's `release`){why}; it exists on "
                f"RHOAI {', '.join(required.releases()) or 'no supported release'}: remove it, or set `release` to "
                "the cluster's release"
            )
            continue
        yield from _unavailable_in(getattr(model, name), profile, where)


def unknown_dashboard_flags(config: StackConfig) -> Iterator[str]:
    """Each `prerequisites.dashboardFlags` key the release's OdhDashboardConfig CRD lacks (the API server would prune
    it without a word), and flags that nothing would write."""
    flags = config.prerequisites.dashboard_flags
    profile = config.profile
    for flag in sorted(flags):
        if flag not in profile.dashboard_flags:
            having = [release for release, other in PROFILES.items() if flag in other.dashboard_flags]
            where = f"it exists on RHOAI {', '.join(having)}" if having else "no supported release has it"
            yield (
                f"prerequisites.dashboardFlags.{flag}: not a flag of the {profile.title} OdhDashboardConfig (its CRD "
                f"prunes unknown fields silently); {where}; flags of {profile.title}: "
                + ", ".join(sorted(profile.dashboard_flags))
            )
    if flags and not config.prerequisites.manage:
        yield "prerequisites.dashboardFlags: set, but nothing patches the OdhDashboardConfig: set prerequisites.manage"


def _unavailable_in(value: Any, profile: ReleaseProfile, path: tuple[str | int, ...]) -> Iterator[str]:
    if isinstance(value, BaseModel):
        yield from unavailable_keys(value, profile, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _unavailable_in(item, profile, (*path, index))


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
    text = SECRET_SHOWN if secret else _USERINFO.sub(r"\1[redacted]@", shown(value))
    if detail["type"] == "extra_forbidden":
        return f"{path}: unknown key (value {text}); {_allowed_keys_hint(loc)}"
    if detail["type"] == "missing":
        return f"{path}: required key is missing" + _MISSING_HINTS.get(loc, "")
    if detail["type"] == "model_type":
        return f"{path}: {text} is not allowed: must be a mapping of keys; {_allowed_keys_hint((*loc, '?'))}"
    message = detail["msg"].removeprefix("Value error, ")
    rule = f"{message[:1].lower()}{message[1:]}"
    if detail["type"] == "value_error" and isinstance(value, dict | list):
        return f"{path}: {rule}"  # a rule over a whole mapping or list names what is wrong itself
    return f"{path}: {text} is not allowed: {rule}"


# A URL's user and password (https://user:password@host) never appear in a problem.
_USERINFO = re.compile(r"(://)[^/\s@\"]*@")
_MISSING_HINTS: dict[tuple[int | str, ...], str] = {("release",): f"; {_RELEASE_RULE}"}


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
