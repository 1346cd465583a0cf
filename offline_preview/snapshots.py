"""Live objects exported with `oc get <kind> -n <ns> -o yaml`: what answers the program's reads offline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from offline_preview.errors import OfflineRunError


class SnapshotIndex:
    """Objects by (type token, namespace, name), from files holding a List or single objects."""

    def __init__(self, objects: Iterable[Mapping[str, Any]] = ()) -> None:
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        for obj in objects:
            self.add(obj)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> SnapshotIndex:
        index = cls()
        for path in paths:
            try:
                documents = list(yaml.safe_load_all(path.read_text()))
            except (OSError, yaml.YAMLError) as error:
                raise OfflineRunError(f"snapshot {path}: cannot be read as YAML: {error}") from None
            for document in documents:
                for obj in _objects_in(document):
                    index.add(obj)
        return index

    def add(self, obj: Mapping[str, Any]) -> None:
        metadata = obj.get("metadata") or {}
        key = (
            type_token(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))),
            metadata.get("namespace", ""),
            metadata.get("name", ""),
        )
        self._objects[(key[0], str(key[1]), str(key[2]))] = dict(obj)

    def find(self, type_token: str, object_id: str) -> dict[str, Any] | None:
        namespace, _, name = object_id.rpartition("/")
        return self._objects.get((type_token, namespace, name))


def missing_read_message(type_token: str, object_id: str) -> str:
    api_version, kind = api_version_and_kind(type_token)
    namespace, _, name = object_id.rpartition("/")
    ns_flag = f" -n {namespace}" if namespace else ""
    hint = " Deploy the models first (the seed's step 05)," if kind == "InferenceService" else ""
    return (
        f"{kind} {object_id} ({api_version}) is read (or imported) by the program but no snapshot has it.{hint}"
        f" or export it: oc get {kind.lower()} {name}{ns_flag} -o yaml > {name}.yaml"
        f" and pass --snapshot {name}.yaml"
    )


def _objects_in(document: Any) -> Iterable[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    if str(document.get("kind", "")).endswith("List"):
        return [item for item in document.get("items") or [] if isinstance(item, Mapping)]
    return [document]


def type_token(api_version: str, kind: str) -> str:
    """The type token pulumi-kubernetes registers for an object: core/v1 for the core group."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"


def api_version_and_kind(type_token: str) -> tuple[str, str]:
    _, group_version, kind = type_token.split(":", 2)
    return group_version.removeprefix("core/"), kind
