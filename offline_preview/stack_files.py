"""`Pulumi.yaml` and `Pulumi.<stack>.yaml`, handed to the program the way the engine hands over config (the
project file's runtime, `main:`, `stackConfigDir` and config defaults: see project_file).

The engine (pulumi/pulumi sdk/go/common/resource/config/value.go) hands a program each key as text: a string as
it is, any other scalar as its text (`123`, `true`, and "" for null), a list or mapping as JSON. A `secure:` value
is decrypted and its key marked secret; nested `secure:` values make the whole key secret. Offline nothing can
be decrypted: the program sees a marked placeholder in their place, and never the ciphertext.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genai_playground.model_base import shown
from offline_preview.errors import OfflineRunError
from offline_preview.project_file import merged_config, read_project
from offline_preview.safe_yaml import Limits, load_documents, read_text

SECRET_PLACEHOLDER = "[secret]"
# Pulumi.yaml and Pulumi.<stack>.yaml hold config, not data: far below these (500 models take 75 KB).
STACK_FILE_LIMITS = Limits(max_bytes=1 << 20, max_depth=32, max_values=200_000)
# What Pulumi allows in a stack name; `org/project/name` reads Pulumi.<name>.yaml, as the CLI does.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
# A config key: `name` (the project's) or `namespace:name`.
CONFIG_KEY = re.compile(r"[^:]+(:[^:]+)?")


@dataclass(frozen=True)
class StackFiles:
    project: str
    config: dict[str, str]
    secret_keys: list[str]
    stack_file: Path | None = None
    program: Path | None = None  # the file `main:` names (None: the project folder's __main__.py)


def load_stack_files(project_dir: Path, stack: str) -> StackFiles:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml the way the engine hands config to a program: the project's
    values and defaults first, the stack file's over them (see project_file)."""
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.exists():
        raise OfflineRunError(f"{project_file}: no such file (is --project-dir the folder with Pulumi.yaml?)")
    project = read_project(project_file, _single_document(project_file, "project file"))
    stack_file = stack_file_path(project.stack_config_dir, stack)
    document = _single_document(stack_file, "stack file")
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise OfflineRunError(f"{stack_file}: must be a mapping with a `config:` mapping, not {_kind(document)}")
    raw_entries = document.get("config")
    if raw_entries is None:
        raw_entries = {}
    if not isinstance(raw_entries, dict):
        raise OfflineRunError(f"{stack_file}: config: must be a mapping of key: value, not {_kind(raw_entries)}")
    entries: dict[str, tuple[str, bool, Any]] = {}
    for key, value in raw_entries.items():
        if not CONFIG_KEY.fullmatch(key):
            raise OfflineRunError(
                f"{stack_file}: config.{shown(key)}: not a config key: write `name` or `namespace:name`"
            )
        full_key = key if ":" in key else f"{project.name}:{key}"
        text, secret = engine_value(value)
        entries[full_key] = (text, secret, value)
    config = merged_config(project, project_file, stack_file, stack, entries)
    return StackFiles(
        project=project.name,
        config=config,
        secret_keys=[key for key, (_, secret, _) in entries.items() if secret],
        stack_file=stack_file,
        program=project.program,
    )


def project_name(project_file: Path) -> str:
    if not project_file.exists():
        raise OfflineRunError(f"{project_file}: no such file (is --project-dir the folder with Pulumi.yaml?)")
    return read_project(project_file, _single_document(project_file, "project file")).name


def stack_file_path(project_dir: Path, stack: str) -> Path:
    """Pulumi.<stack>.yaml, or an error listing the stacks the folder has."""
    parts = stack.split("/")
    name = parts[-1]
    if len(parts) > 3 or not all(STACK_NAME.fullmatch(part) and part not in (".", "..") for part in parts):
        raise OfflineRunError(
            f"--stack {shown(stack)}: not a stack name (letters, digits, '-', '_' and '.'; or org/project/name)"
        )
    path = project_dir / f"Pulumi.{name}.yaml"
    if path.exists():  # anything but a regular file is refused when it is read
        return path
    stacks = stack_names(project_dir)
    here = f"stacks here: {', '.join(stacks)}" if stacks else "no Pulumi.<stack>.yaml here"
    raise OfflineRunError(f"no stack {name!r} in {project_dir}: {path.name} does not exist ({here})")


def stack_names(project_dir: Path) -> list[str]:
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in project_dir.glob("Pulumi.?*.yaml"))


def engine_value(value: Any) -> tuple[str, bool]:
    """(the text the engine hands the program, whether the key is secret)."""
    if _is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, str):
        return value, False
    if isinstance(value, dict | list):
        plain, secret = _without_ciphertext(value)
        return json.dumps(plain), secret
    return ("" if value is None else json.dumps(value)), False


def _without_ciphertext(value: Any) -> tuple[Any, bool]:
    if _is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        pairs = {key: _without_ciphertext(item) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, any(secret for _, secret in pairs.values())
    if isinstance(value, list):
        items = [_without_ciphertext(item) for item in value]
        return [item for item, _ in items], any(secret for _, secret in items)
    return value, False


def _is_secure(value: Any) -> bool:
    # The engine's rule: a mapping of exactly one key `secure` whose value is text.
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _single_document(path: Path, what: str) -> Any:
    documents = load_documents(read_text(path, what, STACK_FILE_LIMITS.max_bytes), str(path), STACK_FILE_LIMITS)
    if len(documents) > 1:
        raise OfflineRunError(f"{path}: holds {len(documents)} YAML documents (---); a {what} holds one")
    return documents[0] if documents else None


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), shown(value)
    )
