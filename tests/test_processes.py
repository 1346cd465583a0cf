"""offline_preview.processes.stop: a child that exits on SIGTERM is terminated; one that ignores it is killed."""

from __future__ import annotations

import signal
import subprocess
import sys

from offline_preview import processes

IGNORES_SIGTERM = (
    "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)"
)


def test_terminates_a_cooperative_child() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    processes.stop(child)
    assert child.returncode == -signal.SIGTERM


def test_kills_a_child_that_ignores_sigterm() -> None:
    child = subprocess.Popen([sys.executable, "-c", IGNORES_SIGTERM], stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline()  # the handler is installed
    processes.stop(child, grace_seconds=0.5)
    assert child.returncode == -signal.SIGKILL
    child.stdout.close()


def test_an_exited_child_is_left_alone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    processes.stop(child)
    assert child.returncode == 0
