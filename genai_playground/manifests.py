"""The Kubernetes objects the program renders, as plain manifests (camelCase, as `oc apply` takes them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from typing import Any

from genai_contract.names import (
    DASHBOARD_LABEL,
    DESCRIPTION_ANNOTATION,
    DISPLAY_NAME_ANNOTATION,
    GENAI_ASSET_LABEL,
    ISVC_API_VERSION,
    ISVC_KIND,
    MODEL_TYPE_ANNOTATION,
    RELEASE_ANNOTATION,
    REVISION_ENV,
    REVISION_KEY,
    REVISION_PROVIDER_ID,
    SERVER_PORT,
    SERVICE_CA_CONFIG_MAP,
    SERVICE_CA_KEY,
    USE_CASE_ANNOTATION,
)
from genai_contract.releases.profile import ReleaseProfile

from genai_playground.config import ConfigError, PlaygroundConfig, PrerequisitesConfig
from genai_playground.endpoints import ModelEndpoint
from genai_playground.run_config import STATE_DIR, RenderedRunConfig

# The field manager of the GitOps render (`oc apply --server-side --force-conflicts
# --field-manager=genai-playground`). Pulumi's patches carry no pulumi.com/* annotation (KServe would copy it into
# the predictor pods): each patch applies as the provider's own per-resource manager, `pulumi-kubernetes-<hex>`,
# kept in the stack state as `__fieldManager` (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go,
# fieldManagerName: annotation, else state, else a generated name). Stacks deployed before used this name through
# the annotation; their state keeps it.
FIELD_MANAGER = "genai-playground"
# The API server rejects a ConfigMap whose data values total more than 1 MiB (kubernetes/kubernetes
# pkg/apis/core/validation/validation.go, ValidateConfigMap: totalSize > core.MaxSecretSize).
CONFIG_MAP_MAX_BYTES = 1 << 20


def asset_patch(endpoint: ModelEndpoint, *, display_name: str | None) -> dict[str, Any]:
    """What makes an InferenceService an AI asset endpoint the playground lists.

    Only fields the stack file decides: the display name and description the dashboard's deploy wizard wrote stay
    untouched unless the stack sets its own (which then takes them over, see README "What `pulumi up` does").
    """
    annotations = {USE_CASE_ANNOTATION: endpoint.use_case, MODEL_TYPE_ANNOTATION: "generative"}
    if display_name:
        annotations[DISPLAY_NAME_ANNOTATION] = display_name
    if endpoint.description:
        annotations[DESCRIPTION_ANNOTATION] = endpoint.description
    return {
        "apiVersion": ISVC_API_VERSION,
        "kind": ISVC_KIND,
        "metadata": {
            "name": endpoint.inference_service_name,
            "namespace": endpoint.namespace,
            "labels": {GENAI_ASSET_LABEL: "true"},
            "annotations": annotations,
        },
    }


def run_config_map(
    namespace: str, playground: PlaygroundConfig, rendered: RenderedRunConfig, profile: ReleaseProfile
) -> dict[str, Any]:
    size = len(rendered.text.encode())
    if size > CONFIG_MAP_MAX_BYTES:
        raise ConfigError(
            [
                f"models: {profile.config_key} would be {size:,} bytes, over the {CONFIG_MAP_MAX_BYTES:,} bytes a "
                "ConfigMap may hold: split the models over two stacks, or shorten their displayName and servedModelName"
            ]
        )
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": playground.config_map_name,
            "namespace": namespace,
            # The release's operator finds the ConfigMap by these (3.5: the OGX operator ignores one without
            # `ogx.io/watch: "true"`, ogx-ai/ogx-k8s-operator@v0.10.0 controllers/ogxserver_controller.go).
            "labels": {
                DASHBOARD_LABEL: "true",
                profile.config_map_server_label: playground.name,
                **profile.config_map_labels,
            },
            "annotations": {RELEASE_ANNOTATION: profile.release},
        },
        # The key the release's server and dashboard read (3.3 on: config.yaml; the dashboard reads no other).
        "data": {profile.config_key: rendered.text},
    }


def server_object(
    namespace: str, playground: PlaygroundConfig, rendered: RenderedRunConfig, profile: ReleaseProfile
) -> dict[str, Any]:
    """The release's server object (its profile's `server_shape`): what the dashboard's playground picks up."""
    return SERVER_BUILDERS[profile.server_shape](namespace, playground, rendered, profile)


