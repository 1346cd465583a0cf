"""One pass over a stack's resources: what is deployed, correlated.

Stack rules see OUTPUTS (a component only what it register_outputs'ed). Everything is indexed once by type
and object key, so every rule stays linear in the number of resources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from genai_contract.addresses import INFERENCE_SERVICE, LLM_INFERENCE_SERVICE, maas_route, service_address
from genai_contract.dashboard_inputs import INPUT_CONFIG_MAPS
from genai_contract.names import (
    CONFIG_MAP,
    CONFIG_MAP_PATCH,
    ENDPOINT_TYPE,
    GENAI_ASSET_LABEL,
    ISVC,
    ISVC_PATCH,
    LLM_ISVC,
    LLM_ISVC_PATCH,
    RELEASE_ANNOTATION,
    RUN_YAML_KEY,
    SERVICE,
    SERVING_RUNTIME,
    VLLM_PROVIDER_TYPE,
    type_token,
)
from genai_contract.releases import CONFIG_KEYS, PROFILES, annotated_profile, inferred_profile
from genai_contract.releases.profile import ReleaseProfile
from genai_contract.workloads import ServingFacts, inference_service_facts, llm_inference_service_facts

from genai_policies._common import (
    EnvMap,
    FromRef,
    Setting,
    as_list,
    as_map,
    container_env,
    get,
    object_key,
    parse_run_yaml,
    providers_of,
    setting,
    show,
    to_int,
)


class StackResource(Protocol):
    """What the SDK's PolicyResource offers (and all a rule reads)."""

    resource_type: str
    urn: str
    name: str
    props: Mapping[str, Any]


# ------------------------------------------------------------------------------------------- workloads


@dataclass
class Workload:
    """An InferenceService (or LLMInferenceService) as the stack knows it: created, read, patched, declared."""

    family: str  # InferenceService | LLMInferenceService
    key: tuple[str, str]
    objects: list[StackResource] = field(default_factory=list)  # created or read: the whole object
    patches: list[StackResource] = field(default_factory=list)
    endpoint: StackResource | None = None  # our VllmModelEndpoint component
    runtimes: Mapping[tuple[str, str], StackResource] = field(default_factory=dict)  # the stack's ServingRuntimes

    @property
    def title(self) -> str:
        return f"{self.family} {show(self.key)}"

    @property
    def primary_urn(self) -> str:
        """Where a model-level violation is shown: our component, else what the stack declares."""
        for resource in [self.endpoint, *self.objects, *self.patches]:
            if resource is not None:
                return resource.urn
        return ""

    def spec_source(self) -> StackResource | None:
        """The resource whose spec is the running one (a patch's outputs hold the whole object once applied)."""
        for resource in [*self.objects, *self.patches]:
            if isinstance(get(resource.props, "spec"), Mapping):
                return resource
        return None

    def metadata(self, field_name: str) -> dict[str, Any]:
        """Labels or annotations after the patches are applied over the object."""
        merged: dict[str, Any] = {}
        for resource in [*self.objects, *self.patches]:
            merged.update(as_map(get(resource.props, "metadata", field_name)))
        return merged

    def is_asset(self) -> bool:
        return self.metadata("labels").get(GENAI_ASSET_LABEL) == "true"

    @cached_property
    def _facts(self) -> ServingFacts | None:
        source = self.spec_source()
        if source is None:
            return None
        if self.family == INFERENCE_SERVICE:
            runtime = self._runtime_resource(source)
            return inference_service_facts(source.props, runtime.props if runtime else None)
        return llm_inference_service_facts(source.props)

    def _runtime_resource(self, source: StackResource) -> StackResource | None:
        """The ServingRuntime the InferenceService names, when the stack creates or reads it (KServe looks in
        the InferenceService's namespace)."""
        name = self._runtime_name(source)
        return (self.runtimes.get((self.key[0], name)) or self.runtimes.get(("", name))) if name else None

    def facts(self) -> ServingFacts | None:
        """How vLLM serves the model, if the stack has the spec (read as the program reads it)."""
        return self._facts

    def context_length(self) -> tuple[int | None, str]:
        """vLLM's --max-model-len if the stack has the spec, else the component's declared contextLength."""
        facts = self.facts()
        if facts is not None and facts.max_model_len is not None:
            return facts.max_model_len, f"--max-model-len={facts.max_model_len_flag} of {self.served_by()}"
        declared = to_int(get(self.endpoint.props, "contextLength")) if self.endpoint else None
        if declared is not None and self.endpoint is not None:
            return declared, f"contextLength {declared} declared by VllmModelEndpoint {self.endpoint.name}"
        return None, ""

    def served_by(self) -> str:
        """The workload, and the runtime whose args it adds, for messages."""
        facts = self.facts()
        if self.family != INFERENCE_SERVICE or facts is None or facts.runtime is None:
            return self.title
        if facts.runtime_assumed:
            return (
                f"{self.title} (its ServingRuntime {facts.runtime} is not in the stack: the RHOAI vLLM template's "
                "args are assumed)"
            )
        return f"{self.title} with ServingRuntime {facts.runtime}"

    def served_model_names(self) -> tuple[str, ...]:
        """Every name vLLM answers to; () when the stack does not reveal them."""
        facts = self.facts()
        return facts.served_names if facts is not None else ()

    def min_replicas(self) -> int | None:
        facts = self.facts()
        if facts is not None:
            return facts.min_replicas
        return to_int(get(self.endpoint.props, "minReplicas")) if self.endpoint else None

    def gpus(self) -> int | None:
        facts = self.facts()
        if facts is not None:
            return facts.gpus
        return to_int(get(self.endpoint.props, "gpus")) if self.endpoint else None

    def runtime(self) -> str | None:
        source = self.spec_source()
        return self._runtime_name(source) if source is not None and self.family == INFERENCE_SERVICE else None

    @staticmethod
    def _runtime_name(source: StackResource) -> str | None:
        name = get(source.props, "spec", "predictor", "model", "runtime")
        return str(name) if name else None


