"""The Kubernetes objects the program renders, as plain manifests (camelCase, as `oc apply` takes them)."""

from __future__ import annotations

from typing import Any

from genai_contract.names import (
    DASHBOARD_LABEL,
    DISTRIBUTION_NAME,
    GENAI_ASSET_LABEL,
    ISVC_API_VERSION,
    ISVC_KIND,
    LSD_API_VERSION,
    LSD_KIND,
    RUN_YAML_KEY,
    SERVER_PORT,
)

from genai_playground.config import PlaygroundConfig, PrerequisitesConfig
from genai_playground.endpoints import ModelEndpoint
from genai_playground.run_config import STATE_DIR, RenderedRunConfig

FIELD_MANAGER = "genai-playground"
RUN_COMMAND = ["/bin/sh", "-c", "llama stack run /etc/llama-stack/run.yaml"]
DASHBOARD_CONFIG_API_VERSION = "opendatahub.io/v1alpha"
DSC_API_VERSION = "datasciencecluster.opendatahub.io/v1"


def patch_annotations() -> dict[str, str]:
    """Server-side apply under one stable field manager, so destroy gives back exactly our fields."""
    return {"pulumi.com/patchFieldManager": FIELD_MANAGER}


def asset_patch(endpoint: ModelEndpoint) -> dict[str, Any]:
    """What makes an InferenceService an AI asset endpoint the playground lists."""
    annotations = {
        "opendatahub.io/genai-use-case": endpoint.use_case,
        "opendatahub.io/model-type": "generative",
        "openshift.io/display-name": endpoint.display_name,
    }
    if endpoint.description:
        annotations["openshift.io/description"] = endpoint.description
    return {
        "apiVersion": ISVC_API_VERSION,
        "kind": ISVC_KIND,
        "metadata": {
            "name": endpoint.inference_service_name,
            "namespace": endpoint.namespace,
            "labels": {GENAI_ASSET_LABEL: "true"},
            "annotations": {**annotations, **patch_annotations()},
        },
    }


def run_config_map(namespace: str, playground: PlaygroundConfig, rendered: RenderedRunConfig) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": playground.config_map_name,
            "namespace": namespace,
            "labels": {DASHBOARD_LABEL: "true", "llamastack.io/distribution": playground.name},
        },
        "data": {RUN_YAML_KEY: rendered.text},
    }


def distribution(namespace: str, playground: PlaygroundConfig, rendered: RenderedRunConfig) -> dict[str, Any]:
    """The LlamaStackDistribution the dashboard picks up (the first one labelled for it in the namespace)."""
    server: dict[str, Any] = {
        "distribution": {"name": DISTRIBUTION_NAME},
        "containerSpec": {
            "name": "llama-stack",
            "port": SERVER_PORT,
            "command": RUN_COMMAND,
            "resources": playground.resources.model_dump(),
            "env": [var.manifest() for var in rendered.env],
        },
        "userConfig": {"configMapName": playground.config_map_name, "configMapNamespace": namespace},
    }
    if playground.storage_size:
        server["storage"] = {"size": playground.storage_size, "mountPath": STATE_DIR}
    return {
        "apiVersion": LSD_API_VERSION,
        "kind": LSD_KIND,
        "metadata": {
            "name": playground.name,
            "namespace": namespace,
            "labels": {DASHBOARD_LABEL: "true"},
            "annotations": {
                "openshift.io/display-name": playground.display_name,
                # Pulumi waits as the seed's `oc wait --for=jsonpath='{.status.phase}'=Ready` did.
                "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready",
                "pulumi.com/timeoutSeconds": str(playground.wait_timeout_seconds),
            },
        },
        "spec": {"replicas": playground.replicas, "server": server},
    }


def dashboard_config_patch(prerequisites: PrerequisitesConfig) -> dict[str, Any]:
    return {
        "apiVersion": DASHBOARD_CONFIG_API_VERSION,
        "kind": "OdhDashboardConfig",
        "metadata": {
            "name": prerequisites.dashboard_config_name,
            "namespace": prerequisites.dashboard_config_namespace,
            "annotations": patch_annotations(),
        },
        "spec": {"dashboardConfig": {"genAiStudio": True}},
    }


def data_science_cluster_patch(prerequisites: PrerequisitesConfig) -> dict[str, Any]:
    return {
        "apiVersion": DSC_API_VERSION,
        "kind": "DataScienceCluster",
        "metadata": {"name": prerequisites.data_science_cluster_name, "annotations": patch_annotations()},
        "spec": {"components": {"llamastackoperator": {"managementState": "Managed"}}},
    }
