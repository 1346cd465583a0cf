"""Field diffs, managed-field ownership and the Mermaid graph of the offline preview, on their own."""

from __future__ import annotations

from typing import Any

from offline_preview import managed_fields
from offline_preview.diff import diff, path_text
from offline_preview.effects import Cluster
from offline_preview.mermaid import graph
from offline_preview.plan import preview_plan
from offline_preview.snapshots import SnapshotIndex
from tests.conftest import model, stack
from tests.support.program import run_main


def texts(old: Any, new: Any) -> list[str]:
    return [change.text() for change in diff(old, new)]


def test_list_items_are_named_by_their_identity_and_scalar_lists_change_whole() -> None:
    old = {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], "args": ["--x"]}
    new = {"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "3"}], "args": ["--x", "--y"]}
    # Reordering named items changes nothing; a scalar list is one field.
    assert texts(old, new) == ['~ env[A].value: "1" => "3"', '~ args: ["--x"] => ["--x", "--y"]']


def test_items_without_a_unique_identity_go_by_index() -> None:
    assert texts({"l": [{"a": 1}, {"a": 2}]}, {"l": [{"a": 1}]}) == ['- l[1]: {"a": 2}']


def test_an_embedded_yaml_document_is_compared_inside() -> None:
    old = {"data": {"run.yaml": "apis:\n- inference\nmodels:\n- model_id: a\n  provider_id: p\n"}}
    new = {"data": {"run.yaml": "apis:\n- inference\nmodels:\n- model_id: a\n  provider_id: q\n- model_id: b\n"}}
    assert texts(old, new) == [
        '~ data.run.yaml: models[a].provider_id: "p" => "q"',
        '+ data.run.yaml: models[b]: {"model_id": "b"}',
    ]
    # The change stays a change of the ConfigMap's data field (what decides a replacement).
    assert {change.segments for change in diff(old, new)} == {("data", "run.yaml")}


def test_keys_that_are_not_identifiers_are_quoted() -> None:
    assert path_text(("metadata", "annotations", "openshift.io/display-name")) == (
        'metadata.annotations["openshift.io/display-name"]'
    )
    assert path_text(("data", "run.yaml")) == "data.run.yaml"


def live_object(fields_v1: dict[str, Any], manager: str = "Mozilla") -> dict[str, Any]:
    return {
        "metadata": {
            "name": "m",
            "annotations": {"a/b": "theirs", "c/d": "same"},
            "managedFields": [
                {"manager": manager, "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": fields_v1}
            ],
        },
        "spec": {"router": {"gateway": {"refs": [{"name": "other"}]}}},
    }


def test_fields_v1_ownership_of_fields_and_list_items() -> None:
    live = live_object(
        {
            "f:metadata": {"f:annotations": {".": {}, "f:a/b": {}, "f:c/d": {}}},
            "f:spec": {"f:router": {"f:gateway": {"f:refs": {'k:{"name":"other"}': {".": {}, "f:name": {}}}}}},
        }
    )
    [owner] = managed_fields.owners(live)
    assert owner.owns(("metadata", "annotations", "a/b"))
    assert owner.owns(("spec", "router", "gateway", "refs"))  # owns an item of the list the patch sets whole
    assert not owner.owns(("metadata", "labels"))
    applied = {
        "apiVersion": "v1",
        "kind": "X",
        "metadata": {"name": "m", "annotations": {"a/b": "ours", "c/d": "same", "e/f": "new"}},
        "spec": {"router": {"gateway": {"refs": [{"name": "maas"}]}, "route": {}}},
    }
    taken = {(t.path, t.managers) for t in managed_fields.takeovers(applied, live, {"genai-playground"})}
    assert taken == {
        (("metadata", "annotations", "a/b"), ("Mozilla",)),
        (("spec", "router", "gateway", "refs"), ("Mozilla",)),
    }
    # Our own manager is never a conflict.
    assert (
        managed_fields.takeovers(applied, live_object(live["metadata"]["managedFields"][0]["fieldsV1"], "me"), {"me"})
        == []
    )


def test_a_500_model_graph_folds_into_a_few_nodes() -> None:
    run = run_main(stack(*(model(f"m{index:03d}") for index in range(500))))
    mermaid = graph(preview_plan(run, None, Cluster(SnapshotIndex())))
    assert mermaid.count("-->") < 20
    assert '["500 x VllmModelEndpoint<br/>(with what they hold)<br/><i>create</i>"]:::create' in mermaid


def test_a_small_graph_names_every_resource() -> None:
    run = run_main(stack(model("a"), model("b")))
    mermaid = graph(preview_plan(run, None, Cluster(SnapshotIndex())))
    assert '["InferenceServicePatch<br/>a-asset-patch<br/><i>create</i>"]:::create' in mermaid
    assert mermaid.count("-->") == len(run.resources)
