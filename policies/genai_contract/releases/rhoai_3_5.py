"""RHOAI 3.5: the OGX server 1.2.4 behind an `ogx.io/v1beta1` OGXServer; the Llama Stack operator is gone.

Sources: red-hat-data-services/odh-dashboard@rhoai-3.5 (packages/gen-ai/bff/internal/integrations/kubernetes/
token_k8s_client.go, InstallOGXServer: the ConfigMap labels `ogx.io/server` + `ogx.io/watch`, the OGXServer's
spec, `ogxCommand`; llamastack_config.go, NewDefaultLlamaStackConfig: the config layout; manifests/base/crd/
odhdashboardconfigs.opendatahub.io.crd.yaml: the flags), ogx-ai/ogx-k8s-operator@v0.10.0 (api/v1beta1/
ogxserver_types.go; controllers/ogxserver_controller.go: WatchLabelKey, the CA bundle), red-hat-data-services/
rhods-operator@rhoai-3.5 (internal/controller/modules/ogx/handler.go, BuildModuleCR: OGX is refused while
`llamastackoperator` is Managed; api/datasciencecluster/v2: `components.ogx` exists in v2 only),
red-hat-data-services/ogx-distribution@rhoai-3.5 (Containerfile: OGX v1.2.4+rhaiv.0).
"""

from dataclasses import replace

from genai_contract.releases import maas, rhoai_3_4
from genai_contract.releases.profile import KubernetesKind, ServerPin

PROFILE = replace(
    rhoai_3_4.PROFILE,
    release="3.5",
    # The image installs Red Hat's 1.2.4+rhaiv.0 build; the nearest mirrored source is the fork's 1.2.2+rhaiv.0,
    # the tests run PyPI's ogx==1.2.4 (+ ogx-api==1.2.4).
    server=ServerPin(
        package="ogx",
        version="1.2.4",
        repository="https://github.com/opendatahub-io/ogx.git",
        commit="25a1a7d44fbca1bdf18de4c908a3b0b4b5e8dcc9",  # v1.2.2+rhaiv.0, the mirrored source
        tarball="ogx-1.2.2+rhaiv.0.tar.gz",
        sha256="ce9925dacefce82b3b77a83b3ee05c156c963c9607ac8d7c5921afa6647a835d",
    ),
    config_dir="/etc/ogx",
    run_command=("ogx", "run", "/etc/ogx/config.yaml", "--insecure"),
    layout="ogx",
    # OGX's responses provider's start-up dependencies are not recorded here: not checked by the pack.
    chat_needs=(),
    chat_needs_provider=(),
    server_shape="ogx-server",
    server_kind=KubernetesKind("ogx.io/v1beta1", "OGXServer"),
    network_allowed_from=False,
    dsc_api_version="datasciencecluster.opendatahub.io/v2",
    # One patch sets both: the OGX handler reads the whole DataScienceCluster spec of one generation, so
    # llamastackoperator Removed and ogx Managed arrive together (a Managed llamastackoperator blocks OGX).
    dsc_components={"llamastackoperator": "Removed", "ogx": "Managed"},
    # guardrails: a field of the 3.5 CRD, not of 3.4's (manifests/base/crd/odhdashboardconfigs.opendatahub.io.crd.yaml).
    dashboard_flags=(rhoai_3_4.PROFILE.dashboard_flags - {"maasApiKeys"})
    | {"genAiTracing", "agentConfigManagement", "guardrails"},
    # MaaS moved under the AI gateway component; kserve.modelsAsService is deprecated and its CEL rule refuses
    # turning it on anew (rhods-operator rhoai-3.5, api/components/v1alpha1/aigateway_types.go, kserve_types.go).
    maas=maas.AIGATEWAY_OPERATOR,
    crd_folder="rhoai-3.5",
    features=rhoai_3_4.PROFILE.features | {"ogx.adoption"},
    config_map_server_label="ogx.io/server",
    config_map_labels={"ogx.io/watch": "true"},
    tls_trust=True,
    storage_rollout="recreate",
    storage_rollout_source="ogx-ai/ogx-k8s-operator@v0.10.0 pkg/deploy/kustomizer.go (Recreate when storage is set)",
)
