"""The real Llama Stack (Python 3.12 virtualenv made by `make llama-stack-venv`): never skipped when missing."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO


def llama_stack_venv() -> Path:
    venv = Path(os.environ.get("LLAMA_STACK_VENV", REPO / ".venv-llama-stack"))
    venv = venv if venv.is_absolute() else REPO / venv
    if not (venv / "bin" / "llama").is_file():
        pytest.fail(
            f"no Llama Stack virtualenv at {venv}: run `make llama-stack-venv` (or `make test`, which makes it), "
            "or point LLAMA_STACK_VENV at one made as that target makes it"
        )
    return venv


class RunConfigChecker:
    """tests/support/check_run_config.py --stdin in the Llama Stack virtualenv: send a run.yaml path, get its report."""

    def __init__(self, venv: Path) -> None:
        self.process = subprocess.Popen(
            [str(venv / "bin" / "python"), str(REPO / "tests" / "support" / "check_run_config.py"), "--stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def check(self, path: Path) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the run.yaml checker stopped")
        report: dict[str, Any] = json.loads(line)
        return report

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def venv() -> Path:
    return llama_stack_venv()


@pytest.fixture(scope="session")
def run_config_checker(venv: Path) -> Iterator[RunConfigChecker]:
    checker = RunConfigChecker(venv)
    try:
        yield checker
    finally:
        checker.close()
