"""RHOAI 3.5: the OGXServer, its ConfigMap and the cluster switches, against the pinned 3.5 CRDs and their CEL rules."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES, profile

from genai_playground.config import ConfigError, parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.manifests import (
    dashboard_config_patch,
    data_science_cluster_patch,
    run_config_map,
    server_object,
)
from genai_playground.run_config import build_run_config, render_run_config
from tests.conftest import model, stack
from tests.support import crd_cel, crd_schema

OGX = profile("3.5")


def ogx_stack(*models: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return stack(*models, **{"release": "3.5", **overrides})


def rendered_objects(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    config = parse_stack_config(raw)
    endpoints = [resolve_endpoint(m, config) for m in config.models]
    rendered = render_run_config(endpoints, config.playground, config.profile)
    objects = [
        server_object(config.namespace, config.playground, rendered, config.profile),
        run_config_map(config.namespace, config.playground, rendered, config.profile),
        dashboard_config_patch(config.prerequisites, config.profile),
        data_science_cluster_patch(config.prerequisites, config.profile),
    ]
    return {obj["kind"]: obj for obj in objects}


def document(raw: dict[str, Any]) -> dict[str, Any]:
    config = parse_stack_config(raw)
    return build_run_config([resolve_endpoint(m, config) for m in config.models], config.playground, config.profile)


@pytest.fixture(scope="module")
def crds35(crds: Path) -> crd_schema.Folders:
    """RHOAI 3.0's CRDs with the files 3.5 changes (its pinned folder)."""
    return crd_schema.release_crds(OGX.crd_folder)


FULL = ogx_stack(
    model("a", authProxy=True, apiTokenSecret={"name": "a-token"}, maxTokens=1024),
    model("b", predictorService="headed"),
    playground={"storageSize": "5Gi", "replicas": 1, "allowedFromNamespaces": ["team-b"]},
    prerequisites={"manage": True},
)


@pytest.mark.parametrize("raw", [ogx_stack(), FULL, ogx_stack(playground={"rag": False, "waitTimeoutSeconds": 0})])
def test_every_object_matches_the_35_crds_and_their_cel_rules(raw: dict[str, Any], crds35: crd_schema.Folders) -> None:
    for kind, obj in rendered_objects(raw).items():
        if kind == "ConfigMap":
            continue
        assert crd_schema.validate(obj, crds35) == [], kind
        assert crd_cel.violations(obj, crds35) == [], kind


def test_the_cel_check_finds_what_the_api_server_refuses(crds35: crd_schema.Folders) -> None:
    server = rendered_objects(FULL)["OGXServer"]
    bad = copy.deepcopy(server)
    bad["spec"]["distribution"]["image"] = "quay.io/x/y:1"
    bad["spec"]["workload"]["storage"]["size"] = "0"
    bad["spec"]["providers"] = {"inference": [{"type": "remote::vllm"}]}
    bad["spec"]["workload"]["podDisruptionBudget"] = {}
    found = crd_cel.violations(bad, crds35)
    assert "spec: overrideConfig and providers are mutually exclusive" in found
    assert "spec.distribution: only one of name or image can be specified" in found
    assert "spec.workload.storage: size must be a positive quantity" in found
    assert any(p.startswith("spec.workload.podDisruptionBudget: at least one of") for p in found)
    # Every rule of the pinned CRD compiles and runs with the functions the checker provides.
    schema = crd_schema.schemas(crds35)[(OGX.server_kind.api_version, OGX.server_kind.kind)]
    listed = list(crd_cel.rules(schema))
    assert len(listed) > 50
    for _, rule, _ in listed:
        assert crd_cel._program(rule) is not None


def test_the_ogx_server_is_what_the_35_dashboard_creates() -> None:
    objects = rendered_objects(FULL)
    server, config_map = objects["OGXServer"], objects["ConfigMap"]
    assert server["apiVersion"] == "ogx.io/v1beta1"
    assert server["metadata"]["name"] == "lsd-genai-playground"
    assert server["metadata"]["labels"] == {"opendatahub.io/dashboard": "true"}
    spec = server["spec"]
    assert spec["distribution"] == {"name": "rh-dev"}
    assert spec["overrideConfig"] == {"name": "llama-stack-config", "key": "config.yaml"}
    assert spec["workload"]["overrides"]["command"] == ["ogx", "run", "/etc/ogx/config.yaml", "--insecure"]
    assert spec["workload"]["replicas"] == 1
    assert spec["workload"]["storage"] == {"size": "5Gi", "mountPath": "/opt/app-root/src/.llama/distributions/rh"}
    assert spec["network"]["port"] == 8321
    env = {var["name"]: var for var in spec["workload"]["overrides"]["env"]}
    assert env["VLLM_MAX_TOKENS_A"]["value"] == "1024"
    assert env["VLLM_API_TOKEN_A"]["valueFrom"] == {"secretKeyRef": {"name": "a-token", "key": "token"}}
    # The OGX operator only sees a ConfigMap labelled ogx.io/watch; ogx.io/server names its server.
    assert config_map["metadata"]["labels"] == {
        "opendatahub.io/dashboard": "true",
        "ogx.io/server": "lsd-genai-playground",
        "ogx.io/watch": "true",
    }
    assert list(config_map["data"]) == ["config.yaml"]
    assert "llamastack.io/distribution" not in config_map["metadata"]["labels"]