# --------------------------------------------------------------------------------------- distributions


# ConfigMaps the dashboard's backend reads (gen-ai-aa-custom-model-endpoints, gen-ai-aa-vector-stores), never a server.
DASHBOARD_INPUT_CONFIG_MAPS = frozenset(INPUT_CONFIG_MAPS.values())
# The release of an object that carries no RELEASE_ANNOTATION and no config to infer one from.
DEFAULT_RELEASE = "3.0"


@dataclass(frozen=True)
class ServerFields:
    """Where a server object keeps what the rules read, under `spec` (one per server shape of the profiles)."""

    env: tuple[str, ...]
    config_map_name: tuple[str, ...]
    config_map_namespace: tuple[str, ...] | None  # None: always the server's own namespace
    config_key: tuple[str, ...] | None  # None: the release's fixed key (profile.config_key)
    port: tuple[str, ...]
    distribution: tuple[str, ...]
    env_field: str  # how the rules name the env in a fix
    replicas: tuple[str, ...] = ("replicas",)
    storage: tuple[str, ...] = ("server", "storage")
    max_replicas: tuple[str, ...] = ("server", "autoscaling", "maxReplicas")  # operator >= 0.5
    ca_bundle: tuple[str, ...] = ("server", "tlsConfig", "caBundle")  # the CA bundle the operator mounts


SERVER_FIELDS = {
    # llamastack.io/v1alpha1 LlamaStackDistribution (RHOAI 3.0 to 3.4)
    "llama-stack-distribution": ServerFields(
        env=("server", "containerSpec", "env"),
        config_map_name=("server", "userConfig", "configMapName"),
        config_map_namespace=("server", "userConfig", "configMapNamespace"),
        config_key=None,
        port=("server", "containerSpec", "port"),
        distribution=("server", "distribution"),
        env_field="spec.server.containerSpec.env",
    ),
    # ogx.io/v1beta1 OGXServer (RHOAI 3.5; ogx-ai/ogx-k8s-operator@v0.10.0 api/v1beta1/ogxserver_types.go)
    "ogx-server": ServerFields(
        env=("workload", "overrides", "env"),
        config_map_name=("overrideConfig", "name"),
        config_map_namespace=None,
        config_key=("overrideConfig", "key"),
        port=("network", "port"),
        distribution=("distribution",),
        env_field="spec.workload.overrides.env",
        replicas=("workload", "replicas"),
        storage=("workload", "storage"),
        max_replicas=("workload", "autoscaling", "maxReplicas"),
        ca_bundle=("tls", "trust", "caCertificates"),
    ),
}
# type token -> the server shape, for every release's server kind.
SERVER_TYPES = {
    type_token(profile.server_kind.api_version, profile.server_kind.kind): profile.server_shape
    for profile in PROFILES.values()
}


