"""The Kubernetes objects: names, labels and fields the dashboard and operator read."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from genai_contract.names import REVISION_ENV
from genai_contract.releases import PROFILES, SUPPORTED

from genai_playground.config import parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.manifests import (
    asset_patch,
    dashboard_config_patch,
    data_science_cluster_patch,
    distribution,
    run_config_map,
    server_object,
)
from genai_playground.run_config import RenderedRunConfig, render_run_config
from tests.conftest import model, stack
from tests.support import crd_schema


def test_asset_patch_labels_and_annotates_only() -> None:
    config = parse_stack_config(stack(model(displayName="Mistral", description="4-bit")))
    patch = asset_patch(resolve_endpoint(config.models[0], config), display_name="Mistral")
    assert patch == {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {
            "name": "mistral-3-int4",
            "namespace": "private-ai",
            "labels": {"opendatahub.io/genai-asset": "true"},
            "annotations": {
                "opendatahub.io/genai-use-case": "chat assistant",
                "opendatahub.io/model-type": "generative",
                "openshift.io/display-name": "Mistral",
                "openshift.io/description": "4-bit",
            },
        },
    }


def test_display_name_and_description_only_when_the_stack_file_gives_them() -> None:
    """Fields the stack does not decide stay as the dashboard's deploy wizard wrote them: never taken over."""
    config = parse_stack_config(stack())
    annotations = asset_patch(resolve_endpoint(config.models[0], config), display_name=None)["metadata"]["annotations"]
    assert set(annotations) == {"opendatahub.io/genai-use-case", "opendatahub.io/model-type"}


def test_no_patch_carries_a_pulumi_annotation() -> None:
    """KServe copies an InferenceService's annotations into the predictor pods: nothing Pulumi-only goes there."""
    config = parse_stack_config(stack(model(displayName="M"), prerequisites={"manage": True}))
    patches = [
        asset_patch(resolve_endpoint(config.models[0], config), display_name="M"),
        dashboard_config_patch(config.prerequisites, config.profile),
        data_science_cluster_patch(config.prerequisites, config.profile),
    ]
    for patch in patches:
        assert not [key for key in patch["metadata"].get("annotations", {}) if key.startswith("pulumi.com/")]


def lsd_of(release: str = "3.0", **playground: Any) -> tuple[dict[str, Any], RenderedRunConfig]:
    config = parse_stack_config({**stack(playground=playground), "release": release})
    rendered = render_run_config([resolve_endpoint(config.models[0], config)], config.playground, config.profile)
    return distribution("private-ai", config.playground, rendered, config.profile), rendered


def env_of(lsd: dict[str, Any]) -> dict[str, str]:
    return {var["name"]: var.get("value") for var in lsd["spec"]["server"]["containerSpec"]["env"]}


def test_the_distribution_waits_for_phase_ready_and_the_served_revision() -> None:
    lsd, rendered = lsd_of(waitTimeoutSeconds=600)
    annotations = lsd["metadata"]["annotations"]
    revision = env_of(lsd)[REVISION_ENV]
    assert json.loads(annotations["pulumi.com/waitFor"]) == [
        "jsonpath={.status.phase}=Ready",
        "jsonpath={.status.distributionConfig.providers[?(@.provider_id=='model-context-protocol')]"
        f".config.config_revision}}={revision}",
    ]
    assert annotations["pulumi.com/timeoutSeconds"] == "600"
    # The server reports the revision only if run.yaml hands the env var to the provider the condition names.
    providers = yaml.safe_load(rendered.text)["providers"]["tool_runtime"]
    [marker] = [p for p in providers if p["provider_id"] == "model-context-protocol"]
    assert marker["config"] == {"config_revision": "${env.GENAI_PLAYGROUND_REVISION:=}"}


def test_every_change_of_what_the_server_runs_changes_the_revision() -> None:
    base, _ = lsd_of()
    revisions = {
        env_of(lsd_of(**change)[0])[REVISION_ENV]
        for change in ({}, {"defaultMaxTokens": 2048}, {"replicas": 2}, {"rag": False})
    }
    assert len(revisions) == 4
    with_volume = {env_of(lsd_of("3.4", **change)[0])[REVISION_ENV] for change in ({}, {"storageSize": "5Gi"})}
    assert len(with_volume) == 2
    assert env_of(lsd_of()[0])[REVISION_ENV] == env_of(base)[REVISION_ENV]  # deterministic
    assert all(revision.startswith("r-") for revision in revisions)  # never read as a number by Llama Stack


def test_the_distribution_sets_every_env_var_run_yaml_references() -> None:
    lsd, rendered = lsd_of()
    referenced = {part.split("}")[0].split(":")[0] for part in rendered.text.split("${env.")[1:]}
    assert referenced <= set(env_of(lsd))


