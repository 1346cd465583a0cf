"""SIGINT, SIGTERM and SIGHUP at several moments of a preview, with real signals: the command exits 128 + the
signal with one line on stderr, never hangs, and leaves no process behind, the policy pack included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_policy_pack_process import HANGING_PACK, pack


def processes_marked(mark: str) -> list[int]:
    """Every process whose environment carries `mark` (the preview, the pack, anything they started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = (entry / "environ").read_bytes()
                state = (entry / "stat").read_text().split(")")[-1].split()[0]
            except OSError:
                continue
            if mark.encode() in environment and state != "Z":
                found.append(int(entry.name))
    return found


def handles_signals(pid: int) -> bool:
    """True once the process has installed its handlers (the SigCgt mask of /proc/<pid>/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(3000):  # a bounded wait: a hang guard, not a timing
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the condition never held")


def start_preview(mark: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "offline_preview", "--stack", "dev", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "GENAI_TEST_MARK": mark},
    )


def assert_stopped_cleanly(preview: subprocess.Popen[str], signum: int, mark: str) -> None:
    stdout, stderr = preview.communicate(timeout=60)  # a hang guard
    assert preview.returncode == 128 + signum, stderr
    assert stderr == f"error: interrupted by {signal.Signals(signum).name}: stopped\n"
    assert stdout == ""
    wait_for(lambda: processes_marked(mark) == [])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("delay", [0.0, 0.4, 0.8])
def test_a_signal_during_the_run_stops_everything(signum: int, delay: float, tmp_path: Path) -> None:
    # From the moment the handlers are in place: reading the stack, running the program, starting the pack.
    # The pack never answers, so the run is still going whatever the machine's speed.
    mark = uuid.uuid4().hex
    out = tmp_path / "manifests"
    hanging = pack(tmp_path / "pack", HANGING_PACK)
    preview = start_preview(mark, "--render-dir", str(out), "--policy-pack", str(hanging))
    wait_for(lambda: handles_signals(preview.pid))
    time.sleep(delay)
    preview.send_signal(signum)
    assert_stopped_cleanly(preview, signum, mark)
    assert not out.exists() and [path.name for path in tmp_path.iterdir()] == ["pack"]  # no render, no staging


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_the_pack_analyzes_stops_the_pack(signum: int, tmp_path: Path) -> None:
    mark = uuid.uuid4().hex
    preview = start_preview(mark, "--policy-pack", str(pack(tmp_path / "pack", HANGING_PACK)))
    wait_for(lambda: len(processes_marked(mark)) == 2)  # the preview and its (hanging) pack
    preview.send_signal(signum)
    assert_stopped_cleanly(preview, signum, mark)


def test_sigkill_of_the_preview_takes_the_pack_with_it(tmp_path: Path) -> None:
    mark = uuid.uuid4().hex
    preview = start_preview(mark, "--policy-pack", str(pack(tmp_path / "pack", HANGING_PACK)))
    wait_for(lambda: len(processes_marked(mark)) == 2)
    os.kill(preview.pid, signal.SIGKILL)
    preview.communicate(timeout=60)
    wait_for(lambda: processes_marked(mark) == [])
