"""replicas-share-no-state (advisory): more than one server replica while run.yaml keeps its data in local files."""

from __future__ import annotations

from typing import Any

import pytest
from genai_contract.releases import SUPPORTED
from genai_policies import replicas_share_no_state as rule

from tests.policies.fixtures import DISTRIBUTION, Model, playground_stack
from tests.policies.harness import single

NAME = "replicas-share-no-state"


def replicas(count: int, **server: Any) -> Any:
    def change(props: dict[str, Any]) -> None:
        props["spec"]["replicas"] = count
        props["spec"]["server"].update(server)

    return change


def test_one_replica_passes() -> None:
    assert single(rule.POLICY, playground_stack(Model("a"))) == []


def test_two_replicas_each_with_their_own_files() -> None:
    stack = playground_stack(Model("a")).edit(DISTRIBUTION, replicas(2))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "advisory")
    assert violation.urn == stack.urn(DISTRIBUTION)
    assert "runs up to 2 replicas" in violation.message
    assert "vector_io milvus (inline::milvus)" in violation.message and "files" in violation.message
    assert "exist on one pod only" in violation.message


def test_chat_only_still_keeps_milvus_locally() -> None:
    [violation] = single(rule.POLICY, playground_stack(Model("a"), rag=False).edit(DISTRIBUTION, replicas(3)))
    assert "vector_io milvus (inline::milvus)" in violation.message


def test_replicas_on_one_state_volume_never_start() -> None:
    stack = playground_stack(Model("a")).edit(DISTRIBUTION, replicas(2, storage={"size": "5Gi"}))
    [violation] = single(rule.POLICY, stack)
    assert "on one state volume" in violation.message and "Open local milvus failed" in violation.message


def test_an_autoscaler_counts_its_maximum() -> None:
    stack = playground_stack(Model("a")).edit(DISTRIBUTION, replicas(1, autoscaling={"maxReplicas": 4}))
    [violation] = single(rule.POLICY, stack)
    assert "runs up to 4 replicas" in violation.message


def test_replicas_with_shared_stores_pass() -> None:
    stack = playground_stack(Model("a")).edit(DISTRIBUTION, replicas(2))
    stack = stack.edit_run_yaml(
        lambda doc: doc["providers"].update(
            vector_io=[{"provider_id": "milvus", "provider_type": "remote::milvus", "config": {}}],
            files=[{"provider_id": "s3", "provider_type": "remote::s3", "config": {}}],
        )
    )
    assert single(rule.POLICY, stack) == []


@pytest.mark.parametrize("release", SUPPORTED)
def test_every_release_s_server_object_is_read(release: str) -> None:
    stack = playground_stack(Model("a"), release=release)
    assert single(rule.POLICY, stack) == []
    server = next(r for r in stack.resources if r.name == DISTRIBUTION)
    spec = server.properties["spec"]

    # LlamaStackDistribution spec.replicas (3.0-3.4), OGXServer spec.workload.replicas (3.5).
    def two(props: dict[str, Any]) -> None:
        (props["spec"]["workload"] if "workload" in spec else props["spec"]).update(replicas=2)

    [violation] = single(rule.POLICY, stack.edit(DISTRIBUTION, two))
    assert "runs up to 2 replicas" in violation.message, release