def release_profile(props: Mapping[str, Any]) -> ReleaseProfile:
    """The profile of the release that rendered an object (its annotation), 3.0's for an unknown or none."""
    release = get(props, "metadata", "annotations", RELEASE_ANNOTATION)
    return PROFILES.get(str(release), PROFILES[DEFAULT_RELEASE])


@dataclass
class Distribution:
    """The playground's server object: a LlamaStackDistribution or an OGXServer (its `shape`)."""

    resource: StackResource
    key: tuple[str, str]
    env: dict[str, str | FromRef]
    shape: str = "llama-stack-distribution"

    @property
    def spec(self) -> Any:
        return get(self.resource.props, "spec")

    @property
    def fields(self) -> ServerFields:
        return SERVER_FIELDS[self.shape]

    @property
    def kind(self) -> str:
        return str(get(self.resource.props, "kind") or "LlamaStackDistribution")

    @property
    def profile(self) -> ReleaseProfile:
        return release_profile(self.resource.props)

    @property
    def subject(self) -> str:
        return f"{self.kind} {show(self.key)}"

    def config_map_key(self) -> tuple[str, str] | None:
        name = get(self.spec, *self.fields.config_map_name)
        if not name:
            return None
        namespace = self.fields.config_map_namespace and get(self.spec, *self.fields.config_map_namespace)
        return str(namespace or self.key[0]), str(name)

    @property
    def config_key(self) -> str:
        """The ConfigMap key the server reads."""
        named = get(self.spec, *self.fields.config_key) if self.fields.config_key else None
        return str(named) if named else self.profile.config_key


@dataclass
class RunConfigMap:
    resource: StackResource
    key: tuple[str, str]
    data: Mapping[str, Any]
    config_key: str = RUN_YAML_KEY  # the key the server mounting it reads

    @property
    def text(self) -> str | None:
        value = self.data.get(self.config_key)
        if value is None and self.config_key == RUN_YAML_KEY:
            # Not mounted by a server of this stack: the key of the release that rendered it.
            value = self.data.get(release_profile(self.resource.props).config_key)
        return value if isinstance(value, str) else None

    def text_of(self, config_key: str) -> str | None:
        value = self.data.get(config_key)
        return value if isinstance(value, str) else None

    @property
    def config_keys(self) -> list[str]:
        """The keys some supported release's server reads its config from, in this ConfigMap."""
        return [key for key in CONFIG_KEYS if self.text_of(key) is not None]

    @property
    def annotations(self) -> Mapping[str, Any]:
        return as_map(get(self.resource.props, "metadata", "annotations"))


# ------------------------------------------------------------------------------------------ playgrounds


@dataclass
class VllmProvider:
    provider_id: str
    config: Mapping[str, Any]
    workload: Workload | None
    url: str | None


@dataclass
class Playground:
    """One run.yaml as a server will read it: the ConfigMap, and the distribution that mounts it (if any)."""

    config_map: RunConfigMap
    distribution: Distribution | None
    document: Any
    parse_error: str | None
    # The RHOAI release the config is for: as our program annotated it, else the one whose data fits best.
    profile: ReleaseProfile = PROFILES[DEFAULT_RELEASE]
    release_source: str = ""

    @property
    def text(self) -> str | None:
        """The config under the key its server reads (3.3 on: config.yaml), None when it has none."""
        return self.config_map.text_of(self.config_map.config_key)

    @property
    def release(self) -> str:
        """For messages: `RHOAI 3.3 (annotation ...)`, the release a verdict depends on and how it was found."""
        return f"{self.profile.title} ({self.release_source})"

    @property
    def env(self) -> EnvMap:
        return self.distribution.env if self.distribution else {}

    @property
    def namespace(self) -> str:
        """Where the server runs: short Service names in its URLs resolve in this namespace."""
        return self.distribution.key[0] if self.distribution else self.config_map.key[0]

    @property
    def where(self) -> str:
        server = f" ({self.distribution.subject})" if self.distribution else ""
        return f"ConfigMap {show(self.config_map.key)}{server}"

    def models(self) -> list[Mapping[str, Any]]:
        """The registered models: top-level (0.3.0rc3) or under registered_resources (0.3.5 and later, OGX)."""
        listed = get(self.document, "models")
        if listed is None:
            listed = get(self.document, "registered_resources", "models")
        return [m for m in as_list(listed) if isinstance(m, Mapping)]

    @cached_property
    def models_by_id(self) -> dict[str, Mapping[str, Any]]:
        """model_id -> its first registration."""
        found: dict[str, Mapping[str, Any]] = {}
        for model in self.models():
            found.setdefault(str(model.get("model_id")), model)
        return found

    @cached_property
    def llm_models_by_provider(self) -> dict[str, list[str]]:
        """provider_id -> model ids of its llm models (model_type defaults to llm), in run.yaml order."""
        found: dict[str, list[str]] = {}
        for model in self.models():
            if model.get("model_type", "llm") == "llm":
                found.setdefault(str(model.get("provider_id")), []).append(str(model.get("model_id")))
        return found

    def setting(self, config: Mapping[str, Any], key: str, default: Any = None) -> Setting:
        return setting(config, key, self.env, default)


