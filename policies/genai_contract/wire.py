"""Reading objects as they reach the program (live reads) and the pack (wire props): any shape, never a crash.

Numbers arrive as floats (4096 as 4096.0) or as numeric strings; props may be the policy SDK's read-only
Mapping / Sequence proxies rather than dicts and lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def get(node: Any, *path: str | int) -> Any:
    """The value at `path`, or None when any step is missing or of the wrong shape."""
    for key in path:
        if isinstance(key, int):
            if not is_list(node) or not -len(node) <= key < len(node):
                return None
        elif not isinstance(node, Mapping):
            return None
        node = node[key] if isinstance(key, int) else node.get(key)
    return node


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def as_list(value: Any) -> list[Any]:
    return list(value) if is_list(value) else []


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def to_int(value: Any) -> int | None:
    """An integer however the wire spells it; None for anything else (a boolean is not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
