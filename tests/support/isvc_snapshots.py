"""Live objects as `oc get <kind> -o yaml` prints them, for discovery tests.

A discovered model is read as three objects: the InferenceService, its predictor Service and the ServingRuntime
it names (`live_model` gives all three, shaped as KServe and the RHOAI runtime template make them).
"""

from __future__ import annotations

from typing import Any

# red-hat-data-services/odh-model-controller@rhoai-3.0, config/runtimes/vllm-cuda-template.yaml (its kserve-container).
TEMPLATE_ARGS = ["--port=8080", "--model=/mnt/models", "--served-model-name={{.Name}}"]


def live_isvc(
    name: str,
    args: list[str],
    *,
    namespace: str = "private-ai",
    min_replicas: int | None = 1,
    runtime: str | None = "vllm-runtime",
    gpus: int = 4,
    auth: bool = False,
) -> dict[str, Any]:
    model: dict[str, Any] = {
        "modelFormat": {"name": "vLLM"},
        "args": args,
        "resources": {"limits": {"nvidia.com/gpu": str(gpus)}},
    }
    if runtime:
        model["runtime"] = runtime
    predictor: dict[str, Any] = {"model": model}
    if min_replicas is not None:
        predictor["minReplicas"] = min_replicas
    host = f"{name}-predictor.{namespace}.svc.cluster.local"
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if auth:
        metadata["annotations"] = {"security.opendatahub.io/enable-auth": "true"}
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": metadata,
        "spec": {"predictor": predictor},
        # kserve rhoai-3.0 kube_ingress_reconciler.go: no port; https and the proxy port with enable-auth.
        "status": {
            "address": {"url": f"https://{host}:8443" if auth else f"http://{host}"},
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def predictor_service(
    name: str, *, namespace: str = "private-ai", headless: bool = True, auth: bool = False
) -> dict[str, Any]:
    """KServe's `<name>-predictor` Service (reconcilers/service/service_reconciler.go createDefaultSvc): port 80 to
    the container port; with enable-auth, port 8443 to the auth proxy's port named https instead."""
    port = {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}
    if auth:
        port = {"name": "https", "port": 8443, "protocol": "TCP", "targetPort": "https"}
    spec: dict[str, Any] = {
        "ports": [port],
        "selector": {"app": f"isvc.{name}-predictor"},
        "type": "ClusterIP",
        "clusterIP": "None" if headless else "172.30.12.34",
    }
    metadata = {"name": f"{name}-predictor", "namespace": namespace}
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def serving_runtime(
    name: str = "vllm-runtime", *, namespace: str = "private-ai", args: list[str] | None = None
) -> dict[str, Any]:
    """A ServingRuntime made from the RHOAI vLLM template (args replaceable)."""
    return {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "ServingRuntime",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "supportedModelFormats": [{"name": "vLLM", "autoSelect": True}],
            "containers": [
                {
                    "name": "kserve-container",
                    "image": "registry.redhat.io/rhaiis/vllm-cuda-rhel9:3.2",
                    "command": ["python", "-m", "vllm.entrypoints.openai.api_server"],
                    "args": TEMPLATE_ARGS if args is None else args,
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                }
            ],
        },
    }


def data_science_cluster(
    version: str = "3.0.2", name: str = "default-dsc", api_version: str = "datasciencecluster.opendatahub.io/v1"
) -> dict[str, Any]:
    """The cluster's DataScienceCluster as `oc get datasciencecluster default-dsc -o yaml` shows it (trimmed): the
    RHOAI operator reports its release in status.release (red-hat-data-services/rhods-operator@rhoai-3.0,
    api/common/types.go, Release)."""
    return {
        "apiVersion": api_version,
        "kind": "DataScienceCluster",
        "metadata": {"name": name},
        "spec": {"components": {"llamastackoperator": {"managementState": "Managed"}}},
        "status": {"phase": "Ready", "release": {"name": "OpenShift AI Self-Managed", "version": version}},
    }


def live_model(
    name: str,
    args: list[str],
    *,
    cluster_release: str = "3.0.2",
    namespace: str = "private-ai",
    runtime: str | None = "vllm-runtime",
    runtime_args: list[str] | None = None,
    headless: bool = True,
    auth: bool = False,
    **isvc: Any,
) -> list[dict[str, Any]]:
    """What discovery reads for one model: the InferenceService, its predictor Service, its ServingRuntime; and what
    the program reads once for the cluster, its DataScienceCluster (of RHOAI `cluster_release`)."""
    objects = [
        data_science_cluster(cluster_release),
        live_isvc(name, args, namespace=namespace, runtime=runtime, auth=auth, **isvc),
        predictor_service(name, namespace=namespace, headless=headless, auth=auth),
    ]
    if runtime:
        objects.append(serving_runtime(runtime, namespace=namespace, args=runtime_args))
    return objects


def dashboard_token_secret(
    name: str, *, namespace: str = "private-ai", secret_name: str | None = None, account: str | None = None
) -> dict[str, Any]:
    """The token Secret the dashboard's deploy wizard makes for a model behind its auth proxy: type
    service-account-token, annotated with the model's ServiceAccount `<name>-sa`, named `<token>-<name>-sa` with the
    wizard's default token name `default-name` (red-hat-data-services/odh-dashboard@rhoai-3.0
    frontend/src/api/k8s/secrets.ts assembleSecretSA); the token controller fills in `data.token`."""
    account = account or f"{name}-sa"
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/service-account-token",
        "metadata": {
            "name": secret_name or f"default-name-{name}-sa",
            "namespace": namespace,
            "annotations": {"kubernetes.io/service-account.name": account, "openshift.io/display-name": "default-name"},
            "labels": {"opendatahub.io/dashboard": "true"},
        },
        "data": {"token": "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkluUmxjM1FpZlEuc2VjcmV0LXRva2Vu"},
    }
