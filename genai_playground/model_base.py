"""The base every config and render model shares: camelCase keys, unknown keys rejected, strict types.

Strict: pydantic's default would read `maxTokens: true` as 1 and `gpus: 1.0` as 1. Only what the Pulumi CLI
itself writes is converted (`pulumi config set --path` stores `8192` as a number and `true` as a boolean, but
`0123` as text; sdk/go/common/resource/config/map.go, adjustObjectValue, in pulumi/pulumi v3), plus a number
quoted by hand.
"""

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from genai_contract.releases import PROFILES
from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

# Kubernetes object names: a DNS-1123 label (namespaces, InferenceServices) or subdomain (Secrets).
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# Kubernetes int32 fields (replicas, minReplicas): larger values are rejected by the API server.
INT32_MAX = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,18}")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:/-]+")


def shown(value: Any, limit: int = 80) -> str:
    """A value as a message shows it: JSON (control characters escaped), cut at `limit` characters."""
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def key_path(parts: Sequence[str | int]) -> str:
    """('models', 2, 'maxTokens') -> 'models[2].maxTokens', as every message names a key. Any other key is shown
    escaped (it may hold characters that reorder or hide text); a path 64 levels deep keeps its start and end."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part)[:60]}]"
    return path if len(path) <= 160 else f"{path[:60]}...{path[-97:]}"


def repeated(names: Iterable[str]) -> list[str]:
    """The names that stand more than once, sorted: what a "listed once" rule reports."""
    return sorted(name for name, count in Counter(names).items() if count > 1)


def _number_from_text(value: Any) -> Any:
    # "8192" (quoted by hand) is the number 8192; true, 1.5 and "1e3" stay what they are and fail as integers.
    return int(value) if isinstance(value, str) and _DIGITS.fullmatch(value) else value


def _flag_from_text(value: Any) -> Any:
    # What Pulumi's own Config.get_bool accepts as text; 1, "yes" and "on" are not booleans here.
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


def _text_from_number(value: Any) -> Any:
    # `pulumi config set --path ...servedModelName 123` writes the number 123: read back as the text "123".
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# Put after a field's constraints (`Annotated[int, Field(gt=0), NUMBER_INPUT]`): pydantic then reports the
# constraint itself ("at most 256 characters") rather than a generic one.
NUMBER_INPUT = BeforeValidator(_number_from_text)
TEXT_INPUT = BeforeValidator(_text_from_number)
FLAG_INPUT = BeforeValidator(_flag_from_text)
Flag = Annotated[bool, FLAG_INPUT]


@dataclass(frozen=True)
class Shape:
    """What a text field accepts, in words, beside the pattern or check that enforces it: the config reference
    (README) shows these words, not the regex. `max_length`: a limit a validator enforces, not a Field."""

    words: str
    max_length: int | None = None


class CamelModel(BaseModel):
    """Stack-file config model: camelCase keys in YAML, snake_case in Python, immutable, strict types."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        strict=True,
    )


@dataclass(frozen=True)
class Requires:
    """A key only some releases have: it names the feature a release profile must list (`features`)."""

    feature: str

    def releases(self) -> list[str]:
        return [release for release, profile in PROFILES.items() if self.feature in profile.features]
