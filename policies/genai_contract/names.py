"""Names both sides must spell the same: type tokens, labels, annotations, provider ids, env vars."""

from __future__ import annotations

import re
from typing import Final

# Our components (Pulumi component guidelines: <package>:index:<Name>).
TYPE_PREFIX: Final = "genai-playground:index"
ENDPOINT_TYPE: Final = f"{TYPE_PREFIX}:VllmModelEndpoint"
PLAYGROUND_TYPE: Final = f"{TYPE_PREFIX}:LlamaStackPlayground"

# Kubernetes objects as pulumi-kubernetes names their types (core group as core/v1; patches end in Patch).
ISVC_API_VERSION: Final = "serving.kserve.io/v1beta1"
ISVC_KIND: Final = "InferenceService"
LLM_ISVC_API_VERSION: Final = "serving.kserve.io/v1alpha1"
LLM_ISVC_KIND: Final = "LLMInferenceService"
SERVING_RUNTIME_API_VERSION: Final = "serving.kserve.io/v1alpha1"
SERVING_RUNTIME_KIND: Final = "ServingRuntime"
LSD_API_VERSION: Final = "llamastack.io/v1alpha1"
LSD_KIND: Final = "LlamaStackDistribution"


def type_token(api_version: str, kind: str) -> str:
    """The type token pulumi-kubernetes registers for an object of this apiVersion and kind."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"


CONFIG_MAP: Final = type_token("v1", "ConfigMap")
CONFIG_MAP_PATCH: Final = type_token("v1", "ConfigMapPatch")
SECRET: Final = type_token("v1", "Secret")
SECRET_PATCH: Final = type_token("v1", "SecretPatch")
SERVICE: Final = type_token("v1", "Service")
LSD: Final = type_token(LSD_API_VERSION, LSD_KIND)
ISVC: Final = type_token(ISVC_API_VERSION, ISVC_KIND)
ISVC_PATCH: Final = type_token(ISVC_API_VERSION, f"{ISVC_KIND}Patch")
LLM_ISVC: Final = type_token(LLM_ISVC_API_VERSION, LLM_ISVC_KIND)
LLM_ISVC_PATCH: Final = type_token(LLM_ISVC_API_VERSION, f"{LLM_ISVC_KIND}Patch")
SERVING_RUNTIME: Final = type_token(SERVING_RUNTIME_API_VERSION, SERVING_RUNTIME_KIND)

# What the RHOAI 3.0 dashboard reads (red-hat-data-services/odh-dashboard@rhoai-3.0, packages/gen-ai).
GENAI_ASSET_LABEL: Final = "opendatahub.io/genai-asset"
DASHBOARD_LABEL: Final = "opendatahub.io/dashboard"
USE_CASE_ANNOTATION: Final = "opendatahub.io/genai-use-case"
MODEL_TYPE_ANNOTATION: Final = "opendatahub.io/model-type"
DISPLAY_NAME_ANNOTATION: Final = "openshift.io/display-name"
DESCRIPTION_ANNOTATION: Final = "openshift.io/description"
# Models behind the auth proxy (the dashboard then calls https://...:8443 with a bearer token).
ENABLE_AUTH_ANNOTATION: Final = "security.opendatahub.io/enable-auth"

# How KServe serves a predictor (red-hat-data-services/kserve@rhoai-3.0, pkg/constants/constants.go:
# InferenceServiceContainerName, PredictorServiceName, OauthProxyPort; the Service (headed: port 80) from
# reconcilers/service/service_reconciler.go, its address from reconcilers/ingress/kube_ingress_reconciler.go).
INFERENCE_SERVICE_CONTAINER: Final = "kserve-container"
PREDICTOR_SERVICE_SUFFIX: Final = "-predictor"
AUTH_PROXY_PORT: Final = 8443  # the auth proxy's port, on the Service and on the pod
# The auth proxy serves the certificate OpenShift's service CA issues for the predictor Service (kserve rhoai-3.0
# reconcilers/service/service_reconciler.go: annotation service.beta.openshift.io/serving-cert-secret-name; mounted
# by reconcilers/deployment/deployment_reconciler.go). OpenShift publishes that CA in every namespace as this
# ConfigMap (service-ca operator: config map `openshift-service-ca.crt`, key `service-ca.crt`).
SERVICE_CA_CONFIG_MAP: Final = "openshift-service-ca.crt"
SERVICE_CA_KEY: Final = "service-ca.crt"
# The RHOAI vLLM runtime template's --port and containerPort (red-hat-data-services/odh-model-controller@rhoai-3.0,
# config/runtimes/vllm-cuda-template.yaml): what a headless Service's clients connect to.
VLLM_RUNTIME_PORT: Final = 8080
# llm-d (kserve rhoai-3.0, config/llmisvc/config-llm-template.yaml; pkg/controller/llmisvc/workload.go).
LLM_ISVC_MAIN_CONTAINER: Final = "main"
LLM_ISVC_SERVICE_SUFFIX: Final = "-kserve-workload-svc"
CLUSTER_DOMAIN: Final = "cluster.local"


def predictor_service(isvc_name: str) -> str:
    return f"{isvc_name}{PREDICTOR_SERVICE_SUFFIX}"


def service_host(service: str, namespace: str) -> str:
    """A Service's cluster-internal DNS name, as KServe writes it into status.address.url."""
    return f"{service}.{namespace}.svc.{CLUSTER_DOMAIN}"