def test_who_may_connect_keeps_the_operators_defaults_first() -> None:
    policy = rendered_objects(FULL)["OGXServer"]["spec"]["network"]["policy"]
    peers = policy["ingress"][0]["from"]
    assert peers[0] == {"podSelector": {}}
    names = [p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in peers[1:]]
    assert names == ["redhat-ods-applications", "team-b"]
    # Without extra namespaces the operator's default policy stays (same namespace + its own namespace).
    assert "policy" not in rendered_objects(ogx_stack())["OGXServer"]["spec"]["network"]


def test_an_auth_proxy_model_makes_the_server_trust_the_service_ca() -> None:
    trusted = rendered_objects(FULL)["OGXServer"]["spec"]["tls"]
    assert trusted == {"trust": {"caCertificates": [{"name": "openshift-service-ca.crt", "key": "service-ca.crt"}]}}
    assert "tls" not in rendered_objects(ogx_stack())["OGXServer"]["spec"]
    unverified = ogx_stack(model("a", authProxy=True, apiTokenSecret={"name": "t"}, tlsVerify=False))
    assert "tls" not in rendered_objects(unverified)["OGXServer"]["spec"]


def test_both_cluster_switches_in_one_patch_in_an_order_that_works(crds35: crd_schema.Folders) -> None:
    patch = rendered_objects(FULL)["DataScienceCluster"]
    # components.ogx exists in the v2 API only; the OGX handler refuses while llamastackoperator is Managed.
    assert patch["apiVersion"] == "datasciencecluster.opendatahub.io/v2"
    assert list(patch["spec"]["components"].items()) == [
        ("llamastackoperator", {"managementState": "Removed"}),
        ("ogx", {"managementState": "Managed"}),
    ]


def test_the_35_dashboard_flags_are_those_of_its_crd(crds35: crd_schema.Folders) -> None:
    schema = crd_schema.schemas(crds35)[(OGX.dashboard_config_api_version, "OdhDashboardConfig")]
    flags = set(schema["properties"]["spec"]["properties"]["dashboardConfig"]["properties"])
    assert OGX.dashboard_flags <= flags
    assert {"genAiStudio", "genAiTracing", "agentConfigManagement"} <= OGX.dashboard_flags
    assert "maasApiKeys" not in flags and "maasApiKeys" not in OGX.dashboard_flags


def test_the_ogx_config_layout_with_rag() -> None:
    doc = document(ogx_stack(model("a", maxTokens=777)))
    assert doc["distro_name"] == "rh"
    assert doc["apis"] == ["file_processors", "files", "inference", "responses", "tool_runtime", "vector_io"]
    assert not {"safety", "datasetio", "scoring", "agents"} & set(doc["apis"]) & set(doc["providers"])
    assert set(doc["storage"]["stores"]) == {"metadata", "inference", "conversations", "prompts", "connectors"}
    vllm = doc["providers"]["inference"][0]
    assert vllm["config"]["base_url"].endswith("/v1")
    assert vllm["config"]["max_tokens"] == "${env.VLLM_MAX_TOKENS_A:=777}"
    assert [p["provider_type"] for p in doc["providers"]["file_processors"]] == ["inline::pypdf"]
    assert [p["provider_type"] for p in doc["providers"]["vector_io"]] == ["inline::faiss"]
    assert doc["vector_stores"]["default_provider_id"] == "faiss"
    assert [p["provider_id"] for p in doc["providers"]["tool_runtime"]] == ["file-search", "model-context-protocol"]
    assert set(doc["registered_resources"]) == {"models", "vector_stores"}


def test_the_ogx_config_layout_without_rag() -> None:
    doc = document(ogx_stack(playground={"rag": False}))
    assert doc["providers"]["vector_io"] == []
    assert doc["vector_stores"] == {"default_provider_id": ""}
    assert [p["provider_type"] for p in doc["providers"]["inference"]] == ["remote::vllm"]
    # OGX's responses provider needs files at start: they stay without RAG.
    assert [p["provider_type"] for p in doc["providers"]["files"]] == ["inline::localfs"]
    assert [p["provider_id"] for p in doc["providers"]["tool_runtime"]] == ["model-context-protocol"]


def test_the_config_map_text_is_yaml_of_that_document() -> None:
    raw = ogx_stack()
    config = parse_stack_config(raw)
    rendered = render_run_config([resolve_endpoint(config.models[0], config)], config.playground, config.profile)
    assert yaml.safe_load(rendered.text) == document(raw)


def test_adoption_is_an_ogx_only_key_naming_key_and_release() -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config(stack(release="3.4", playground={"adoptStorageFrom": "old-playground"}))
    (problem,) = error.value.problems
    assert problem.startswith("playground.adoptStorageFrom: not available on RHOAI 3.4")
    assert "3.5" in problem


def test_adoption_of_the_own_name_is_refused_as_the_operator_refuses_it() -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config(ogx_stack(playground={"adoptStorageFrom": "lsd-genai-playground"}))
    assert any("playground.adoptStorageFrom" in p or "same-name" in p for p in error.value.problems)


def test_adoption_annotations_on_a_renamed_playground(crds35: crd_schema.Folders) -> None:
    raw = ogx_stack(playground={"name": "genai-playground", "adoptStorageFrom": "lsd-genai-playground"})
    server = rendered_objects(raw)["OGXServer"]
    annotations = server["metadata"]["annotations"]
    assert annotations["ogx.io/adopt-storage"] == "lsd-genai-playground"
    assert annotations["ogx.io/adopt-networking"] == "lsd-genai-playground"
    assert crd_cel.violations(server, crds35) == []


def test_only_35_has_an_ogx_server() -> None:
    shapes = {release: p.server_shape for release, p in PROFILES.items()}
    assert shapes["3.5"] == "ogx-server"
    assert {shapes[r] for r in shapes if r != "3.5"} == {"llama-stack-distribution"}