@dataclass
class StackView:
    workloads: dict[tuple[str, tuple[str, str]], Workload]
    endpoints_by_provider: dict[str, Workload]
    distributions: list[Distribution]
    config_maps: dict[tuple[str, str], RunConfigMap]
    playgrounds: list[Playground]
    services: dict[tuple[str, str], StackResource] = field(default_factory=dict)

    def vllm_providers(self, playground: Playground) -> list[VllmProvider]:
        found = []
        for api, provider in providers_of(playground.document):
            if api != "inference" or provider.get("provider_type") != VLLM_PROVIDER_TYPE:
                continue
            config = as_map(provider.get("config"))
            provider_id = str(provider.get("provider_id") or "")
            # `url` up to Llama Stack 0.3.x, `base_url` from 0.4 (RHOAI 3.3 on).
            url_setting = playground.setting(config, "url" if "url" in config else "base_url")
            url = str(url_setting.value) if url_setting.known and url_setting.value else None
            at_url = self.workload_at(url, playground.namespace) if url else None
            found.append(VllmProvider(provider_id, config, at_url or self.endpoints_by_provider.get(provider_id), url))
        return found

    def workload_at(self, url: str, namespace: str) -> Workload | None:
        """The InferenceService behind a predictor URL (any form cluster DNS answers; `namespace` for short
        names), or the LLMInferenceService behind its workload Service or a MaaS route."""
        address = service_address(url, namespace)
        if address is not None:
            for family, name in address.served_by():
                workload = self._lookup(family, (address.namespace, name))
                if workload is not None:
                    return workload
        route = maas_route(url)
        return self._lookup(LLM_INFERENCE_SERVICE, route) if route is not None else None

    def service_at(self, url: str, namespace: str) -> StackResource | None:
        """The Service object a URL reaches, when the stack creates or reads it."""
        address = service_address(url, namespace)
        if address is None:
            return None
        return self.services.get((address.namespace, address.service)) or self.services.get(("", address.service))

    def _lookup(self, family: str, key: tuple[str, str]) -> Workload | None:
        return self.workloads.get((family, key)) or self.workloads.get((family, ("", key[1])))


def build_view(resources: Iterable[StackResource]) -> StackView:
    by_type: dict[str, list[StackResource]] = {}
    for resource in resources:
        by_type.setdefault(resource.resource_type, []).append(resource)
    runtimes = {object_key(r.props): r for r in by_type.get(SERVING_RUNTIME, [])}
    workloads = _workloads(by_type, runtimes)
    endpoints_by_provider = _endpoints(by_type.get(ENDPOINT_TYPE, []), workloads, runtimes)
    distributions = [
        Distribution(
            resource,
            object_key(resource.props),
            container_env(get(resource.props, "spec"), SERVER_FIELDS[shape].env),
            shape,
        )
        for token, shape in SERVER_TYPES.items()
        for resource in by_type.get(token, [])
    ]
    config_maps = _config_maps(by_type)
    return StackView(
        workloads=workloads,
        endpoints_by_provider=endpoints_by_provider,
        distributions=distributions,
        config_maps=config_maps,
        playgrounds=_playgrounds(distributions, config_maps),
        services={object_key(r.props): r for r in by_type.get(SERVICE, [])},
    )


def _workloads(
    by_type: Mapping[str, list[StackResource]], runtimes: Mapping[tuple[str, str], StackResource]
) -> dict[tuple[str, tuple[str, str]], Workload]:
    workloads: dict[tuple[str, tuple[str, str]], Workload] = {}
    for token, family, patch in (
        (ISVC, INFERENCE_SERVICE, False),
        (ISVC_PATCH, INFERENCE_SERVICE, True),
        (LLM_ISVC, LLM_INFERENCE_SERVICE, False),
        (LLM_ISVC_PATCH, LLM_INFERENCE_SERVICE, True),
    ):
        for resource in by_type.get(token, []):
            key = object_key(resource.props)
            workload = workloads.setdefault((family, key), Workload(family, key, runtimes=runtimes))
            (workload.patches if patch else workload.objects).append(resource)
    return workloads


