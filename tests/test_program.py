"""The whole program, as `pulumi up` runs it, for every stack file in the repo (under Pulumi's mocks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from offline_preview.engine import ProgramRun, run_program
from offline_preview.errors import OfflineRunError
from tests.conftest import REPO, model, stack
from tests.support.program import run_main
from tests.support.stack_files import load_stack_file, run_stack

STACK_FILES = sorted(REPO.glob("Pulumi.*.yaml"))
# A stack name may hold dots (rhoai-3.4): what lies between "Pulumi." and ".yaml".
STACKS = [path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in STACK_FILES]


def snapshot(result: ProgramRun) -> str:
    """Everything the engine would see, in a stable order."""
    return json.dumps(
        {
            "resources": sorted(
                [r.urn, r.parent, r.custom, r.inputs, sorted(r.dependencies)] for r in result.resources
            ),
            "outputs": result.outputs,
        },
        sort_keys=True,
    )


@pytest.mark.parametrize("stack_name", STACKS)
def test_every_stack_file_runs(stack_name: str) -> None:
    config = load_stack_file(REPO / f"Pulumi.{stack_name}.yaml")
    result = run_stack(stack_name)
    endpoints = result.by_type("genai-playground:index:VllmModelEndpoint")
    assert sorted(e.name for e in endpoints) == sorted(m.name for m in config.models)
    assert len(result.by_type("kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch")) == len(config.models)
    server = config.profile.server_kind  # a LlamaStackDistribution, on 3.5 an OGXServer
    assert len(result.by_type(f"kubernetes:{server.api_version}:{server.kind}")) == 1
    assert set(result.outputs["models"]) == {m.name for m in config.models}


def test_dev_stack_objects() -> None:
    result = run_program(REPO, "dev")
    types = sorted(r.type for r in result.resources)
    assert types == sorted(
        ["genai-playground:index:VllmModelEndpoint"] * 5
        + ["kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"] * 5
        + [
            "genai-playground:index:LlamaStackPlayground",
            "genai-playground:index:MaasGatewayPlaceholder",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:llamastack.io/v1alpha1:LlamaStackDistribution",
        ]
    )
    run_yaml = yaml.safe_load(
        result.one("kubernetes:core/v1:ConfigMap", "playground-run-config").inputs["data"]["run.yaml"]
    )
    urls = {
        p["provider_id"]: p["config"]["url"]
        for p in run_yaml["providers"]["inference"]
        if p["provider_type"] == "remote::vllm"
    }
    assert urls == {
        f"vllm-{name}": f"http://{name}-predictor.private-ai.svc.cluster.local:8080/v1"
        for name in ["devstral-2", "gpt-oss-20b", "granite-8b-agent", "mistral-3-bf16", "mistral-3-int4"]
    }
    assert (
        result.outputs["playgroundServiceUrl"]
        == "http://lsd-genai-playground-service.private-ai.svc.cluster.local:8321"
    )
    assert result.outputs["models"]["devstral-2"] == {
        "providerId": "vllm-devstral-2",
        "url": "http://devstral-2-predictor.private-ai.svc.cluster.local:8080/v1",
        "maxTokens": 4096,
        "contextLength": 16384,
    }
    # Every resource is a child of one of our components: nothing hangs loose in the stack.
    components = {r.urn for r in result.resources if not r.custom}
    assert all(r.parent in components for r in result.resources if r.custom)


def test_invalid_config_stops_before_anything_is_registered() -> None:
    with pytest.raises(OfflineRunError) as caught:
        run_main(stack(model("a"), model("b", maxTokens=0)))
    assert "models[1].maxTokens: 0 is not allowed" in str(caught.value)


def test_misspelt_top_level_key_is_an_error() -> None:
    with pytest.raises(OfflineRunError) as caught:
        run_main({**stack(), "playgrund": {}})
    assert "playgrund: unknown key" in str(caught.value)


def test_two_runs_are_identical() -> None:
    assert snapshot(run_program(REPO, "dev")) == snapshot(run_program(REPO, "dev"))


def test_reordering_models_changes_no_object() -> None:
    models = [model("a"), model("b"), model("c")]
    assert snapshot(run_main(stack(*models))) == snapshot(run_main(stack(*reversed(models))))


def test_renaming_a_model_changes_only_that_models_objects() -> None:
    before = run_main(stack(model("a"), model("b"), model("c")))
    after = run_main(stack(model("a"), model("b"), model("d")))
    changed = {r.name for r in before.resources} ^ {r.name for r in after.resources}
    assert changed == {"c", "c-asset-patch", "d", "d-asset-patch"}
    same = {r.name: r.inputs for r in before.resources if r.name.startswith(("a", "b"))}
    assert same == {r.name: r.inputs for r in after.resources if r.name.startswith(("a", "b"))}


def test_prerequisites_only_when_managed() -> None:
    assert not run_main(stack()).by_type("genai-playground:index:PlaygroundPrerequisites")
    managed = run_main(stack(prerequisites={"manage": True}))
    [component] = managed.by_type("genai-playground:index:PlaygroundPrerequisites")
    lsd = managed.one("kubernetes:llamastack.io/v1alpha1:LlamaStackDistribution", "playground-distribution")
    patches = {r.urn for r in managed.resources if r.parent == component.urn}
    assert len(patches) == 2 and patches <= set(lsd.dependencies)


def test_stack_files_are_found() -> None:
    assert "dev" in STACKS and all(isinstance(p, Path) for p in STACK_FILES)
