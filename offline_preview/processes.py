"""Child processes and signals: no child outlives the command, whatever signal arrives, and nothing hangs.

- `start` puts a child in its own process group (a terminal's Ctrl-C reaches only us; we stop the child), and on
  Linux asks the kernel to SIGKILL it if we die first (PR_SET_PDEATHSIG, kept across exec), so even SIGKILL of
  the command leaves nothing behind. Its output goes to files, never pipes: nothing waits on a grandchild that
  still holds a pipe open.
- `stop` signals the whole group (grandchildren too), waits `grace_seconds`, then SIGKILLs the group; always reaped.
- `exit_on_signals`: SIGINT, SIGTERM or SIGHUP stops every child still running, runs the registered clean-ups
  (a half-written render is removed), says so on stderr and exits 128 + the signal, from the signal handler
  itself. Nothing is unwound through code we do not own: the Pulumi SDK catches any exception of the program and
  then waits for its outstanding calls, which an interrupted run never finishes (the hang SIGINT used to cause).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Run by the child's interpreter before it becomes the real command: exec keeps the death signal, and the
# signal mask, which `start` blocked around the fork and the child must not inherit.
_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys; "
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL); "  # 1 = PR_SET_PDEATHSIG
    "os.getppid() == int(sys.argv[1]) or os._exit(1); "  # the parent died before prctl took effect
    "signal.pthread_sigmask(signal.SIG_SETMASK, ()); "
    "os.execvp(sys.argv[2], sys.argv[2:])"
)
_INTERRUPT_GRACE_SECONDS = 2.0

# What a signal must undo: the children started and not yet stopped, and clean-up actions.
_running: dict[int, subprocess.Popen[Any]] = {}
_cleanups: dict[int, Callable[[], None]] = {}


def exit_on_signals() -> None:
    """On SIGINT, SIGTERM or SIGHUP: stop the children, run the clean-ups, exit 128 + the signal."""
    for handled in HANDLED_SIGNALS:
        signal.signal(handled, _exit_now)


def _exit_now(signum: int, frame: FrameType | None) -> None:
    for handled in HANDLED_SIGNALS:
        signal.signal(handled, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean-up short
    for process in list(_running.values()):
        _stop_from_handler(process)
    for cleanup in list(_cleanups.values()):
        with contextlib.suppress(Exception):
            cleanup()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"error: interrupted by {signal.Signals(signum).name}: stopped\n")
        sys.stderr.flush()
    os._exit(128 + signum)


@contextlib.contextmanager
def cleanup_on_signal(action: Callable[[], None]) -> Iterator[None]:
    """Run `action` if a signal ends the command while the block runs."""
    key = id(action)
    _cleanups[key] = action
    try:
        yield
    finally:
        _cleanups.pop(key, None)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT / SIGTERM / SIGHUP until the block is done: a child is never started or stopped halfway, a
    folder never swapped halfway."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def start(
    command: Sequence[str], *, cwd: Path, env: dict[str, str], stdout: IO[bytes], stderr: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Start `command` in its own process group, output to the given files; on Linux it dies with us."""
    linux = sys.platform == "linux"
    if linux:
        command = [sys.executable, "-I", "-S", "-c", _DIE_WITH_PARENT, str(os.getpid()), *command]
    with signals_deferred() if linux else contextlib.nullcontext():
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        _running[process.pid] = process
    return process


def stop(process: subprocess.Popen[Any], grace_seconds: float = 10) -> None:
    """SIGTERM the child's process group (just the child if it shares ours), SIGKILL whatever is left after
    `grace_seconds`; the child is always reaped."""
    with signals_deferred():
        # Only while the child is unreaped is its pid (and so its group id) surely still its own.
        group = _own_group(process) if process.poll() is None else None
        if process.returncode is None:
            _signal(process, group, signal.SIGTERM)
            try:
                process.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                _signal(process, group, signal.SIGKILL)
                process.wait()
        if group is not None:
            # Grandchildren that outlived the child (it exited, they stayed in its group).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        _running.pop(process.pid, None)


def _stop_from_handler(process: subprocess.Popen[Any]) -> None:
    """`stop` without Popen's own lock, which the interrupted code may hold: plain kill and waitpid."""
    group = process.pid  # started by `start`: the leader of its own group
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + _INTERRUPT_GRACE_SECONDS
    while time.monotonic() < deadline and _alive(process.pid):
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(process.pid, 0)


def _alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return reaped == 0


def _own_group(process: subprocess.Popen[Any]) -> int | None:
    """The child's process group when it leads one of its own; never ours."""
    try:
        group = os.getpgid(process.pid)
    except ProcessLookupError:
        return None
    return group if group == process.pid and group != os.getpgrp() else None


def _signal(process: subprocess.Popen[Any], group: int | None, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        if group is not None:
            os.killpg(group, signum)
        else:
            process.send_signal(signum)