def _endpoints(
    endpoints: list[StackResource],
    workloads: dict[tuple[str, tuple[str, str]], Workload],
    runtimes: Mapping[tuple[str, str], StackResource],
) -> dict[str, Workload]:
    by_provider: dict[str, Workload] = {}
    for resource in endpoints:
        key = (str(get(resource.props, "namespace") or ""), str(get(resource.props, "inferenceServiceName") or ""))
        workload = workloads.setdefault((INFERENCE_SERVICE, key), Workload(INFERENCE_SERVICE, key, runtimes=runtimes))
        workload.endpoint = resource
        provider_id = get(resource.props, "providerId")
        if provider_id:
            by_provider[str(provider_id)] = workload
    return by_provider


def _config_maps(by_type: Mapping[str, list[StackResource]]) -> dict[tuple[str, str], RunConfigMap]:
    """ConfigMaps, with a ConfigMapPatch's data laid over the object it patches."""
    found: dict[tuple[str, str], RunConfigMap] = {}
    for token in (CONFIG_MAP, CONFIG_MAP_PATCH):
        for resource in by_type.get(token, []):
            key = object_key(resource.props)
            data = dict(as_map(get(resource.props, "data")))
            if key in found:
                data = {**found[key].data, **data}
            found[key] = RunConfigMap(resource, key, data)
    return found


def _playgrounds(
    distributions: list[Distribution], config_maps: dict[tuple[str, str], RunConfigMap]
) -> list[Playground]:
    playgrounds: list[Playground] = []
    mounted: set[tuple[str, str]] = set()
    for distribution in distributions:
        key = distribution.config_map_key()
        config_map = config_maps.get(key) if key else None
        if config_map is None or key is None:
            continue
        mounted.add(key)
        profile, source = release_of(config_map, distribution)
        # The key the server reads: named on the server object (OGXServer), else its release's.
        named = get(distribution.spec, *distribution.fields.config_key) if distribution.fields.config_key else None
        config_key = str(named) if named else profile.config_key
        mounted_as = RunConfigMap(config_map.resource, config_map.key, config_map.data, config_key)
        playgrounds.append(_playground(mounted_as, distribution, (profile, source)))
    # A run.yaml no distribution of this stack mounts (one made elsewhere may): judged with an empty env.
    for key, config_map in config_maps.items():
        # The dashboard's own inputs share the shape (providers, registered_resources) but no server reads them.
        if key not in mounted and config_map.config_keys and key[1] not in DASHBOARD_INPUT_CONFIG_MAPS:
            profile, source = release_of(config_map, None)
            as_read = RunConfigMap(config_map.resource, config_map.key, config_map.data, profile.config_key)
            playground = _playground(as_read, None, (profile, source))
            if playground.parse_error is None and isinstance(get(playground.document, "providers"), Mapping):
                playgrounds.append(playground)
    return playgrounds


def _playground(
    config_map: RunConfigMap, distribution: Distribution | None, release: tuple[ReleaseProfile, str]
) -> Playground:
    text = config_map.text_of(config_map.config_key)
    parsed = parse_run_yaml(text) if text is not None else None
    return Playground(
        config_map=config_map,
        distribution=distribution,
        document=parsed.document if parsed else None,
        parse_error=parsed.error if parsed else None,
        profile=release[0],
        release_source=release[1],
    )


def release_of(config_map: RunConfigMap, distribution: Distribution | None) -> tuple[ReleaseProfile, str]:
    """The release a playground is judged as: the annotation our program writes on both objects, else (a config
    someone else wrote) the release whose own data fits it best: ConfigMap key, layout, name key, chat API."""
    annotations = [config_map.annotations]
    if distribution is not None:
        annotations.insert(0, as_map(get(distribution.resource.props, "metadata", "annotations")))
    annotated = annotated_profile(*annotations)
    if annotated is not None:
        return annotated, f"annotation {RELEASE_ANNOTATION}"
    keys = config_map.config_keys
    document = parse_run_yaml(config_map.text_of(keys[-1])).document if keys else None
    return inferred_profile(keys, document), f"inferred from its config: no {RELEASE_ANNOTATION} annotation"
