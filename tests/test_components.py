"""Each component alone under Pulumi's mocks: children, names, parents, props and dependencies."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from components.llama_stack_playground import LlamaStackPlayground, LlamaStackPlaygroundArgs
from components.playground_prerequisites import PlaygroundPrerequisites, PlaygroundPrerequisitesArgs
from components.vllm_model_endpoint import VllmModelEndpoint, VllmModelEndpointArgs
from genai_playground.config import parse_stack_config
from offline_preview.errors import OfflineRunError
from offline_preview.snapshots import SnapshotIndex
from tests.conftest import model, stack
from tests.support.isvc_snapshots import dashboard_token_secret, live_model
from tests.support.program import run

ENDPOINT = "genai-playground:index:VllmModelEndpoint"
PATCH = "kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"
LIVE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
LSD = "kubernetes:llamastack.io/v1alpha1:LlamaStackDistribution"


def endpoint_program(raw: dict[str, Any]) -> Any:
    config = parse_stack_config(raw)
    return lambda: [VllmModelEndpoint(m.name, VllmModelEndpointArgs(model=m, stack=config)) for m in config.models]


def test_endpoint_patches_its_inference_service_and_publishes_props() -> None:
    raw = stack(model("devstral-2", gpus=4, minReplicas=0, useCase="agentic coding assistant"))
    result = run(endpoint_program(raw), raw)
    component = result.one(ENDPOINT, "devstral-2")
    patch = result.one(PATCH, "devstral-2-asset-patch")
    assert patch.parent == component.urn and patch.custom and not component.custom
    assert patch.inputs["metadata"]["labels"] == {"opendatahub.io/genai-asset": "true"}
    assert "spec" not in patch.inputs  # labels and annotations only: the InferenceService stays the user's
    assert component.inputs == component.outputs
    assert component.inputs["providerId"] == "vllm-devstral-2"
    assert component.inputs["url"] == "http://devstral-2-predictor.private-ai.svc.cluster.local:8080/v1"
    assert (component.inputs["gpus"], component.inputs["minReplicas"], component.inputs["contextLength"]) == (
        4,
        0,
        16384,
    )
    assert not result.by_type(LIVE)


def test_discovery_reads_the_inference_service_its_service_and_its_runtime() -> None:
    raw = stack(model("gpt-oss-20b", discover=True, contextLength=32768))
    args = ["--max-model-len=8192", "--served-model-name=openai/gpt-oss-20b"]
    result = run(endpoint_program(raw), raw, SnapshotIndex(live_model("gpt-oss-20b", args, min_replicas=0)))
    reads = {(r.type, r.name) for r in result.resources if r.read}
    assert reads == {
        (LIVE, "gpt-oss-20b-live"),
        ("kubernetes:core/v1:Service", "gpt-oss-20b-live-service"),
        ("kubernetes:serving.kserve.io/v1alpha1:ServingRuntime", "gpt-oss-20b-live-runtime"),
    }
    assert {r.parent for r in result.resources if r.read} == {result.one(ENDPOINT, "gpt-oss-20b").parent}
    props = result.one(ENDPOINT, "gpt-oss-20b").inputs
    assert (props["contextLength"], props["servedModelName"], props["minReplicas"]) == (8192, "openai/gpt-oss-20b", 0)
    assert (props["discovered"], props["runtime"]) == (True, "vllm-runtime")
    assert props["url"] == "http://gpt-oss-20b-predictor.private-ai.svc.cluster.local:8080/v1"
    assert result.warnings == [
        "model gpt-oss-20b: contextLength is 32768 in the stack file but 8192 on the cluster; using 8192"
    ]


def test_discovery_reads_the_runtime_the_inference_service_names() -> None:
    raw = stack(model("m", discover=True, contextLength=None))
    objects = live_model("m", [], runtime="m-runtime", runtime_args=["--model=/mnt/models", "--max-model-len=4k"])
    props = run(endpoint_program(raw), raw, SnapshotIndex(objects)).one(ENDPOINT, "m").inputs
    assert (props["contextLength"], props["servedModelName"], props["runtime"]) == (4000, "/mnt/models", "m-runtime")
    unnamed = run(endpoint_program(raw), raw, SnapshotIndex(live_model("m", ["--max-model-len=2k"], runtime=None)))
    assert not [r for r in unnamed.resources if r.type.endswith(":ServingRuntime")]  # KServe chose: nothing to read


def test_discovery_of_a_missing_inference_service_says_what_to_do() -> None:
    raw = stack(model("devstral-2", discover=True))
    with pytest.raises(OfflineRunError) as caught:
        run(endpoint_program(raw), raw)
    message = str(caught.value)
    assert "InferenceService private-ai/devstral-2" in message
    assert "Deploy the models first" in message
    assert "oc get inferenceservice devstral-2 -n private-ai -o yaml" in message


def test_discovery_without_the_predictor_service_says_what_to_do() -> None:
    raw = stack(model("devstral-2", discover=True))
    without_service = [obj for obj in live_model("devstral-2", []) if obj["kind"] != "Service"]
    with pytest.raises(OfflineRunError) as caught:
        run(endpoint_program(raw), raw, SnapshotIndex(without_service))
    assert "oc get service devstral-2-predictor -n private-ai -o yaml" in str(caught.value)


def test_discovery_of_a_model_behind_its_auth_proxy_reads_the_dashboards_token_secret() -> None:
    raw = stack(model("devstral-2", discover=True))
    # No token Secret on the cluster: the read names it, and how to export it without its token.
    with pytest.raises(OfflineRunError) as caught:
        run(endpoint_program(raw), raw, SnapshotIndex(live_model("devstral-2", [], auth=True)))
    message = str(caught.value)
    assert "Secret private-ai/default-name-devstral-2-sa is read by the program" in message
    assert "set the model's apiTokenSecret" in message and "without its data" in message
    # The wizard's Secret: used as the token, said in a warning, and its token never reaches the recorded run.
    objects = [*live_model("devstral-2", [], auth=True), dashboard_token_secret("devstral-2")]
    result = run(endpoint_program(raw), raw, SnapshotIndex(objects))
    read = result.one("kubernetes:core/v1:Secret", "devstral-2-live-token")
    assert read.read and "data" not in read.outputs and read.outputs["type"] == "kubernetes.io/service-account-token"
    assert "ZXlK" not in json.dumps([r.outputs for r in result.resources] + [r.inputs for r in result.resources])
    [warning] = [w for w in result.warnings if "no apiTokenSecret" in w]
    assert "using Secret private-ai/default-name-devstral-2-sa (key token)" in warning
    assert "ServiceAccount devstral-2-sa" in warning and "dashboard's own playground uses" in warning
    url = result.one(ENDPOINT, "devstral-2").inputs["url"]
    assert url == "https://devstral-2-predictor.private-ai.svc.cluster.local:8443/v1"


def test_a_named_apitokensecret_wins_and_nothing_else_is_read() -> None:
    secured = stack(model("devstral-2", discover=True, apiTokenSecret={"name": "devstral-2-sa-token"}))
    result = run(endpoint_program(secured), secured, SnapshotIndex(live_model("devstral-2", [], auth=True)))
    assert not [r for r in result.resources if r.type == "kubernetes:core/v1:Secret"]
    assert not [w for w in result.warnings if "no apiTokenSecret" in w]


def test_a_secret_of_that_name_that_is_no_token_of_the_models_account_is_refused() -> None:
    raw = stack(model("devstral-2", discover=True))
    other = dashboard_token_secret("devstral-2", account="someone-else")
    with pytest.raises(OfflineRunError) as caught:
        run(endpoint_program(raw), raw, SnapshotIndex([*live_model("devstral-2", [], auth=True), other]))
    assert "is not the dashboard's token of ServiceAccount devstral-2-sa" in str(caught.value)
    assert "set apiTokenSecret" in str(caught.value)


def playground_program(raw: dict[str, Any]) -> Any:
    config = parse_stack_config(raw)

    def program() -> None:
        endpoints = [VllmModelEndpoint(m.name, VllmModelEndpointArgs(model=m, stack=config)) for m in config.models]
        LlamaStackPlayground(
            "playground",
            LlamaStackPlaygroundArgs(
                namespace=config.namespace, playground=config.playground, profile=config.profile, endpoints=endpoints
            ),
        )

    return program


def test_playground_renders_config_map_and_distribution_under_itself() -> None:
    raw = stack(model("a"), model("b"))
    result = run(playground_program(raw), raw)
    component = result.one("genai-playground:index:LlamaStackPlayground", "playground")
    config_map = result.one("kubernetes:core/v1:ConfigMap", "playground-run-config")
    lsd = result.one(LSD, "playground-distribution")
    assert config_map.parent == component.urn == lsd.parent
    assert config_map.inputs["metadata"]["name"] == "llama-stack-config"
    run_yaml = yaml.safe_load(config_map.inputs["data"]["run.yaml"])
    assert [m["model_id"] for m in run_yaml["models"] if m["model_type"] == "llm"] == ["vllm-a/a", "vllm-b/b"]
    assert lsd.inputs["metadata"]["name"] == "lsd-genai-playground"
    assert lsd.inputs["spec"]["server"]["userConfig"]["configMapName"] == "llama-stack-config"
    assert component.inputs["providerIds"] == ["vllm-a", "vllm-b"]
    assert component.inputs["serviceUrl"] == "http://lsd-genai-playground-service.private-ai.svc.cluster.local:8321"


def test_distribution_waits_for_config_map_and_every_asset_patch() -> None:
    raw = stack(model("a"), model("b"))
    result = run(playground_program(raw), raw)
    lsd = result.one(LSD, "playground-distribution")
    expected = {result.one("kubernetes:core/v1:ConfigMap", "playground-run-config").urn} | {
        resource.urn for resource in result.by_type(PATCH)
    }
    assert set(lsd.dependencies) == expected


def test_prerequisite_patches_are_retained_children() -> None:
    raw = stack(prerequisites={"manage": True})
    config = parse_stack_config(raw)
    result = run(
        lambda: PlaygroundPrerequisites(
            "prerequisites", PlaygroundPrerequisitesArgs(config.prerequisites, config.profile)
        ),
        raw,
    )
    dashboard = result.one(
        "kubernetes:opendatahub.io/v1alpha:OdhDashboardConfigPatch", "prerequisites-dashboard-config"
    )
    dsc = result.one(
        "kubernetes:datasciencecluster.opendatahub.io/v1:DataScienceClusterPatch", "prerequisites-datasciencecluster"
    )
    assert dashboard.inputs["spec"] == {"dashboardConfig": {"genAiStudio": True}}
    assert dsc.inputs["spec"]["components"]["llamastackoperator"] == {"managementState": "Managed"}


def test_an_imported_object_is_answered_from_the_snapshots() -> None:
    """Adopting a live object (`import_`) needs its state, like a read: a snapshot gives it, or the error says how."""
    import pulumi
    from pulumi_kubernetes.core.v1 import ConfigMap

    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"}, "data": {"k": "v"}}

    def program() -> None:
        ConfigMap("adopted", metadata={"name": "cm", "namespace": "ns"}, opts=pulumi.ResourceOptions(import_="ns/cm"))

    adopted = run(program, stack(), SnapshotIndex([live])).one("kubernetes:core/v1:ConfigMap", "adopted")
    assert adopted.outputs["data"] == {"k": "v"}
    with pytest.raises(OfflineRunError) as caught:
        run(program, stack())
    assert "oc get configmap cm -n ns -o yaml" in str(caught.value)


def test_the_dashboards_token_reaches_the_server_as_a_secret_reference() -> None:
    raw = stack(model("devstral-2", discover=True))
    objects = [*live_model("devstral-2", [], auth=True), dashboard_token_secret("devstral-2")]
    result = run(playground_program(raw), raw, SnapshotIndex(objects))
    [distribution] = [r for r in result.resources if r.type.endswith(":LlamaStackDistribution")]
    env = {e["name"]: e for e in distribution.inputs["spec"]["server"]["containerSpec"]["env"]}
    assert env["VLLM_API_TOKEN_DEVSTRAL_2"]["valueFrom"] == {
        "secretKeyRef": {"name": "default-name-devstral-2-sa", "key": "token"}
    }
