"""vLLM's command line, read the way the vLLM of RHOAI 3.0 parses it.

RHOAI 3.0 serves models with Red Hat AI Inference Server 3.2 images, vLLM 0.11.0. Everything here follows
vllm-project/vllm tag v0.11.0:
- `vllm/utils/__init__.py` `FlexibleArgumentParser.parse_args`: `_` and `-` are the same in a flag's name
  (`--max_model_len`), `--config FILE` inserts the file's settings before the command line's, so the command
  line wins and anything it lacks may come from the file;
- Python's argparse (allow_abbrev on, the default): `--flag=value` and `--flag value`; a later occurrence wins;
  an unambiguous prefix is the flag (`--max-model` is `--max-model-len`: no other 0.11.0 option starts with
  `--max-m`, none but `--served-model-name` with `--serv`); `--served-model-name` has `nargs="+"` and takes
  every following word that does not look like an option (only one with `=`);
- `vllm/engine/arg_utils.py` `human_readable_int` for `--max-model-len`;
- `vllm/entrypoints/openai/api_server.py` `init_app_state`: the server answers to every `--served-model-name`
  (the first is the name it reports); without the flag, to `--model` (or `vllm serve`'s positional model).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

VLLM_VERSION: Final = "0.11.0"

MAX_MODEL_LEN: Final = "--max-model-len"
SERVED_MODEL_NAME: Final = "--served-model-name"
MODEL: Final = "--model"
PORT: Final = "--port"
CONFIG: Final = "--config"
# The shortest prefix argparse resolves to each flag we read (see the module docstring); None: only exact.
_SHORTEST_PREFIX: Final = {MAX_MODEL_LEN: "--max-m", SERVED_MODEL_NAME: "--serv", MODEL: None, PORT: None, CONFIG: None}
_NEGATIVE_NUMBER: Final = re.compile(r"^-\d+$|^-\d*\.\d+$")  # argparse's _negative_number_matcher
_HUMAN_READABLE: Final = re.compile(r"(\d+(?:\.\d+)?)([kKmMgGtT])")
_DECIMAL: Final = {"k": 10**3, "m": 10**6, "g": 10**9}
_BINARY: Final = {"K": 2**10, "M": 2**20, "G": 2**30}


class FlagError(ValueError):
    """A value vLLM's parser refuses: the server exits at start (argparse error, exit code 2)."""


def human_readable_int(text: str) -> int:
    """vLLM's parser for --max-model-len: 16384, 32k (32,000), 32K (32,768), 25.6k; no decimals with K/M/G.

    The regex admits t/T, but neither table has them, so they fall through to int() and fail, as in vLLM.
    """
    value = text.strip()
    match = _HUMAN_READABLE.fullmatch(value)
    if match:
        number, suffix = match.groups()
        if suffix in _DECIMAL:
            return int(float(number) * _DECIMAL[suffix])
        if suffix in _BINARY:
            try:
                return int(number) * _BINARY[suffix]
            except ValueError:
                raise FlagError(
                    f"Decimals are not allowed with binary suffixes like {suffix}. Did you mean to use "
                    f"{number}{suffix.lower()} instead?"
                ) from None
    try:
        return int(value)  # as Python reads it: "+16384" and "16_384" are numbers too
    except ValueError:
        raise FlagError(f"invalid human_readable_int value: {text!r}") from None


@dataclass(frozen=True)
class ServeArgs:
    """The flags of one vLLM command line that the playground depends on (the last occurrence of each)."""

    max_model_len: str | None = None  # as written, e.g. "32k"
    served_model_names: tuple[str, ...] | None = None
    model: str | None = None  # --model, or the positional model of `vllm serve`
    port: str | None = None
    config_file: str | None = None  # --config: flags missing from the command line may come from this file
    errors: tuple[str, ...] = ()  # what argparse refuses (the server does not start)

    def context_length(self) -> tuple[int | None, str | None]:
        """(--max-model-len as vLLM reads it, or None; the error vLLM exits with, or None)."""
        if self.max_model_len is None:
            return None, None
        try:
            return human_readable_int(self.max_model_len), None
        except FlagError as error:
            return None, f"argument {MAX_MODEL_LEN}: {error}"

    def served_names(self) -> tuple[str, ...] | None:
        """Every name the server answers to, the reported one first; None when the command line does not say."""
        if self.served_model_names:
            return self.served_model_names
        return (self.model,) if self.model else None


def parse_serve_args(argv: Sequence[str]) -> ServeArgs:
    """Read a whole command line (`python -m vllm.entrypoints.openai.api_server ...`, `vllm serve MODEL ...`)."""
    tokens = [str(token) for token in argv]
    found: dict[str, str | tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == "--":
            break  # everything after is positional
        if token == "serve" and MODEL not in found and index < len(tokens) and not _option_like(tokens[index]):
            found[MODEL] = tokens[index]  # `vllm serve MODEL`: model_tag
            index += 1
            continue
        if not token.startswith("--"):
            continue
        name, has_value, explicit = token.partition("=")
        flag = _our_flag(name)
        if flag is None:
            continue
        errors.pop(flag, None)
        if flag == SERVED_MODEL_NAME:
            words = [explicit] if has_value else _following_words(tokens, index)
            index += 0 if has_value else len(words)
            if words:
                found[flag] = tuple(words)
            else:
                errors[flag] = f"argument {flag}: expected at least one argument"
        elif has_value:
            found[flag] = explicit
        elif index < len(tokens) and not _option_like(tokens[index]):
            found[flag] = tokens[index]
            index += 1
        else:
            errors[flag] = f"argument {flag}: expected one argument"
    names = found.get(SERVED_MODEL_NAME)
    return ServeArgs(
        max_model_len=_text(found.get(MAX_MODEL_LEN)),
        served_model_names=names if isinstance(names, tuple) else None,
        model=_text(found.get(MODEL)),
        port=_text(found.get(PORT)),
        config_file=_text(found.get(CONFIG)),
        errors=tuple(errors.values()),
    )


def _our_flag(name: str) -> str | None:
    """The flag a `--name` means, after FlexibleArgumentParser's `_` -> `-` and argparse's prefix matching."""
    normalised = "--" + name[2:].split(".", 1)[0].replace("_", "-")
    if "." in name:
        return None  # --flag.key: vLLM's JSON dict syntax, never one of ours
    for flag, shortest in _SHORTEST_PREFIX.items():
        if normalised == flag or (shortest and flag.startswith(normalised) and normalised.startswith(shortest)):
            return flag
    return None


def _option_like(token: str) -> bool:
    """argparse's test: a word starting with `-` is an option unless it is `-`, a negative number or has a space."""
    return token.startswith("-") and token != "-" and not _NEGATIVE_NUMBER.match(token) and " " not in token


def _following_words(tokens: Sequence[str], start: int) -> list[str]:
    words: list[str] = []
    for token in tokens[start:]:
        if _option_like(token) or token == "--":
            break
        words.append(token)
    return words


def _text(value: str | tuple[str, ...] | None) -> str | None:
    return value if isinstance(value, str) else None