VLLM_PROVIDER_TYPE: Final = "remote::vllm"
# A provider the dashboard's backend sends a MaaS token through, per request, in place of its api_token: one
# whose model id starts with this (red-hat-data-services/odh-dashboard@rhoai-3.0 to rhoai-3.5, packages/gen-ai/bff/
# internal/constants/maas.go MaaSProviderPrefix; api/lsd_responses_handler.go).
MAAS_PROVIDER_PREFIX: Final = "maas-"


def provider_id(model_name: str) -> str:
    """The run.yaml provider of one model."""
    return f"vllm-{model_name}"


def env_suffix(model_name: str) -> str:
    """Per-model env var suffix: derived from the name, so reordering models renames nothing."""
    return re.sub(r"[^A-Z0-9]", "_", model_name.upper())


def max_tokens_env(model_name: str) -> str:
    return f"VLLM_MAX_TOKENS_{env_suffix(model_name)}"


def api_token_env(model_name: str) -> str:
    return f"VLLM_API_TOKEN_{env_suffix(model_name)}"


# Which RHOAI release rendered an object (the server config's ConfigMap, the server object, the dashboard inputs):
# the pack and the preview judge the object as that release's server, operator and dashboard read it.
RELEASE_ANNOTATION: Final = "genai-playground/rhoai-release"

# The Llama Stack server of RHOAI 3.0 (llama-stack-k8s-operator rhoai-3.0; the rh-dev image).
DISTRIBUTION_NAME: Final = "rh-dev"  # the only distribution name the operator accepts on RHOAI
RUN_YAML_KEY: Final = "run.yaml"  # the operator mounts the ConfigMap at /etc/llama-stack/; the image reads this key
SERVER_PORT: Final = 8321  # the operator's port when containerSpec.port is 0 or unset; Llama Stack's default too
DEFAULT_MAX_TOKENS: Final = 4096  # the remote::vllm adapter's max_tokens default
PLACEHOLDER_TOKEN: Final = "fake"  # what the remote::vllm adapter sends when vLLM runs without auth

# Which config the running server loaded, for `pulumi up` to wait on: the distribution's env var, handed by run.yaml
# to the MCP provider's config. Its config class ignores the key, but GET /v1/providers returns each provider's
# config as run.yaml gave it (opendatahub-io/llama-stack@v0.3.0rc3+rhai0, llama_stack/core/providers.py) and the
# operator copies that list into the distribution's status. The pack must not call the key a mistake.
REVISION_PROVIDER_ID: Final = "model-context-protocol"
REVISION_PROVIDER_TYPE: Final = "remote::model-context-protocol"
REVISION_KEY: Final = "config_revision"
REVISION_ENV: Final = "GENAI_PLAYGROUND_REVISION"
