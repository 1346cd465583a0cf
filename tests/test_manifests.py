"""The Kubernetes objects: names, labels and fields the dashboard and operator read."""

from __future__ import annotations

from genai_playground.config import parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.manifests import (
    asset_patch,
    dashboard_config_patch,
    data_science_cluster_patch,
    distribution,
    run_config_map,
)
from genai_playground.run_config import render_run_config
from tests.conftest import model, stack


def test_asset_patch_labels_and_annotates_only() -> None:
    config = parse_stack_config(stack(model(displayName="Mistral", description="4-bit")))
    patch = asset_patch(resolve_endpoint(config.models[0], config))
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
                "pulumi.com/patchFieldManager": "genai-playground",
            },
        },
    }


def test_description_annotation_only_when_given() -> None:
    config = parse_stack_config(stack())
    assert (
        "openshift.io/description"
        not in asset_patch(resolve_endpoint(config.models[0], config))["metadata"]["annotations"]
    )


def test_config_map_and_distribution_as_the_dashboard_reads_them() -> None:
    config = parse_stack_config(stack(playground={"storageSize": "5Gi", "waitTimeoutSeconds": 600}))
    rendered = render_run_config([resolve_endpoint(config.models[0], config)], config.playground)
    config_map = run_config_map("private-ai", config.playground, rendered)
    assert config_map["metadata"] == {
        "name": "llama-stack-config",
        "namespace": "private-ai",
        "labels": {"opendatahub.io/dashboard": "true", "llamastack.io/distribution": "lsd-genai-playground"},
    }
    assert config_map["data"] == {"run.yaml": rendered.text}

    lsd = distribution("private-ai", config.playground, rendered)
    assert lsd["metadata"]["labels"] == {"opendatahub.io/dashboard": "true"}
    assert lsd["metadata"]["annotations"]["pulumi.com/waitFor"] == "jsonpath={.status.phase}=Ready"
    assert lsd["metadata"]["annotations"]["pulumi.com/timeoutSeconds"] == "600"
    server = lsd["spec"]["server"]
    assert server["distribution"] == {"name": "rh-dev"}
    assert server["userConfig"] == {"configMapName": "llama-stack-config", "configMapNamespace": "private-ai"}
    assert server["containerSpec"]["port"] == 8321
    assert server["containerSpec"]["resources"] == {
        "requests": {"cpu": "250m", "memory": "500Mi"},
        "limits": {"cpu": "2", "memory": "12Gi"},
    }
    assert server["storage"] == {"size": "5Gi", "mountPath": "/opt/app-root/src/.llama/distributions/rh"}


def test_prerequisite_patches() -> None:
    settings = parse_stack_config(stack(prerequisites={"manage": True})).prerequisites
    assert dashboard_config_patch(settings)["spec"] == {"dashboardConfig": {"genAiStudio": True}}
    assert dashboard_config_patch(settings)["metadata"]["namespace"] == "redhat-ods-applications"
    dsc = data_science_cluster_patch(settings)
    assert dsc["metadata"]["name"] == "default-dsc"
    assert dsc["spec"] == {"components": {"llamastackoperator": {"managementState": "Managed"}}}
