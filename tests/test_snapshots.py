"""offline_preview.snapshots: objects are found by type, namespace and name; only the objects the program reads
are parsed; a broken snapshot is an error naming the file and the place, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from offline_preview import snapshots
from offline_preview.errors import OfflineRunError
from offline_preview.safe_yaml import Limits
from offline_preview.snapshots import SnapshotIndex
from tests.support.isvc_snapshots import live_isvc

ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"


def index_of(tmp_path: Path, text: str | bytes) -> SnapshotIndex:
    path = tmp_path / "snapshot.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return SnapshotIndex.from_files([path])


def error_of(tmp_path: Path, text: str | bytes, read: str = "private-ai/a") -> str:
    with pytest.raises(OfflineRunError) as caught:
        index_of(tmp_path, text).find(ISVC, read)
    message = str(caught.value)
    assert str(tmp_path / "snapshot.yaml") in message
    return message


def as_list(*objects: dict[str, object]) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "items": list(objects), "kind": "List", "metadata": {}})


@pytest.mark.parametrize(
    "text",
    [
        as_list(live_isvc("a", ["--max-model-len=4096"]), live_isvc("b", [])),
        yaml.safe_dump(live_isvc("a", ["--max-model-len=4096"])),
        yaml.safe_dump_all([live_isvc("b", []), live_isvc("a", ["--max-model-len=4096"])]),
        json.dumps({"apiVersion": "v1", "kind": "List", "items": [live_isvc("a", ["--max-model-len=4096"])]}),
        "---\n" + yaml.safe_dump(live_isvc("a", ["--max-model-len=4096"])) + "---\n",
    ],
    ids=["list", "object", "documents", "json", "empty-documents"],
)
def test_objects_are_found_in_every_shape_oc_writes(tmp_path: Path, text: str) -> None:
    index = index_of(tmp_path, text)
    found = index.find(ISVC, "private-ai/a")
    assert found is not None and found["spec"]["predictor"]["model"]["args"] == ["--max-model-len=4096"]
    assert index.find(ISVC, "private-ai/c") is None
    assert index.find(ISVC, "other/a") is None


def test_only_the_objects_the_program_reads_are_parsed(tmp_path: Path) -> None:
    unread = live_isvc("b", [])
    text = as_list(live_isvc("a", []), unread).replace("name: b\n", "name: b\n    created: 2024-01-01\n")
    index = index_of(tmp_path, text)
    assert index.find(ISVC, "private-ai/a") is not None  # b's unquoted date does not matter
    with pytest.raises(OfflineRunError, match=r"items\[1\]\.metadata\.created \(line \d+\): 2024-01-01 is an unquoted"):
        index.find(ISVC, "private-ai/b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No resources found\n", 'document (line 1): "No resources found" is not a Kubernetes object'),
        ("- a\n- b\n", "document (line 1): a list is not a Kubernetes object"),
        ("apiVersion: v1\nkind: List\nitems: [1]\n", 'items[0] (line 3): "1" is not a Kubernetes object'),
        (
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: [1]}\n",
            "metadata.name: [1] is not allowed: a Kubernetes object has text apiVersion, kind and metadata.name",
        ),
        ("apiVersion: v1\nkind: x\nmetadata: 7\n", "metadata.name: null is not allowed"),
        ("kind: [List]\n", "apiVersion: null is not allowed"),
        (
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: a, namespace: private-ai,"
            " name: b}\n",
            "metadata.name (line 3): this key appears twice",
        ),
        ("a: " + "[" * 150 + "]" * 150, "line 1: nested more than 100 levels deep"),
        ("a: [1, 2\n", "not valid YAML"),
        (b"kind: x\nname: \xff\n", "line 2: not UTF-8 text"),
    ],
)
def test_a_broken_snapshot_names_the_file_and_the_place(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_a_snapshot_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "SNAPSHOT_LIMITS", Limits(max_bytes=1000, max_depth=100, max_values=1000))
    message = error_of(tmp_path, as_list(*[live_isvc(f"m{index}", []) for index in range(20)]))
    assert "larger than 1000 bytes, the most a snapshot may hold" in message


def test_an_alias_bomb_in_a_read_object_stops_at_the_value_limit(tmp_path: Path) -> None:
    levels = "".join(
        f"    {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    text = (
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: a, namespace: private-ai}\n"
        'spec:\n    a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + levels
    )
    assert "holds more than 1,000,000 values once its aliases" in error_of(tmp_path, text)


def test_objects_given_in_code_are_checked_too() -> None:
    with pytest.raises(OfflineRunError, match=r"metadata.name: null is not allowed"):
        SnapshotIndex([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}])
