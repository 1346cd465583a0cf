"""Live objects exported with `oc get <kind> -n <ns> -o yaml`: what answers the program's reads offline.

A snapshot can be a whole cluster's export (`oc get all -A -o yaml` is easily 75 MB), yet the program reads a
handful of objects. So a file is read once with libyaml's event parser, keeping only each object's place in the
text and its apiVersion, kind, namespace and name; an object is parsed only when the program reads it, with the
limits of safe_yaml. (Building every object, as before, took 120 s and 1.45 GB for 75 MB.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from genai_playground.model_base import key_path, shown
from offline_preview.errors import OfflineRunError
from offline_preview.safe_yaml import Limits, YamlInputError, describe_yaml_error, load_documents, read_text

SNAPSHOT_LIMITS = Limits(max_bytes=256 << 20, max_depth=100, max_values=1_000_000)
_HEADER = ("apiVersion", "kind", "name", "namespace")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Key = tuple[str, str, str]  # (type token, namespace, name)


class SnapshotIndex:
    """Objects by (type token, namespace, name), from files holding Lists or single objects."""

    def __init__(self, objects: Iterable[Mapping[str, Any]] = ()) -> None:
        self._objects: dict[Key, dict[str, Any] | _Unparsed] = {}
        for obj in objects:
            self.add(obj)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> SnapshotIndex:
        index = cls()
        for path in paths:
            text = read_text(path, "snapshot", SNAPSHOT_LIMITS.max_bytes)
            for unparsed in _scan(text, f"snapshot {path}"):
                index._objects[unparsed.key] = unparsed
        return index

    def add(self, obj: Mapping[str, Any]) -> None:
        self._objects[_key_of(dict(obj), "object")] = dict(obj)

    def find(self, type_token: str, object_id: str) -> dict[str, Any] | None:
        namespace, _, name = object_id.rpartition("/")
        key = (type_token, namespace, name)
        found = self._objects.get(key)
        if isinstance(found, _Unparsed):
            found = self._objects[key] = found.parse()
        return found


@dataclass
class _Unparsed:
    """Where one object sits in a snapshot's text; parsed when the program reads it."""

    source: str
    place: tuple[str | int, ...]  # () for a document's root, ("items", 3) for a List's fourth object
    text: str
    start: Any  # yaml marks: index, line and column in the text
    end: Any
    header: dict[str, str] = field(default_factory=dict)
    ambiguous: bool = False

    @property
    def key(self) -> Key:
        return (
            type_token(self.header["apiVersion"], self.header["kind"]),
            self.header["namespace"],
            self.header["name"],
        )

    def parse(self) -> dict[str, Any]:
        # Indented as in the file, so a block mapping's later lines line up with its first.
        piece = " " * self.start.column + self.text[self.start.index : self.end.index]
        documents = load_documents(piece, self.source, SNAPSHOT_LIMITS, self.start.line, self.place)
        obj = documents[0] if len(documents) == 1 else None
        if not isinstance(obj, dict):
            raise YamlInputError(f"{self.source}: line {self.start.line + 1}: not one mapping")
        return obj


@dataclass
class _Frame:
    path: tuple[str | int, ...] | None  # None inside a mapping's key (`? {...}`): no object lives there
    mapping: bool
    key: str | None = None
    expecting_key: bool = True
    index: int = 0

    def child(self) -> tuple[str | int, ...] | None:
        """The path of the node that starts next; None for a mapping's key."""
        if self.path is None:
            return None
        if not self.mapping:
            return (*self.path, self.index)
        if self.expecting_key or self.key is None:
            return None
        return (*self.path, self.key)

    def done(self, node: yaml.Event) -> None:
        if not self.mapping:
            self.index += 1
        elif self.expecting_key:
            self.key = node.value if isinstance(node, yaml.ScalarEvent) else None
            self.expecting_key = False
        else:
            self.expecting_key = True


