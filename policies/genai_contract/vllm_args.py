"""vLLM's command-line flags, read from an argv list the way vLLM's argument parser reads them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

_TOKEN_COUNT: Final = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>[kKmMgG]?)")
# vLLM reads 32k as 32,000 and 32K as 32,768 (lower case decimal, upper case binary).
_UNITS: Final = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "K": 2**10, "M": 2**20, "G": 2**30}


def vllm_flags(args: Sequence[Any]) -> dict[str, str]:
    """`--flag=value`, `--flag value` and bare `--flag`; `_` spelt as `-`; a later flag wins, as with argparse."""
    flags: dict[str, str] = {}
    tokens = [str(arg) for arg in args]
    for index, token in enumerate(tokens):
        if not token.startswith("--"):
            continue
        flag, sep, value = token[2:].partition("=")
        if not sep and index + 1 < len(tokens) and not tokens[index + 1].startswith("--"):
            value = tokens[index + 1]
        flags[flag.replace("_", "-")] = value.strip()
    return flags


def token_count(text: str) -> int | None:
    """A --max-model-len value: 16384, 32k, 32K or 1.5k."""
    match = _TOKEN_COUNT.fullmatch(text.strip())
    if match is None:
        return None
    return int(float(match.group("number")) * _UNITS[match.group("unit")])


def served_names(value: str) -> tuple[str, ...]:
    """--served-model-name's names, in order (vLLM reports the first)."""
    return tuple(part for part in re.split(r"[\s,]+", value) if part)
