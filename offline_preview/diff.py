"""Field-level differences between what is deployed and what the run asks for, as `pulumi preview --diff` lists them.

Paths use Pulumi's property-path style (`metadata.annotations["openshift.io/display-name"]`); list items that carry
an identity (`name`, `provider_id`, `model_id`, ...) are named by it (`env[VLLM_MAX_TOKENS_A]`), others by index.
A YAML document held in a string (a ConfigMap's `run.yaml`) is compared as YAML and its changes are shown inside
it: `data.run.yaml: providers.inference[vllm-x].config.max_tokens`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

Segment = str | int
# First key found in every item of both lists (and unique within each) names the items.
IDENTITY_KEYS = ("name", "provider_id", "model_id", "toolgroup_id", "type")
_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_MAX_VALUE = 72


@dataclass(frozen=True)
class FieldChange:
    """One changed field: `kind` is add, delete or update (Pulumi's +, -, ~)."""

    segments: tuple[Segment, ...]  # the path in the resource's inputs (an embedded document counts as one leaf)
    path: str
    kind: str
    old: Any = None
    new: Any = None

    @property
    def symbol(self) -> str:
        return {"add": "+", "delete": "-", "update": "~"}[self.kind]

    def text(self) -> str:
        if self.kind == "add":
            return f"{self.symbol} {self.path}: {show(self.new)}"
        if self.kind == "delete":
            return f"{self.symbol} {self.path}: {show(self.old)}"
        return f"{self.symbol} {self.path}: {show(self.old)} => {show(self.new)}"

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


def diff(old: Any, new: Any) -> list[FieldChange]:
    """Every changed leaf between two input documents, in a stable order."""
    changes: list[FieldChange] = []
    _walk(old, new, (), "", changes)
    return changes


def _walk(old: Any, new: Any, segments: tuple[Segment, ...], path: str, out: list[FieldChange]) -> None:
    if old == new:
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        _walk_members(old, new, segments, out, lambda key: _join(path, str(key)))
        return
    if isinstance(old, list) and isinstance(new, list) and _all_containers(old, new):
        identity = _identity_key(old, new)
        if identity is None:  # by position
            _walk_members(dict(enumerate(old)), dict(enumerate(new)), segments, out, lambda i: f"{path}[{i}]")
        else:
            named_old = {str(item[identity]): item for item in old}
            named_new = {str(item[identity]): item for item in new}
            _walk_members(named_old, named_new, segments, out, lambda name: f"{path}[{name}]")
        return
    embedded = _embedded_documents(old, new)
    if embedded is not None:
        start = len(out)
        _walk(embedded[0], embedded[1], (), "", out)
        inner = out[start:]
        del out[start:]
        out.extend(FieldChange(segments, f"{path}: {c.path}", c.kind, c.old, c.new) for c in inner)
        return
    out.append(FieldChange(segments, path, "update", old=old, new=new))


def _walk_members(
    old: Mapping[Any, Any],
    new: Mapping[Any, Any],
    segments: tuple[Segment, ...],
    out: list[FieldChange],
    child_path: Callable[[Any], str],
) -> None:
    """Members of two objects (or of two lists, keyed by identity or position): added, deleted or walked."""
    for key in [*old, *(key for key in new if key not in old)]:
        child, text = (*segments, key), child_path(key)
        if key not in new:
            out.append(FieldChange(child, text, "delete", old=old[key]))
        elif key not in old:
            out.append(FieldChange(child, text, "add", new=new[key]))
        else:
            _walk(old[key], new[key], child, text, out)


def _identity_key(old: list[Any], new: list[Any]) -> str | None:
    items = [*old, *new]
    if not items or not all(isinstance(item, Mapping) for item in items):
        return None
    for key in IDENTITY_KEYS:
        if all(key in item and isinstance(item[key], str) for item in items) and all(
            len({item[key] for item in side}) == len(side) for side in (old, new)
        ):
            return key
    return None


def _all_containers(old: list[Any], new: list[Any]) -> bool:
    """Lists of objects are walked item by item; lists of scalars (args, apis) change as a whole."""
    return all(isinstance(item, Mapping | list) for item in [*old, *new])


def _embedded_documents(old: Any, new: Any) -> tuple[Any, Any] | None:
    """Two strings that are both multi-line YAML mappings (a ConfigMap's run.yaml) are compared as YAML."""
    if not (isinstance(old, str) and isinstance(new, str) and "\n" in old and "\n" in new):
        return None
    try:
        before, after = _load(old), _load(new)
    except yaml.YAMLError:
        return None
    return (before, after) if isinstance(before, Mapping) and isinstance(after, Mapping) else None


def _load(text: str) -> Any:
    """Safe YAML with libyaml when PyYAML has it: a 500-model run.yaml takes seconds in pure Python."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _join(path: str, key: str) -> str:
    if _BARE_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def path_text(segments: Sequence[Segment]) -> str:
    path = ""
    for part in segments:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, part)
    return path


def show(value: Any) -> str:
    """A value as the diff prints it: JSON, shortened."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def starts_with(segments: Sequence[Segment], prefix: Sequence[Segment]) -> bool:
    return tuple(segments[: len(prefix)]) == tuple(prefix)
