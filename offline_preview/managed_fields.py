"""Who owns which field of a live object (`metadata.managedFields`, from `oc get ... -o yaml --show-managed-fields`),
and which fields a server-side-apply patch would take from another field manager.

Server-side apply reports a conflict only when the applied value differs from the live one and another manager
owns the field; an equal value makes the field co-owned (Kubernetes "Server-Side Apply: Conflicts"). The stack
applies with force (kubernetes:enablePatchForce), so each such field is taken over: the other manager loses it.
`fieldsV1` is the structured-merge-diff set format: `f:<name>` for a field, `k:{...}` / `v:...` / `i:<n>` for list
items, `.` for the node itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Path = tuple[str, ...]
# Parts of an applied object that identify it rather than set a field.
IDENTITY = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}


@dataclass(frozen=True)
class Owner:
    manager: str
    operation: str
    fields: frozenset[Path]

    def owns(self, path: Path) -> bool:
        """The field itself, or anything inside it (a list or object the patch sets as a whole)."""
        return any(owned[: len(path)] == path for owned in self.fields)


@dataclass(frozen=True)
class Takeover:
    path: Path
    managers: tuple[str, ...]
    live: Any
    applied: Any


def owners(live: Mapping[str, Any]) -> list[Owner]:
    """The field managers of a live object; empty when the snapshot was taken without managed fields."""
    entries = (live.get("metadata") or {}).get("managedFields") or []
    result = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("fieldsV1"), Mapping):
            continue
        fields = frozenset(_paths(entry["fieldsV1"], ()))
        result.append(Owner(str(entry.get("manager", "")), str(entry.get("operation", "")), fields))
    return result


def _paths(node: Mapping[str, Any], prefix: Path) -> Iterator[Path]:
    for key, child in node.items():
        if key == ".":
            continue
        name = key[2:] if key.startswith("f:") else key
        path = (*prefix, name)
        yield path
        if isinstance(child, Mapping):
            yield from _paths(child, path)


def applied_fields(manifest: Mapping[str, Any]) -> dict[Path, Any]:
    """Each field a patch sets, with its value: object leaves; lists and empty objects count as one field."""
    fields: dict[Path, Any] = {}

    def walk(node: Any, path: Path) -> None:
        if isinstance(node, Mapping) and node:
            for key, child in node.items():
                walk(child, (*path, str(key)))
        elif path not in IDENTITY:
            fields[path] = node

    walk(manifest, ())
    return fields


def value_at(obj: Any, path: Path) -> tuple[bool, Any]:
    for part in path:
        if not isinstance(obj, Mapping) or part not in obj:
            return False, None
        obj = obj[part]
    return True, obj


def takeovers(applied: Mapping[str, Any], live: Mapping[str, Any], ours: set[str]) -> list[Takeover]:
    """Fields the patch sets to a value other than the live one while another manager owns them."""
    others = [owner for owner in owners(live) if owner.manager not in ours]
    result = []
    for path, value in applied_fields(applied).items():
        found, current = value_at(live, path)
        if found and current == value:
            continue  # equal: co-owned, no conflict
        managers = tuple(sorted({owner.manager for owner in others if owner.owns(path)}))
        if managers:
            result.append(Takeover(path, managers, current if found else None, value))
    return result


def co_owned(path: Path, live: Mapping[str, Any], ours: set[str]) -> list[str]:
    """Other managers that also own a field: giving it back leaves it on the object."""
    return sorted({owner.manager for owner in owners(live) if owner.manager not in ours and owner.owns(path)})


def has_managed_fields(live: Mapping[str, Any]) -> bool:
    return bool((live.get("metadata") or {}).get("managedFields"))
