"""RHOAI 3.2: Llama Stack 0.3.5.1+rhai0: `storage:` + `registered_resources:` replace the flat layout.

Sources: opendatahub-io/llama-stack@v0.3.5.1+rhai0 (llama_stack/core/datatypes.py: StackRunConfig.storage is
required), red-hat-data-services/odh-dashboard@rhoai-3.2 (packages/gen-ai/bff/internal/integrations/kubernetes/
llamastack_config.go, NewDefaultLlamaStackConfig; constants/models.go: the embedding model id),
red-hat-data-services/llama-stack-k8s-operator@rhoai-3.2 (operator v0.5.0).
"""

from dataclasses import replace

from genai_contract.releases import maas, rhoai_3_0
from genai_contract.releases.profile import ServerPin

PROFILE = replace(
    rhoai_3_0.PROFILE,
    release="3.2",
    server=ServerPin(
        package="llama_stack",
        version="0.3.5.1+rhai0",
        repository="https://github.com/opendatahub-io/llama-stack.git",
        commit="8441c46b5e9c978d3db7c93d4e79f526cfc286fe",
        tarball="llama_stack-0.3.5.1+rhai0.tar.gz",
        sha256="6dee3e2540326aeace728eeaa4e8b4c5816fbe69b501f1b934bc1c386128014e",
    ),
    layout="storage",
    # llama_stack/providers/registry/agents.py: the same APIs (+ tool_groups, conversations, internal); vector_io
    # is routed from 0.3.5 (llama_stack/core/distribution.py, builtin_automatically_routed_apis).
    chat_needs_provider=(),
    lists_served_model_name=True,
    embedding_model_id="sentence-transformers/ibm-granite/granite-embedding-125m-english",
    dashboard_flags=rhoai_3_0.PROFILE.dashboard_flags | {"mlflow"},
    maas=maas.SCRIPT_0_0_2,
    # llama-stack-k8s-operator@rhoai-3.2 controllers/llamastackdistribution_controller.go: ManagedCABundleFilePath;
    # gatherCABundleData merges the explicit bundle and odh-trusted-ca-bundle into ConfigMap <name>-ca-bundle.
    ca_bundle_file="/etc/ssl/certs/ca-bundle/ca-bundle.crt",
    ca_bundle_merges_cluster_bundle=True,
    storage_rollout_source="red-hat-data-services/llama-stack-k8s-operator@rhoai-3.2 "
    "controllers/manifests/base/deployment.yaml (no strategy)",
    crd_folder="rhoai-3.2",
)
