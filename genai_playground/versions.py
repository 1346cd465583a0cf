"""Release versions as the program compares them: `4.19.9`, `v4.29.0`, `1.2` as tuples of numbers."""

from __future__ import annotations

import re

_LEADING_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")


def parse(text: str) -> tuple[int, ...] | None:
    """The numbers a version text starts with (`4.34.2.dev0` is 4.34.2); None when it starts with none."""
    match = _LEADING_VERSION.match(text.strip())
    return tuple(int(part) for part in match[1].split(".")) if match else None


def dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)
