"""Every custom resource the program renders validates against its CRD (upstream files outside the project).

Each RHOAI release is checked against its own CRDs: 3.0's, with the files that release changes (its profile's
`crd_folder`, pinned per release in tests/support/upstream-pins.json).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from genai_contract.releases import PROFILES, SUPPORTED
from genai_contract.releases import maas as flavours
from hypothesis import given, settings

from genai_playground.config import parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.maas import (
    MaasConfig,
    auth_policy,
    gateway,
    model_enrollment,
    rate_limit_policy,
    tier_mapping,
    token_rate_limit_policy,
)
from genai_playground.manifests import (
    asset_patch,
    dashboard_config_patch,
    data_science_cluster_patch,
    server_object,
)
from genai_playground.run_config import render_run_config
from offline_preview.plan import plan
from offline_preview.render import manifests
from tests.config_strategies import stack_configs
from tests.conftest import REPO, model, stack
from tests.support import crd_cel, crd_schema
from tests.support.stack_files import load_stack_file, run_stack
from tests.support.upstream_files import UpstreamFilesNotFoundError
from tests.test_program import STACKS

ENABLED_MAAS = {
    "enabled": True,
    "openshiftVersion": "4.19.9",
    "connectivityLinkVersion": "1.2.0",
    "clusterDomain": "apps.cluster.example.com",
    "tlsSecretName": "maas-tls",
    "models": [{"name": "qwen3", "namespace": "llm"}, {"name": "granite", "tiers": ["premium"]}],
}


def release_crds(release: str) -> crd_schema.Folders:
    """The CRDs of a release; a test that needs them fails, never skips, without them."""
    try:
        return crd_schema.release_crds(PROFILES[release].crd_folder)
    except UpstreamFilesNotFoundError as error:
        pytest.fail(str(error))


def rendered_objects(raw: dict[str, Any]) -> list[dict[str, Any]]:
    config = parse_stack_config(raw)
    endpoints = [resolve_endpoint(m, config) for m in config.models]
    rendered = render_run_config(endpoints, config.playground, config.profile)
    return [
        *(asset_patch(endpoint, display_name=endpoint.display_name) for endpoint in endpoints),
        server_object(config.namespace, config.playground, rendered, config.profile),
        dashboard_config_patch(config.prerequisites, config.profile),
        data_science_cluster_patch(config.prerequisites, config.profile),
    ]


def maas_objects(config: MaasConfig) -> list[dict[str, Any]]:
    flavour = flavours.SCRIPT_0_0_1
    return [
        gateway(config, flavour),
        auth_policy(flavour),
        rate_limit_policy(config),
        token_rate_limit_policy(config.tiers),
        tier_mapping(config, flavour),
        *(model_enrollment(m, "private-ai", {}, flavour) for m in config.models),
    ]


@pytest.mark.parametrize("stack_name", STACKS)
def test_every_stack_files_custom_resources(stack_name: str) -> None:
    release = load_stack_file(REPO / f"Pulumi.{stack_name}.yaml").release
    crds = release_crds(release)
    objects = manifests(plan(run_stack(stack_name)))
    checked = list(crd_schema.objects_with_crds(objects, crds))
    assert {obj["kind"] for obj in checked} >= {"InferenceService", PROFILES[release].server_kind.kind}
    for obj in checked:
        assert crd_schema.validate(obj, crds) == [], obj["kind"]
        assert crd_cel.violations(obj, crds) == [], obj["kind"]


@pytest.mark.parametrize("release", SUPPORTED)
def test_every_feature_of_the_program_on_every_release(release: str) -> None:
    # A state volume only where the release's operator rolls it out (one replica, Recreate); else two replicas.
    rolls_out = PROFILES[release].storage_rollout == "recreate"
    playground: dict[str, Any] = {"storageSize": "5Gi"} if rolls_out else {"replicas": 2}
    if "network.allowedFrom" in PROFILES[release].features:
        playground["allowedFromNamespaces"] = ["workbenches", "private-ai"]
    raw = stack(
        model("a", apiTokenSecret={"name": "a-token"}, description="d"),
        model("b", predictorService="headed"),
        release=release,
        playground=playground,
        prerequisites={"manage": True},
    )
    objects = rendered_objects(raw)
    assert {obj["kind"] for obj in objects} == {
        "InferenceService",
        PROFILES[release].server_kind.kind,
        "OdhDashboardConfig",
        "DataScienceCluster",
    }
    crds = release_crds(release)
    for obj in objects:
        assert crd_schema.validate(obj, crds) == [], (release, obj["kind"])
        assert crd_cel.violations(obj, crds) == [], (release, obj["kind"])


@pytest.mark.parametrize("release", SUPPORTED)
def test_each_release_is_checked_against_its_own_crds(release: str) -> None:
    """The folders differ where the release's CRDs differ: the check is not 3.0's under another name."""
    crds = release_crds(release)
    lsd = PROFILES[release].server_kind
    schema = crd_schema.schemas(crds)[(lsd.api_version, lsd.kind)]
    network = schema["properties"]["spec"]["properties"].get("network") or {}
    assert ("allowedFrom" in (network.get("properties") or {})) == PROFILES[release].network_allowed_from


def test_a_state_volume_where_the_release_rolls_it_out() -> None:
    # storageSize only with one replica, on a release whose operator rolls such a server with Recreate.
    raw = {**stack(model("a")), "release": "3.4", "playground": {"storageSize": "5Gi"}}
    [lsd] = [obj for obj in rendered_objects(raw) if obj["kind"] == "LlamaStackDistribution"]
    assert lsd["spec"]["server"]["storage"]["size"] == "5Gi"
    assert crd_schema.validate(lsd, release_crds("3.4")) == []


def test_maas_objects_match_their_crds(crds: Path) -> None:
    config = parse_stack_config(stack(maas=ENABLED_MAAS)).maas
    kinds = set()
    for obj in maas_objects(config):
        if obj["kind"] == "ConfigMap":
            continue
        kinds.add(obj["kind"])
        assert crd_schema.validate(obj, crds) == [], obj["kind"]
    assert kinds == {"Gateway", "AuthPolicy", "RateLimitPolicy", "TokenRateLimitPolicy", "LLMInferenceService"}


def test_a_field_the_crd_lacks_is_an_error(crds: Path) -> None:
    """spec.network exists upstream only after RHOAI 3.0: the server would prune it silently."""
    lsd = next(obj for obj in rendered_objects(stack()) if obj["kind"] == "LlamaStackDistribution")
    lsd["spec"]["network"] = {"exposeRoute": True}
    lsd["spec"]["server"]["containerSpec"]["port"] = "8321"
    problems = crd_schema.validate(lsd, crds)
    assert any(p.startswith("spec: ") and "'network' was unexpected" in p for p in problems)
    assert any(p.startswith("spec.server.containerSpec.port: ") for p in problems)


@settings(max_examples=80, deadline=None)
@given(stack_configs())
def test_random_valid_configs_render_crd_valid_objects(raw: dict[str, Any]) -> None:
    directory = release_crds(raw["release"])
    for obj in rendered_objects(raw):
        assert crd_schema.validate(obj, directory) == [], (raw["release"], obj["kind"])


def test_an_object_of_a_later_release_fails_on_an_earlier_releases_crd() -> None:
    """The 3.3 distribution's spec.network is unknown to the 3.2 operator: its API server would prune it."""
    lsd = next(obj for obj in rendered_objects(stack(release="3.3")) if obj["kind"] == "LlamaStackDistribution")
    assert crd_schema.validate(lsd, release_crds("3.3")) == []
    assert any("'network' was unexpected" in p for p in crd_schema.validate(lsd, release_crds("3.2")))
