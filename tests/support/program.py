"""Run the program or one component under Pulumi's mocks from a test."""

from __future__ import annotations

import json
import runpy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genai_contract.releases import PROFILES

from offline_preview.engine import ProgramRun, run_callable
from offline_preview.snapshots import SnapshotIndex
from offline_preview.stack_files import StackFiles
from tests.support.isvc_snapshots import data_science_cluster

PROJECT = "genai-playground"
# Provider config every stack file of the project carries (genai_playground.provider_requirements).
PROVIDER_CONFIG = {"kubernetes:enablePatchForce": "true"}
REPO = Path(__file__).resolve().parents[2]


def engine_files(raw: dict[str, Any], provider: dict[str, str] | None = None) -> StackFiles:
    """Stack config as the engine hands it to the program: `project:key` -> string or JSON text."""
    config = {f"{PROJECT}:{key}": value if isinstance(value, str) else json.dumps(value) for key, value in raw.items()}
    provider = PROVIDER_CONFIG if provider is None else provider
    return StackFiles(project=PROJECT, config={**provider, **config}, secret_keys=[])


def run(
    program: Callable[[], object],
    raw: dict[str, Any],
    snapshots: SnapshotIndex | None = None,
    provider: dict[str, str] | None = None,
) -> ProgramRun:
    """Without snapshots, the cluster is one whose DataScienceCluster reports the stack's release (all it reads)."""
    if snapshots is None:
        release = raw.get("release")
        profile = PROFILES.get(release) if isinstance(release, str) else None
        cluster = [data_science_cluster(f"{release}.0", api_version=profile.dsc_api_version)] if profile else []
        snapshots = SnapshotIndex(cluster)
    return run_callable(program, engine_files(raw, provider), "test", snapshots)


def run_main(
    raw: dict[str, Any], snapshots: SnapshotIndex | None = None, provider: dict[str, str] | None = None
) -> ProgramRun:
    """The real __main__.py with config given as a dict, the way the engine would pass it."""
    sys.path.insert(0, str(REPO))
    try:
        return run(lambda: runpy.run_path(str(REPO / "__main__.py"), run_name="__main__"), raw, snapshots, provider)
    finally:
        sys.path.remove(str(REPO))
