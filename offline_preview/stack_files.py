"""`Pulumi.yaml` and `Pulumi.<stack>.yaml`, handed to the program the way the engine hands over config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from offline_preview.errors import OfflineRunError

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class StackFiles:
    project: str
    config: dict[str, str]
    secret_keys: list[str]


def load_stack_files(project_dir: Path, stack: str) -> StackFiles:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml the way the engine hands config to a program."""
    project_file = project_dir / "Pulumi.yaml"
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    for path in (project_file, stack_file):
        if not path.is_file():
            raise OfflineRunError(f"{path}: no such file (is --project-dir the folder with Pulumi.yaml?)")
    project = str((yaml.safe_load(project_file.read_text()) or {}).get("name", ""))
    try:
        entries = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
    except yaml.YAMLError as error:
        raise OfflineRunError(f"{stack_file}: not valid YAML: {error}") from None
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in entries.items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, Mapping) and set(value) == {"secure"}:
            # Ciphertext can't be decrypted here; the program sees a marked placeholder, never a value.
            config[full_key] = SECRET_PLACEHOLDER
            secret_keys.append(full_key)
        else:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return StackFiles(project=project, config=config, secret_keys=secret_keys)
