"""Run the real policy pack over a recorded run, the way the engine drives it (gRPC Analyzer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools.mock_engine import ProgramRun
from tools.offline_preview.report import Violation


class PolicyCheckError(Exception):
    """The pack could not be started or configured. Message only."""


def check_policies(pack_dir: Path, run: ProgramRun, user_config: dict[str, Any]) -> tuple[str, list[Violation]]:
    raise PolicyCheckError("not wired yet")
