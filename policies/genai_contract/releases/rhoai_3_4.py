"""RHOAI 3.4: Llama Stack 0.7.1+rhaiv.1: `responses` (inline::builtin) and `file-search`, `distro_name`.

Sources: opendatahub-io/llama-stack@v0.7.1+rhaiv.1 (src/llama_stack_api/datatypes.py: the Api enum has `responses`,
no `agents`; src/llama_stack/core/datatypes.py: distro_name, RegisteredResources without tool_groups),
opendatahub-io/llama-stack-distribution@rhoai-v3.4 (distribution/config.yaml), red-hat-data-services/
odh-dashboard@rhoai-3.4 (packages/gen-ai/bff/internal/integrations/kubernetes/token_k8s_client.go: the dashboard
sets spec.network.allowedFrom.namespaces; manifests/common/crd/odhdashboardconfigs.opendatahub.io.crd.yaml: flags).
"""

from dataclasses import replace

from genai_contract.releases import maas, rhoai_3_3
from genai_contract.releases.profile import Provider, ServerPin

PROFILE = replace(
    rhoai_3_3.PROFILE,
    release="3.4",
    server=ServerPin(
        package="llama_stack",
        version="0.7.1+rhaiv.1",
        repository="https://github.com/opendatahub-io/llama-stack.git",
        commit="38340730f32f4d7c9daecd94c09d3ba6fd69e305",
        tarball="llama_stack-0.7.1+rhaiv.1.tar.gz",
        sha256="75f7b413f5d8dab8872175d3629e1ccba0de4374bd7a565a7d99950ca0e236de",
    ),
    name_key="distro_name",
    chat_api="responses",
    chat_provider=Provider("meta-reference", "inline::builtin"),
    rag_tool=Provider("file-search", "inline::file-search"),
    registers_tool_groups=False,
    # guardrails is no field of the 3.4 CRD (only of 3.5's): the API server would prune it.
    dashboard_flags=rhoai_3_3.PROFILE.dashboard_flags
    | {"aiAssetCustomEndpoints", "maasAuthPolicies", "externalVectorStores", "promptManagement", "mcpCatalog"},
    maas=maas.MAAS_CRDS,
    # Operator v0.9.0 switches a Deployment with storage to Recreate (RWO multi-attach on rolling updates).
    storage_rollout="recreate",
    storage_rollout_source="red-hat-data-services/llama-stack-k8s-operator@rhoai-3.4 pkg/deploy/kustomizer.go "
    "(getFieldMappings: /spec/strategy/type Recreate when spec.server.storage is set)",
    crd_folder="rhoai-3.4",
    # The 3.4 BFF reads gen-ai-aa-custom-model-endpoints and gen-ai-aa-vector-stores (packages/gen-ai/bff/internal/
    # constants/external_models.go, constants/vectorstores.go); the frontend shows them behind these flags
    # (backend/src/utils/constants.ts).
    # Tiers gave way to MaaSSubscription / MaaSAuthPolicy, which need the PostgreSQL Secret.
    features=(rhoai_3_3.PROFILE.features - {maas.MODEL_TIERS})
    | {"externalEndpoints", "vectorStores", maas.SUBSCRIPTIONS, maas.DATABASE_SECRET},
    input_flags={"externalEndpoints": "aiAssetCustomEndpoints", "vectorStores": "externalVectorStores"},
)