def distribution(
    namespace: str, playground: PlaygroundConfig, rendered: RenderedRunConfig, profile: ReleaseProfile
) -> dict[str, Any]:
    """The LlamaStackDistribution the dashboard picks up (the first one labelled for it in the namespace).

    Its env carries the revision of everything the server runs with (run.yaml and this spec), and `pulumi up`
    waits until the server reports that revision: the operator keeps phase Ready from the old pod during a
    rollout, so phase alone would pass a new config that crash-loops (README "What `pulumi up` waits for").
    """
    env = [var.manifest() for var in rendered.env]
    server: dict[str, Any] = {
        "distribution": {"name": profile.distribution_name},
        "containerSpec": {
            "name": "llama-stack",
            "port": SERVER_PORT,
            "command": list(profile.run_command),
            "resources": playground.resources.model_dump(),
            "env": env,
        },
        "userConfig": {"configMapName": playground.config_map_name, "configMapNamespace": namespace},
    }
    if playground.storage_size:
        server["storage"] = {"size": playground.storage_size, "mountPath": STATE_DIR}
    if rendered.service_ca:
        # The operator mounts these keys as one bundle at profile.ca_bundle_file and points SSL_CERT_FILE at it
        # (llama-stack-k8s-operator, rhoai-3.0 … rhoai-3.4, controllers/resource_helper.go); run.yaml's tls_verify
        # names that file for the providers behind a Service's https.
        server["tlsConfig"] = {"caBundle": {"configMapName": SERVICE_CA_CONFIG_MAP, "configMapKeys": [SERVICE_CA_KEY]}}
    spec: dict[str, Any] = {"replicas": playground.replicas, "server": server}
    if profile.network_allowed_from:
        spec["network"] = network_access(namespace, playground)
    revision = config_revision(rendered.text, spec)
    env.append({"name": REVISION_ENV, "value": revision})
    return _server_envelope(namespace, playground, profile, spec, revision)


ADOPT_STORAGE_ANNOTATION = "ogx.io/adopt-storage"
# Where RHOAI runs its operators and the dashboard's backend (the OGX operator's default peer).
APPLICATIONS_NAMESPACE = "redhat-ods-applications"
ADOPT_NETWORKING_ANNOTATION = "ogx.io/adopt-networking"


def ogx_server(
    namespace: str, playground: PlaygroundConfig, rendered: RenderedRunConfig, profile: ReleaseProfile
) -> dict[str, Any]:
    """The OGXServer the 3.5 dashboard picks up (the first one labelled for it in the namespace), shaped as the
    dashboard creates its own (red-hat-data-services/odh-dashboard@rhoai-3.5, packages/gen-ai/bff/internal/
    integrations/kubernetes/token_k8s_client.go, InstallOGXServer) against ogx-ai/ogx-k8s-operator@v0.10.0
    api/v1beta1/ogxserver_types.go.

    The same revision wait as the LlamaStackDistribution: the OGX operator still copies the running server's
    GET /v1/providers into status.distributionConfig.providers (controllers/ogxserver_controller.go, updateStatus).
    """
    env = [var.manifest() for var in rendered.env]
    workload: dict[str, Any] = {
        "replicas": playground.replicas,
        "resources": playground.resources.model_dump(),
        "overrides": {"command": list(profile.run_command), "env": env},
    }
    if playground.storage_size:
        # Mounted where the config keeps its state (the operator's default is /.ogx, the config's paths are the
        # dashboard's /opt/app-root/src/.llama/distributions/rh).
        workload["storage"] = {"size": playground.storage_size, "mountPath": STATE_DIR}
    network: dict[str, Any] = {"port": SERVER_PORT}
    if playground.allowed_from_namespaces:
        network["policy"] = ogx_network_policy(namespace, playground)
    spec: dict[str, Any] = {
        "distribution": {"name": profile.distribution_name},
        "overrideConfig": {"name": playground.config_map_name, "key": profile.config_key},
        "workload": workload,
        "network": network,
    }
    if profile.tls_trust and rendered.service_ca:
        # The operator gathers these into a managed bundle mounted at /etc/ssl/certs/ca-bundle and points
        # SSL_CERT_FILE at it (controllers/ogxserver_controller.go gatherExplicitCABundle; resource_helper.go).
        spec["tls"] = {"trust": {"caCertificates": [{"name": SERVICE_CA_CONFIG_MAP, "key": SERVICE_CA_KEY}]}}
    revision = config_revision(rendered.text, spec)
    env.append({"name": REVISION_ENV, "value": revision})
    envelope = _server_envelope(namespace, playground, profile, spec, revision)
    if playground.adopt_storage_from:
        # The legacy LlamaStackDistribution's PVC `<name>-pvc` (detached from it, so deleting it keeps the files)
        # and Service (controllers/legacy_adoption.go adoptStorage, adoptNetworking).
        envelope["metadata"]["annotations"][ADOPT_STORAGE_ANNOTATION] = playground.adopt_storage_from
        envelope["metadata"]["annotations"][ADOPT_NETWORKING_ANNOTATION] = playground.adopt_storage_from
    return envelope


def _server_envelope(
    namespace: str, playground: PlaygroundConfig, profile: ReleaseProfile, spec: dict[str, Any], revision: str
) -> dict[str, Any]:
    """A server object of the release's kind, named and labelled as the dashboard looks for it, waited on."""
    return {
        "apiVersion": profile.server_kind.api_version,
        "kind": profile.server_kind.kind,
        "metadata": {
            "name": playground.name,
            "namespace": namespace,
            "labels": {DASHBOARD_LABEL: "true"},
            "annotations": {
                "openshift.io/display-name": playground.display_name,
                RELEASE_ANNOTATION: profile.release,
                **await_annotations(playground.wait_timeout_seconds, revision),
            },
        },
        "spec": spec,
    }


