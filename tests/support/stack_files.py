"""A stack file's project config as a test reads it (the engine's own hand-over is offline_preview.stack_files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from genai_playground.config import PROJECT, StackConfig, parse_stack_config


def stack_file_config(path: Path) -> dict[str, Any]:
    """The project's keys of a `Pulumi.<stack>.yaml`, structured as in the file."""
    document = yaml.safe_load(path.read_text()) or {}
    prefix = f"{PROJECT}:"
    entries = document.get("config") or {}
    return {key[len(prefix) :]: value for key, value in entries.items() if key.startswith(prefix)}


def load_stack_file(path: Path) -> StackConfig:
    return parse_stack_config(stack_file_config(path))
