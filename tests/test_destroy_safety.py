"""What `pulumi destroy` and a rename do: nothing a user owns is ever deleted."""

from __future__ import annotations

import pytest

from tests.conftest import model, stack
from tests.support.destroy import USER_OWNED_KINDS, destroy_effect, kind_of
from tests.support.program import run_main
from tests.support.stack_files import run_stack
from tests.test_program import STACKS

KEPT = {"fields given back (object kept)", "nothing (read only)", "kept (retainOnDelete)"}


@pytest.mark.parametrize("stack_name", STACKS)
def test_user_owned_objects_are_only_patched_or_read(stack_name: str) -> None:
    result = run_stack(stack_name)
    for resource in result.resources:
        if kind_of(resource) in USER_OWNED_KINDS:
            assert destroy_effect(resource) in KEPT, resource.urn


def test_destroy_effects_of_a_default_stack() -> None:
    effects = {r.name: destroy_effect(r) for r in run_main(stack(model("a"), prerequisites={"manage": True})).resources}
    assert effects == {
        "cluster-release": "nothing (read only)",  # the DataScienceCluster, read for its release
        "a": "nothing (component)",
        "a-asset-patch": "kept (retainOnDelete)",
        "prerequisites": "nothing (component)",
        "prerequisites-dashboard-config": "kept (retainOnDelete)",
        "prerequisites-datasciencecluster": "kept (retainOnDelete)",
        "playground": "nothing (component)",
        "playground-run-config": "deleted",
        "playground-distribution": "deleted",
        "maas": "nothing (component)",
    }


def test_retain_on_delete_keeps_the_playground_objects() -> None:
    result = run_main(stack(playground={"retainOnDelete": True}))
    assert (
        destroy_effect(result.one("kubernetes:core/v1:ConfigMap", "playground-run-config")) == "kept (retainOnDelete)"
    )
    lsd = result.one("kubernetes:llamastack.io/v1alpha1:LlamaStackDistribution", "playground-distribution")
    assert destroy_effect(lsd) == "kept (retainOnDelete)"


def test_discovered_inference_service_is_read_never_managed() -> None:
    from components.vllm_model_endpoint import VllmModelEndpoint, VllmModelEndpointArgs
    from genai_playground.config import parse_stack_config
    from offline_preview.snapshots import SnapshotIndex
    from tests.support.isvc_snapshots import live_model
    from tests.support.program import run

    raw = stack(model("a", discover=True))
    config = parse_stack_config(raw)
    result = run(
        lambda: VllmModelEndpoint("a", VllmModelEndpointArgs(model=config.models[0], stack=config)),
        raw,
        SnapshotIndex(live_model("a", ["--max-model-len=4096"])),
    )
    live = result.one("kubernetes:serving.kserve.io/v1beta1:InferenceService", "a-live")
    assert destroy_effect(live) == "nothing (read only)"
