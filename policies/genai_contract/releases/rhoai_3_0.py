"""RHOAI 3.0: Llama Stack 0.3.0rc3+rhai0 in the `rh-dev` image, the flat run.yaml layout.

Sources: red-hat-data-services/llama-stack-k8s-operator@rhoai-3.0 (controllers/resource_helper.go: the ConfigMap
mounted at /etc/llama-stack/), opendatahub-io/llama-stack-distribution@rhoai-v3.0 (Containerfile, run.yaml),
red-hat-data-services/odh-dashboard@rhoai-3.0 (packages/gen-ai/bff: the config the dashboard writes).
"""

from genai_contract.releases import maas
from genai_contract.releases.profile import KubernetesKind, Provider, ReleaseProfile, ServerPin

PROFILE = ReleaseProfile(
    release="3.0",
    server=ServerPin(
        package="llama_stack",
        version="0.3.0rc3+rhai0",
        repository="https://github.com/opendatahub-io/llama-stack.git",
        commit="400da4efa579e2048a94e021b190fdac37ce38d3",
        tarball="llama_stack-0.3.0rc3+rhai0.tar.gz",
        sha256="9d57d2764fd088ee64494c884d363d53f5f1b84a30d4e41b71f893b7534d2134",
    ),
    config_key="run.yaml",
    config_dir="/etc/llama-stack",
    run_command=("/bin/sh", "-c", "llama stack run /etc/llama-stack/run.yaml"),
    layout="flat",
    name_key="image_name",
    chat_api="agents",
    chat_provider=Provider("meta-reference", "inline::meta-reference"),
    # llama_stack/providers/registry/agents.py (api_dependencies); vector_io is not routed in this version
    # (llama_stack/core/distribution.py, builtin_automatically_routed_apis): it needs a provider.
    chat_needs=("inference", "safety", "tool_runtime", "vector_io"),
    chat_needs_provider=("vector_io",),
    rag_tool=Provider("rag-runtime", "inline::rag-runtime"),
    registers_tool_groups=True,
    vector_stores_block=False,
    vllm_url_field="url",
    lists_served_model_name=False,
    # odh-dashboard rhoai-3.0 to rhoai-3.4, packages/gen-ai/bff/internal/integrations/llamastack/llamastack_client.go
    # prepareResponseParams: no max_output_tokens; the vLLM adapter then sends the provider's max_tokens.
    provider_max_tokens_applies=True,
    embedding_model_id="granite-embedding-125m",
    embedding_provider_model_id="ibm-granite/granite-embedding-125m-english",
    dashboard_api_base="/v1/openai/v1",
    server_shape="llama-stack-distribution",
    server_kind=KubernetesKind("llamastack.io/v1alpha1", "LlamaStackDistribution"),
    distribution_name="rh-dev",
    network_allowed_from=False,
    network_policy_default=False,
    # The CRD has no Deployment strategy field and the operator sets none: RollingUpdate with maxUnavailable 0.
    storage_rollout="rolling-update",
    # controllers/llamastackdistribution_controller.go CABundleMountPath; controllers/resource_helper.go
    # addCABundleVolumeMount, configureContainerEnvironment (SSL_CERT_FILE): an explicit bundle replaces the
    # auto-detected odh-trusted-ca-bundle.
    ca_bundle_file="/etc/ssl/certs/ca-bundle.crt",
    ca_bundle_merges_cluster_bundle=False,
    storage_rollout_source="red-hat-data-services/llama-stack-k8s-operator@rhoai-3.0 "
    "controllers/manifests/base/deployment.yaml (no strategy)",
    dsc_api_version="datasciencecluster.opendatahub.io/v1",
    dsc_components={"llamastackoperator": "Managed"},
    dashboard_config_api_version="opendatahub.io/v1alpha",
    dashboard_flags=frozenset({"genAiStudio", "modelAsService"}),
    maas=maas.SCRIPT_0_0_1,
    crd_folder="",
    features=frozenset({maas.TIERS, maas.MODEL_TIERS}),
)