def test_wait_timeout_zero_means_do_not_wait() -> None:
    lsd, _ = lsd_of(waitTimeoutSeconds=0)
    annotations = lsd["metadata"]["annotations"]
    assert annotations["pulumi.com/skipAwait"] == "true"
    assert "pulumi.com/waitFor" not in annotations and "pulumi.com/timeoutSeconds" not in annotations


def test_config_map_and_distribution_as_the_dashboard_reads_them() -> None:
    config = parse_stack_config(stack(playground={"waitTimeoutSeconds": 600}))
    rendered = render_run_config([resolve_endpoint(config.models[0], config)], config.playground, config.profile)
    config_map = run_config_map("private-ai", config.playground, rendered, config.profile)
    assert config_map["metadata"] == {
        "name": "llama-stack-config",
        "namespace": "private-ai",
        "labels": {"opendatahub.io/dashboard": "true", "llamastack.io/distribution": "lsd-genai-playground"},
        "annotations": {"genai-playground/rhoai-release": "3.0"},
    }
    assert config_map["data"] == {"run.yaml": rendered.text}

    lsd = distribution("private-ai", config.playground, rendered, config.profile)
    assert lsd["metadata"]["labels"] == {"opendatahub.io/dashboard": "true"}
    server = lsd["spec"]["server"]
    assert server["distribution"] == {"name": "rh-dev"}
    assert server["userConfig"] == {"configMapName": "llama-stack-config", "configMapNamespace": "private-ai"}
    assert server["containerSpec"]["port"] == 8321
    assert server["containerSpec"]["resources"] == {
        "requests": {"cpu": "250m", "memory": "500Mi"},
        "limits": {"cpu": "2", "memory": "12Gi"},
    }
    assert "storage" not in server
    volume, _ = lsd_of("3.4", storageSize="5Gi")
    assert volume["spec"]["server"]["storage"] == {
        "size": "5Gi",
        "mountPath": "/opt/app-root/src/.llama/distributions/rh",
    }


def test_prerequisite_patches() -> None:
    config = parse_stack_config(stack(prerequisites={"manage": True}))
    settings, profile = config.prerequisites, config.profile
    assert dashboard_config_patch(settings, profile)["spec"] == {"dashboardConfig": {"genAiStudio": True}}
    assert dashboard_config_patch(settings, profile)["metadata"]["namespace"] == "redhat-ods-applications"
    dsc = data_science_cluster_patch(settings, profile)
    assert dsc["metadata"]["name"] == "default-dsc"
    assert dsc["spec"] == {"components": {"llamastackoperator": {"managementState": "Managed"}}}


# ------------------------------------------------------------------------------------------ the service CA


@pytest.mark.parametrize("release", SUPPORTED)
def test_a_model_behind_its_auth_proxy_is_verified_against_the_service_ca(release: str) -> None:
    raw = stack(model("a", authProxy=True, apiTokenSecret={"name": "a-token"}), model("b"), release=release)
    config = parse_stack_config(raw)
    endpoints = [resolve_endpoint(m, config) for m in config.models]
    rendered = render_run_config(endpoints, config.playground, config.profile)
    document = yaml.safe_load(rendered.text)
    providers = {
        p["provider_id"]: p["config"] for p in document["providers"]["inference"] if "vllm" in p["provider_id"]
    }
    # The auth proxy's https: the file the operator mounts the distribution's CA bundle at, on this release.
    assert providers["vllm-a"]["tls_verify"] == PROFILES[release].ca_bundle_file
    assert providers["vllm-b"]["tls_verify"] is True  # plain http to the predictor: nothing to verify
    server = server_object("private-ai", config.playground, rendered, config.profile)
    # The server object's CA bundle field names OpenShift's ConfigMap: LlamaStackDistribution (3.0-3.4)
    # spec.server.tlsConfig.caBundle, OGXServer (3.5) spec.tls.trust.caCertificates.
    trust = (
        server["spec"]["tls"]["trust"]
        if config.profile.server_shape == "ogx-server"
        else server["spec"]["server"]["tlsConfig"]["caBundle"]
    )
    assert "openshift-service-ca.crt" in json.dumps(trust) and "service-ca.crt" in json.dumps(trust)
    assert crd_schema.validate(server, crd_schema.release_crds(PROFILES[release].crd_folder)) == []


def test_no_ca_bundle_without_a_service_https_url() -> None:
    for models in (
        [model("a")],
        [model("a", url="https://models.example.com/a/v1")],  # a public endpoint: the default trust store
        [model("a", authProxy=True, apiTokenSecret={"name": "t"}, tlsVerify=False)],  # verification off
    ):
        config = parse_stack_config(stack(*models))
        rendered = render_run_config([resolve_endpoint(config.models[0], config)], config.playground, config.profile)
        assert not rendered.service_ca
        assert (
            "tlsConfig" not in distribution("private-ai", config.playground, rendered, config.profile)["spec"]["server"]
        )
