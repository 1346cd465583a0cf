"""The policy pack process: a deadline on every call, and stopping it never waits on what it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from offline_preview import processes
from offline_preview.engine import ProgramRun
from offline_preview.policy_check import PolicyCheck
from offline_preview.policy_pack import AnalyzedResource, PolicyPackError, PolicyPackProcess
from tests.conftest import REPO

RESOURCE = AnalyzedResource(type="kubernetes:core/v1:ConfigMap", urn="urn:pulumi:s::p::cm::x", name="x", properties={})

# A pack with one policy that never returns (a bug, a network call without a timeout).
HANGING_PACK = """
import time
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def never_returns(args, report_violation):
    time.sleep(3600)

PolicyPack(
    name="hangs",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="never-returns", description="never returns", validate=never_returns)],
)
"""

# A pack that first starts a process of its own, which inherits its stdout and stderr and outlives it.
PACK_WITH_A_GRANDCHILD = """
import pathlib, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pathlib.Path("grandchild.pid").write_text(str(child.pid))
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy
PolicyPack(
    name="parent",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[ResourceValidationPolicy(name="passes", description="passes", validate=lambda args, report: None)],
)
"""


def pack(tmp_path: Path, source: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (tmp_path / "__main__.py").write_text(source)
    return tmp_path


def eventually(condition: Callable[[], bool]) -> bool:
    """Poll a condition that another process makes true (a bounded wait: a hang guard, not a timing)."""
    for _ in range(1000):
        if condition():
            return True
        time.sleep(0.01)
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is no running process.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


def test_a_call_that_never_returns_fails_at_its_deadline(tmp_path: Path) -> None:
    with PolicyPackProcess(pack(tmp_path, HANGING_PACK), call_timeout=1) as process:
        process.configure({})
        with pytest.raises(PolicyPackError) as caught:
            process.analyze(RESOURCE)
        pid = process._process.pid if process._process else 0
    assert "did not answer Analyze of urn:pulumi:s::p::cm::x within 1 s (--policy-timeout)" in str(caught.value)
    assert pid and not alive(pid)


def test_the_preview_stops_at_the_deadline_with_exit_2(tmp_path: Path) -> None:
    hanging = pack(tmp_path / "pack", HANGING_PACK)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "offline_preview",
            "--stack",
            "dev",
            "--policy-pack",
            str(hanging),
            "--policy-timeout",
            "1",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a speed test
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "did not answer Analyze of urn:pulumi:dev::genai-playground::" in result.stderr
    assert "Traceback" not in result.stderr


def test_stopping_the_pack_stops_what_it_started_and_never_waits_on_it(tmp_path: Path) -> None:
    directory = pack(tmp_path, PACK_WITH_A_GRANDCHILD)
    with PolicyPackProcess(directory) as process:
        assert process.info().name == "parent"
        grandchild = int((directory / "grandchild.pid").read_text())
        assert alive(grandchild)
    assert eventually(lambda: not alive(grandchild))


def test_a_pack_in_its_own_group_never_gets_our_ctrl_c(tmp_path: Path) -> None:
    with PolicyPackProcess(pack(tmp_path, PACK_WITH_A_GRANDCHILD)) as process:
        assert process._process is not None
        assert os.getpgid(process._process.pid) == process._process.pid != os.getpgrp()


def test_started_children_die_with_their_parent(tmp_path: Path) -> None:
    # SIGKILL runs no clean-up: the kernel kills the child (PR_SET_PDEATHSIG), so nothing is orphaned.
    script = (
        "import sys, time; from pathlib import Path; from offline_preview import processes;"
        "out = open(sys.argv[1] + '/out', 'wb');"
        "child = processes.start(['sleep', '600'], cwd=Path('.'), env={'PATH': '/usr/bin:/bin'},"
        " stdout=out, stderr=out);"
        "Path(sys.argv[1], 'pid').write_text(str(child.pid)); time.sleep(600)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=REPO, env={"PYTHONPATH": str(REPO)})
    try:
        assert eventually(lambda: (tmp_path / "pid").exists())
        child = int((tmp_path / "pid").read_text())
        assert alive(child)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert eventually(lambda: not alive(child))  # the kernel's kill is asynchronous


def test_stop_takes_the_whole_group(tmp_path: Path) -> None:
    out = (tmp_path / "out").open("wb")
    spawner = "import subprocess, time; print(subprocess.Popen(['sleep', '600']).pid, flush=True); time.sleep(600)"
    child = processes.start(
        [sys.executable, "-c", spawner],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        stdout=out,
        stderr=out,
    )
    assert eventually(lambda: bool((tmp_path / "out").read_text().strip()))
    grandchild = int((tmp_path / "out").read_text())
    processes.stop(child, grace_seconds=5)
    out.close()
    assert child.returncode == -signal.SIGTERM
    assert eventually(lambda: not alive(grandchild))


SILENT_PACK_PYTHON = """#!{python}
# Prints a port, as a pack does, but never speaks gRPC on it: the pack is still starting for as long as it runs.
import socket, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
print(listener.getsockname()[1], flush=True)
time.sleep(600)
"""


def test_an_error_while_the_pack_starts_stops_the_waiting_thread_at_once(tmp_path: Path) -> None:
    # The CLI's order on an error: stop the pack, then end the thread feeding it. The thread was still waiting for
    # the pack's channel, which stop() had closed: it waited out the whole startup timeout.
    folder = pack(tmp_path, "")
    python = folder / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(SILENT_PACK_PYTHON.format(python=sys.executable))
    python.chmod(0o755)
    process = PolicyPackProcess(folder, startup_timeout=600)
    process.launch()
    check = PolicyCheck(process, {})
    assert eventually(lambda: process._channel is not None)  # the thread waits for the channel now
    process.stop()
    closing = threading.Thread(target=check.close)
    closing.start()
    closing.join(timeout=30)  # a hang guard: the thread used to wait the full 600 s
    assert not closing.is_alive()
    with pytest.raises(PolicyPackError, match="stopped while it was starting"):
        check.finish(ProgramRun("dev", "genai-playground", [], {}, []))
