"""RHOAI 3.3: Llama Stack 0.4.2.1+rhai0: key `config.yaml`, `base_url`, a `vector_stores:` block, `/v1` routes.

Sources: red-hat-data-services/llama-stack-k8s-operator@rhoai-3.3 (controllers/resource_helper.go
llamaStackConfigPath: /etc/llama-stack/config.yaml; pkg/featureflags/featureflags.go: NetworkPolicy on by default;
api/v1alpha1/llamastackdistribution_types.go: spec.network), opendatahub-io/llama-stack@v0.4.2.1+rhai0
(src/llama_stack/providers/remote/inference/vllm/config.py: base_url), red-hat-data-services/odh-dashboard@rhoai-3.3
(packages/gen-ai/bff/internal/constants/llamastack.go: LlamaStackConfigYAMLKey; integrations/llamastack/
llamastack_client.go: the /v1 base path).
"""

from dataclasses import replace

from genai_contract.releases import maas, rhoai_3_2
from genai_contract.releases.profile import ServerPin

PROFILE = replace(
    rhoai_3_2.PROFILE,
    release="3.3",
    server=ServerPin(
        package="llama_stack",
        version="0.4.2.1+rhai0",
        repository="https://github.com/opendatahub-io/llama-stack.git",
        commit="2844fb0187f9a9b2b59f5ead7be058fe19c8d644",
        tarball="llama_stack-0.4.2.1+rhai0.tar.gz",
        sha256="1e6e2144e64c4a9f36d1d482d08e6d275310af5cef4c8a1981052a01a09e8717",
    ),
    config_key="config.yaml",
    run_command=("/bin/sh", "-c", "llama stack run /etc/llama-stack/config.yaml"),
    vector_stores_block=True,
    # src/llama_stack/providers/registry/agents.py: files is a dependency, safety optional; files is not routed
    # (src/llama_stack/core/distribution.py), so it needs a provider even without RAG.
    chat_needs=("files", "inference", "tool_runtime", "vector_io"),
    chat_needs_provider=("files",),
    vllm_url_field="base_url",
    dashboard_api_base="/v1",
    network_allowed_from=True,
    network_policy_default=True,
    maas=maas.KSERVE_OPERATOR,
    storage_rollout_source="red-hat-data-services/llama-stack-k8s-operator@rhoai-3.3 "
    "controllers/manifests/base/deployment.yaml (no strategy)",
    crd_folder="rhoai-3.3",
    # The operator deploys the tier ConfigMap: `maas.tiers` is the stack's only on 3.0 and 3.2.
    features=(rhoai_3_2.PROFILE.features - {maas.TIERS}) | {"network.allowedFrom"},
)
