"""Stopping a child process the same way everywhere: ask, wait, then insist."""

from __future__ import annotations

import subprocess
from typing import Any


def stop(process: subprocess.Popen[Any], grace_seconds: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited after `grace_seconds`; always reaped."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
