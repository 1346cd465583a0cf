"""The fixtures: our stacks are the program's own output; the hand-written foreign objects are valid objects."""

from __future__ import annotations

from pathlib import Path

from tests.policies.fixtures import (
    Model,
    distribution,
    foreign_env,
    inference_service,
    llm_inference_service,
    playground_stack,
)
from tests.support import crd_schema
from tests.support.isvc_snapshots import live_isvc


def test_a_playground_stack_is_what_the_program_registers() -> None:
    stack = playground_stack(Model("a", live_args=("--max-model-len=8192",)))
    assert {(r.type.rsplit(":", 1)[-1], r.name) for r in stack.resources} >= {
        ("VllmModelEndpoint", "a"),
        ("InferenceServicePatch", "a-asset-patch"),
        ("ConfigMap", "playground-run-config"),
        ("LlamaStackDistribution", "playground-distribution"),
    }
    # discover: the three reads and the release check's, answered from the snapshots and not analyzed.
    reads = {r.name for r in stack.resources if r.urn in stack.reads}
    assert reads == {"a-live", "a-live-service", "a-live-runtime", "cluster-release"}
    assert stack.get("a").properties["contextLength"] == 8192  # the live --max-model-len, through the program


def test_each_call_gets_its_own_copy() -> None:
    first = playground_stack(Model("a"))
    first.edit("playground-run-config", lambda props: props["data"].clear())
    assert playground_stack(Model("a")).get("playground-run-config").properties["data"]


def test_hand_written_foreign_objects_are_valid_against_the_upstream_crds(crds: Path) -> None:
    objects = [
        inference_service("granite", ["--max-model-len=16384"]).properties,
        live_isvc("granite", ["--max-model-len=16384"], auth=True),
        llm_inference_service(
            "qwen", env=[{"name": "VLLM_ADDITIONAL_ARGS", "value": "--max-model-len 8192"}]
        ).properties,
        distribution(foreign_env()).properties,
    ]
    for obj in objects:
        assert crd_schema.validate(obj, crds) == [], obj["kind"]
