"""What one RHOAI release expects of the playground, stated as data (stdlib only: the pack ships it too).

A builder (run config, manifests, the pack's rules, the preview) asks the profile of the stack's release; it
never compares release strings. A release module states its profile as the one before it with what changed
(`dataclasses.replace`), so adding a release is one module, its pins and its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from genai_contract.releases.maas import MaasFlavour

# The run-config layouts the builders know (genai_playground.run_config): the flat 0.3.0rc3 layout, the
# `storage:` + `registered_resources:` layout of Llama Stack >= 0.3.5, and the OGX 1.x layout of RHOAI 3.5.
Layout = Literal["flat", "storage", "ogx"]
# The playground's server object: a LlamaStackDistribution (3.0 to 3.4), an OGXServer (3.5).
ServerShape = Literal["llama-stack-distribution", "ogx-server"]
# Keys of another layout that a layout's server drops without a word (no `extra="forbid"` on its config model):
# models there never register, a playground with no models. (OGX's: not established, not checked.)
IGNORED_KEYS: Mapping[Layout, tuple[str, ...]] = {
    "flat": ("storage", "registered_resources"),
    "storage": ("models", "tool_groups", "vector_dbs"),
    "ogx": (),
}
# Keys a layout's server requires: without them it does not start (llama_stack/core/datatypes.py of 0.3.5.1+rhai0,
# StackRunConfig.storage has no default).
REQUIRED_KEYS: Mapping[Layout, tuple[str, ...]] = {"flat": (), "storage": ("storage",), "ogx": ()}
# How the operator rolls the server's Deployment when the server has a state volume: Kubernetes' default
# RollingUpdate (the new pod starts before the old one stops) or Recreate (the old one stops first).
StorageRollout = Literal["rolling-update", "recreate"]


@dataclass(frozen=True)
class ServerPin:
    """The Llama Stack server a release's image runs, where its source is mirrored and where upstream has it."""

    package: str  # the Python distribution: llama_stack
    version: str  # as the image installs it (the fork's tag without `v`)
    repository: str  # upstream git repository of the fork
    commit: str  # the tag's commit
    tarball: str  # file name of the offline mirror under ../shared/vendor/llama-stack/
    sha256: str  # of that tarball


@dataclass(frozen=True)
class Provider:
    provider_id: str
    provider_type: str


@dataclass(frozen=True)
class KubernetesKind:
    api_version: str
    kind: str


@dataclass(frozen=True)
class ReleaseProfile:
    release: str  # "3.0": what DataScienceCluster status.release.version starts with
    server: ServerPin
    # --- the ConfigMap the server reads (the dashboard reads the same key)
    config_key: str  # the ConfigMap's data key
    config_dir: str  # where the operator mounts the ConfigMap in the server's container
    run_command: tuple[str, ...]  # the container command that runs the server on that file
    # --- the run config's layout and names
    layout: Layout
    name_key: str  # image_name, later distro_name
    chat_api: str  # the API of the Responses endpoint the dashboard chats through: agents, later responses
    chat_provider: Provider  # that API's provider
    # The APIs the chat provider resolves at start (its registry entry's api_dependencies, internal ones left out):
    # each must be served, and those not routed need a provider, else the server exits ("Failed to resolve ...
    # required dependency 'X' is not available").
    chat_needs: tuple[str, ...]
    chat_needs_provider: tuple[str, ...]
    rag_tool: Provider  # the tool_runtime provider of file search
    registers_tool_groups: bool  # registered_resources.tool_groups (builtin::rag) exists
    vector_stores_block: bool  # a top-level `vector_stores:` defaults block (Llama Stack >= 0.4)
    vllm_url_field: str  # the remote::vllm config field of the base URL: url, later base_url
    # The model list shows a model as `<provider_id>/<provider_model_id>` (the served name) whatever its model_id:
    # Llama Stack >= 0.3.5, core/routing_tables/models.py register_model. 0.3.0rc3 lists it under its model_id.
    lists_served_model_name: bool
    # The vLLM provider's configured max_tokens reaches vLLM on the dashboard's chat path: the dashboard sends no
    # max_tokens of its own and the provider fills its own in (proven per release by tests/llama_stack_server/
    # test_dashboard_chat.py). Where it does not, the max-tokens-within-context rule has nothing to block.
    provider_max_tokens_applies: bool
    embedding_model_id: str  # the dashboard's embedding model id
    embedding_provider_model_id: str
    dashboard_api_base: str  # the path prefix the dashboard's backend calls the server under
    # --- the server object and its operator
    server_shape: ServerShape
    server_kind: KubernetesKind
    distribution_name: str  # the only distribution name the operator accepts on RHOAI
    network_allowed_from: bool  # the server object's spec.network.allowedFrom exists (operator >= 0.6)
    network_policy_default: bool  # the operator puts a NetworkPolicy in front of every server by default
    storage_rollout: StorageRollout  # how a server with `storage` (one ReadWriteOnce PVC) is rolled
    storage_rollout_source: str  # the operator code that decides it (repo@branch path)
    # Where the operator puts the CA bundle the server's `spec.server.tlsConfig.caBundle` names, in the container
    # (and SSL_CERT_FILE with it), and whether it merges the cluster's trusted bundle (odh-trusted-ca-bundle) in.
    ca_bundle_file: str
    ca_bundle_merges_cluster_bundle: bool
    # --- cluster-wide switches
    dsc_api_version: str
    dsc_components: Mapping[str, str]  # spec.components.<name>.managementState the playground needs, in order
    dashboard_config_api_version: str
    dashboard_flags: frozenset[str]  # spec.dashboardConfig flags this release's OdhDashboardConfig CRD has
    # --- Models-as-a-Service: how the release ships it (genai_contract.releases.maas)
    maas: MaasFlavour
    # --- what the tests pin for it
    crd_folder: str  # under ../shared/crds/: "" for 3.0, "rhoai-3.2", ...
    features: frozenset[str] = field(default_factory=frozenset)  # optional stack keys this release offers
    # The dashboard flag that shows the objects of a stack key (set when the key declares some).
    input_flags: Mapping[str, str] = field(default_factory=dict)
    # --- the ConfigMap's labels: the one naming the server (its value is the server's name), and fixed ones
    config_map_server_label: str = "llamastack.io/distribution"
    config_map_labels: Mapping[str, str] = field(default_factory=dict)  # e.g. the OGX operator's watch label
    # --- the server object's trust of the auth proxies' serving certificates (spec.tls.trust, OGX operator)
    tls_trust: bool = False

    @property
    def config_path(self) -> str:
        return f"{self.config_dir}/{self.config_key}"

    @property
    def title(self) -> str:
        return f"RHOAI {self.release}"
