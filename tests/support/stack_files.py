"""A stack file's project config as a test reads it (the engine's own hand-over is offline_preview.stack_files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from genai_playground.config import PROJECT, StackConfig, parse_stack_config
from offline_preview.engine import ProgramRun, run_program
from offline_preview.snapshots import SnapshotIndex

REPO = Path(__file__).resolve().parents[2]
# Per-stack inputs of the offline preview, by convention (README "Environments"): the snapshots that answer the
# stack's reads and its policy config. The PR workflow uses the same layout.
ENVIRONMENTS = REPO / "environments"


def stack_file_config(path: Path) -> dict[str, Any]:
    """The project's keys of a `Pulumi.<stack>.yaml`, structured as in the file."""
    document = yaml.safe_load(path.read_text()) or {}
    prefix = f"{PROJECT}:"
    entries = document.get("config") or {}
    return {key[len(prefix) :]: value for key, value in entries.items() if key.startswith(prefix)}


def load_stack_file(path: Path) -> StackConfig:
    return parse_stack_config(stack_file_config(path))


def environment_snapshot_files(stack: str) -> list[Path]:
    return sorted((ENVIRONMENTS / stack / "snapshots").glob("*.yaml"))


def environment_policy_config(stack: str) -> Path | None:
    path = ENVIRONMENTS / stack / "policy-config.json"
    return path if path.is_file() else None


def run_stack(stack: str) -> ProgramRun:
    """The repo's `Pulumi.<stack>.yaml` as the offline preview runs it, its environment's snapshots included."""
    return run_program(REPO, stack, SnapshotIndex.from_files(environment_snapshot_files(stack)))