# Objects and their header fields sit in the first levels: root, items, item, metadata. Deeper events (nearly
# all of a large export) only move the depth.
_SHALLOW = 4
_COLLECTION_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_COLLECTION_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _scan(text: str, source: str) -> list[_Unparsed]:
    """Every object of every document, from libyaml's events (no node or value is built)."""
    found: list[_Unparsed] = []
    loader = _LOADER(text)
    next_event = loader.get_event
    try:
        document = _Document(text, source)
        frames: list[_Frame] = []  # the open collections of the first _SHALLOW levels
        depth = 0
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                if depth <= _SHALLOW:
                    document.scalar(frames[-1].child() if frames else (), event)
                    if frames:
                        frames[-1].done(event)
            elif kind in _COLLECTION_STARTS:
                depth += 1
                if depth > SNAPSHOT_LIMITS.max_depth:
                    raise YamlInputError(
                        f"{source}: line {event.start_mark.line + 1}: nested more than"
                        f" {SNAPSHOT_LIMITS.max_depth} levels deep"
                    )
                if depth <= _SHALLOW:
                    position = frames[-1].child() if frames else ()
                    document.starts(position, event)
                    frames.append(_Frame(position, kind is yaml.MappingStartEvent))
            elif kind in _COLLECTION_ENDS:
                depth -= 1
                if depth < _SHALLOW:
                    document.ends(frames.pop().path, event)
                if frames and depth <= _SHALLOW:
                    frames[-1].done(event)
            elif kind is yaml.DocumentStartEvent:
                document = _Document(text, source)
            elif kind is yaml.DocumentEndEvent:
                found.extend(document.objects())
    except yaml.MarkedYAMLError as error:
        raise YamlInputError(f"{source}: {describe_yaml_error(error)}") from None
    except yaml.YAMLError as error:
        raise YamlInputError(f"{source}: not valid YAML: {error}") from None
    finally:
        loader.dispose()
    return found