def ogx_network_policy(namespace: str, playground: PlaygroundConfig) -> dict[str, Any]:
    """spec.network.policy with the extra namespaces. Rules given replace the operator's defaults (every pod of the
    server's namespace, and the operator's namespace: pkg/deploy/plugins/networkpolicy_transformer.go
    buildDefaultPeers), so those come first; on RHOAI the dashboard's backend runs in the applications namespace."""
    peers: list[dict[str, Any]] = [{"podSelector": {}}]
    for other in (APPLICATIONS_NAMESPACE, *playground.allowed_from_namespaces):
        if other != namespace:
            peers.append({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": other}}})
    return {"ingress": [{"from": peers, "ports": [{"protocol": "TCP", "port": SERVER_PORT}]}]}


def network_access(namespace: str, playground: PlaygroundConfig) -> dict[str, Any]:
    """Who may connect through the NetworkPolicy the operator puts in front of the server (3.3 on, on by default).

    The operator always admits pods labelled `app.kubernetes.io/part-of: llama-stack` and its own namespace (where
    the dashboard's backend runs); `allowedFrom.namespaces` adds the playground's project, as the 3.4 dashboard
    does for its own playground (red-hat-data-services/odh-dashboard@rhoai-3.4, packages/gen-ai/bff/internal/
    integrations/kubernetes/token_k8s_client.go), so workbenches there reach it too
    (red-hat-data-services/llama-stack-k8s-operator@rhoai-3.3, pkg/deploy/plugins/networkpolicy_transformer.go).
    """
    namespaces = [namespace, *(n for n in playground.allowed_from_namespaces if n != namespace)]
    return {"allowedFrom": {"namespaces": namespaces}}


def config_revision(run_yaml: str, spec: dict[str, Any]) -> str:
    """A short digest of what the server runs with; the `r-` prefix keeps Llama Stack from reading it as a number."""
    canonical = json.dumps({"runYaml": run_yaml, "spec": spec}, sort_keys=True, separators=(",", ":"))
    return "r-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def served_revision_condition(revision: str) -> str:
    """pulumi.com/waitFor condition: the server answering the operator's GET /v1/providers loaded this revision."""
    path = f"{{.status.distributionConfig.providers[?(@.provider_id=='{REVISION_PROVIDER_ID}')].config.{REVISION_KEY}}}"
    return f"jsonpath={path}={revision}"


def await_annotations(timeout_seconds: int, revision: str) -> dict[str, str]:
    """How `pulumi up` waits for the distribution on create and on every update.

    pulumi-kubernetes >= 4.18 waits for every condition of a JSON list in pulumi.com/waitFor, on create and on
    update of this resource (provider/pkg/metadata/overrides.go, ReadyCondition); the revision in the condition
    makes every config change an update of this resource, so the wait runs again. 0 means do not wait: a
    timeoutSeconds of 0 would fail at once (overrides.go, TimeoutDuration), so pulumi.com/skipAwait instead.
    """
    if timeout_seconds == 0:
        return {"pulumi.com/skipAwait": "true"}
    conditions = ["jsonpath={.status.phase}=Ready", served_revision_condition(revision)]
    return {"pulumi.com/waitFor": json.dumps(conditions), "pulumi.com/timeoutSeconds": str(timeout_seconds)}


def dashboard_config_patch(
    prerequisites: PrerequisitesConfig, profile: ReleaseProfile, declared: Collection[str] = ()
) -> dict[str, Any]:
    """genAiStudio, the flag of each declared input the release shows behind one (profile.input_flags), and the
    stack's own dashboardFlags (which win: a flag set false stays false, and the pack says so)."""
    flags: dict[str, bool] = {"genAiStudio": True}
    flags.update({profile.input_flags[key]: True for key in sorted(declared) if key in profile.input_flags})
    flags.update(prerequisites.dashboard_flags)
    return {
        "apiVersion": profile.dashboard_config_api_version,
        "kind": "OdhDashboardConfig",
        "metadata": {
            "name": prerequisites.dashboard_config_name,
            "namespace": prerequisites.dashboard_config_namespace,
        },
        "spec": {"dashboardConfig": flags},
    }


def data_science_cluster_patch(prerequisites: PrerequisitesConfig, profile: ReleaseProfile) -> dict[str, Any]:
    components = {name: {"managementState": state} for name, state in profile.dsc_components.items()}
    return {
        "apiVersion": profile.dsc_api_version,
        "kind": "DataScienceCluster",
        "metadata": {"name": prerequisites.data_science_cluster_name},
        "spec": {"components": components},
    }


SERVER_BUILDERS: dict[str, Callable[[str, PlaygroundConfig, RenderedRunConfig, ReleaseProfile], dict[str, Any]]] = {
    "llama-stack-distribution": distribution,
    "ogx-server": ogx_server,
}
