"""Run the real policy pack over a recorded run, the way the engine drives it (gRPC Analyzer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from offline_preview.engine import ProgramRun, RecordedResource
from offline_preview.policy_pack import DEFAULT_CALL_TIMEOUT, AnalyzedResource, PolicyPackProcess, Violation


def check_policies(
    pack_dir: Path, run: ProgramRun, user_config: dict[str, Any], call_timeout: float = DEFAULT_CALL_TIMEOUT
) -> tuple[str, list[Violation]]:
    """Analyze every registered resource (inputs), then the whole stack (outputs, reads included)."""
    with PolicyPackProcess(pack_dir, project=run.project, stack=run.stack, call_timeout=call_timeout) as pack:
        info = pack.info()
        registered = [_analyzed(r, r.inputs) for r in run.resources if not r.read]
        stack = [_analyzed(r, r.outputs) for r in run.resources]
        violations = pack.preview(user_config, registered=registered, stack=stack)
    return f"{info.name}@v{info.version}", violations


def _analyzed(resource: RecordedResource, properties: dict[str, Any]) -> AnalyzedResource:
    return AnalyzedResource(
        type=resource.type,
        urn=resource.urn,
        name=resource.name,
        properties=properties,
        parent=resource.parent,
        dependencies=sorted(resource.dependencies),
    )