class _Document:
    """One document's objects: its root, or the entries of its `items` when the root is a List."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.found: dict[tuple[str | int, ...], _Unparsed] = {}
        self.not_objects: dict[tuple[str | int, ...], str] = {}

    def starts(self, position: tuple[str | int, ...] | None, event: yaml.Event) -> None:
        if position is None or not _is_object_place(position):
            return
        if isinstance(event, yaml.MappingStartEvent):
            self.found[position] = _Unparsed(self.source, position, self.text, event.start_mark, event.end_mark)
        else:
            self._not_an_object(position, event, "a list")

    def ends(self, path: tuple[str | int, ...] | None, event: yaml.Event) -> None:
        if path is not None and path in self.found:
            self.found[path].end = event.end_mark

    def scalar(self, position: tuple[str | int, ...] | None, event: yaml.Event) -> None:
        if position is None:
            return
        if _is_object_place(position):
            empty = isinstance(event, yaml.ScalarEvent) and event.value in ("", "~", "null") and not event.style
            if not empty:
                self._not_an_object(position, event, shown(getattr(event, "value", "*alias")))
            return
        field = _header_field(position)
        if field is not None and field[0] in self.found:
            unparsed = self.found[field[0]]
            # A field written twice (or not as text) is left to the full parse, which names the problem.
            if field[1] in unparsed.header or not isinstance(event, yaml.ScalarEvent):
                unparsed.ambiguous = True
            unparsed.header[field[1]] = getattr(event, "value", "")

    def objects(self) -> list[_Unparsed]:
        root = self.found.pop((), None)
        if () in self.not_objects:
            raise YamlInputError(self.not_objects[()])
        if root is None:
            return []
        if not root.header.get("kind", "").endswith("List"):
            return [self._complete(root)]
        if self.not_objects:
            raise YamlInputError(next(iter(self.not_objects.values())))
        return [self._complete(item) for item in self.found.values()]

    def _not_an_object(self, position: tuple[str | int, ...], event: Any, what: str) -> None:
        where = key_path(list(position)) or "document"
        self.not_objects.setdefault(
            position,
            f"{self.source}: {where} (line {event.start_mark.line + 1}): {what} is not a Kubernetes object:"
            " a snapshot holds `oc get <kind> -o yaml` output (a List, or objects)",
        )

    def _complete(self, unparsed: _Unparsed) -> _Unparsed:
        if unparsed.ambiguous or not all(name in unparsed.header for name in ("apiVersion", "kind", "name")):
            # Written some other way (a merge key, an alias, a value that is no text): the object itself says.
            unparsed.header = _header_of(unparsed.parse(), unparsed.source, unparsed.place)
        unparsed.header.setdefault("namespace", "")
        return unparsed


def _is_object_place(path: tuple[str | int, ...]) -> bool:
    # A document's root, or an entry of its `items` (a List).
    return path == () or (len(path) == 2 and path[0] == "items" and isinstance(path[1], int))


def _header_field(path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str] | None:
    """(the object's place, the header field) when `path` is an object's apiVersion, kind or metadata name."""
    if path[-1:] in (("apiVersion",), ("kind",)) and _is_object_place(path[:-1]):
        return path[:-1], str(path[-1])
    if path[-2:] in (("metadata", "name"), ("metadata", "namespace")) and _is_object_place(path[:-2]):
        return path[:-2], str(path[-1])
    return None


def _header_of(obj: dict[str, Any], source: str, place: tuple[str | int, ...] = ()) -> dict[str, str]:
    metadata = obj.get("metadata")
    values = {
        "apiVersion": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        **(
            {"name": metadata.get("name"), "namespace": metadata.get("namespace", "")}
            if isinstance(metadata, dict)
            else {}
        ),
    }
    for name in _HEADER:
        if not isinstance(values.get(name), str) or (name != "namespace" and not values[name]):
            path = key_path([*place, *([] if name in ("apiVersion", "kind") else ["metadata"]), name])
            raise YamlInputError(
                f"{source}: {path}: {shown(values.get(name))} is not allowed: a Kubernetes object has text apiVersion,"
                " kind and metadata.name (and metadata.namespace when namespaced)"
            )
    return {name: str(values[name]) for name in _HEADER}


def _key_of(obj: dict[str, Any], source: str) -> Key:
    header = _header_of(obj, source)
    return (type_token(header["apiVersion"], header["kind"]), header["namespace"], header["name"])


def missing_read_message(type_token: str, object_id: str) -> str:
    api_version, kind = api_version_and_kind(type_token)
    namespace, _, name = object_id.rpartition("/")
    ns_flag = f" -n {namespace}" if namespace else ""
    hint = " Deploy the models first (the seed's step 05)," if kind == "InferenceService" else ""
    if kind == "Secret":  # never export a token: the program reads only the Secret's type and metadata
        return (
            f"Secret {object_id} is read by the program but no snapshot has it. Create it (or set the model's "
            f"apiTokenSecret), or export it without its data: oc get secret {name}{ns_flag} -o yaml | "
            f"grep -v -e '^data:' -e '^  [A-Za-z0-9_.-]*: ' > {name}.yaml and pass --snapshot {name}.yaml"
        )
    return (
        f"{kind} {object_id} ({api_version}) is read (or imported) by the program but no snapshot has it.{hint}"
        f" or export it: oc get {kind.lower()} {name}{ns_flag} -o yaml > {name}.yaml"
        f" and pass --snapshot {name}.yaml"
    )


def type_token(api_version: str, kind: str) -> str:
    """The type token pulumi-kubernetes registers for an object: core/v1 for the core group."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"


def api_version_and_kind(type_token: str) -> tuple[str, str]:
    _, group_version, kind = type_token.split(":", 2)
    return group_version.removeprefix("core/"), kind


__all__ = ["OfflineRunError", "SnapshotIndex", "missing_read_message"]
