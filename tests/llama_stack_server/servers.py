"""Every RHOAI release's own server, as `make server-venvs` installs it in .venv-servers/<release>.

- `server_venv(release)`: the virtualenv (a test FAILS, never skips, when it is missing);
- `SERVERS[release]`: what the release's image runs (distribution, version, command, env, default config);
- `RunConfigChecker(venv)`: tests/support/check_run_config.py in that venv, loading a config as that server does;
- `running_server(release, config, work)`: `llama stack run` / `ogx run` on a config file, up on /v1/health.

Distribution, version and config key are the release profile's (genai_contract.releases); the Makefile's pins
are kept equal to it by a test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from genai_contract.releases import profile

from offline_preview import processes
from tests.conftest import REPO

VENDOR = REPO.parent / "shared" / "vendor"
START_SECONDS = 180
# Offline: litellm reads its bundled model-cost map, Hugging Face never reaches a hub, tiktoken reads the
# cl100k_base encoding the 3.4/3.5 images pre-cache at build time from the copy `make server-venvs` puts there.
TIKTOKEN_CACHE = Path(os.environ.get("SERVER_VENVS", REPO / ".venv-servers")) / "tiktoken-cache"
OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TIKTOKEN_CACHE_DIR": str(TIKTOKEN_CACHE if TIKTOKEN_CACHE.is_absolute() else REPO / TIKTOKEN_CACHE),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    release: str
    run: tuple[str, ...]  # the image's entrypoint command, before the config path
    image_env: dict[str, str] = field(default_factory=dict)  # what the image sets (ENV lines)
    image_config: str = ""  # the image's default config, relative to ../shared/vendor

    @property
    def distribution(self) -> str:
        """The Python distribution of the server, as the release's profile pins it."""
        return profile(self.release).server.package

    @property
    def version(self) -> str:
        return profile(self.release).server.version

    @property
    def config_key(self) -> str:
        """The ConfigMap key / file name the server reads."""
        return profile(self.release).config_key


# Commands and env from each image's Containerfile / entrypoint.sh (opendatahub-io/llama-stack-distribution
# branches rhoai-v3.0 .. rhoai-v3.4, distribution/; red-hat-data-services/ogx-distribution@rhoai-3.5,
# distribution/entrypoint.sh: `ogx run --insecure "$CONFIG"`).
NO_VERSION_CHECK = {"LLAMA_STACK_DISABLE_VERSION_CHECK": "true"}
LLAMA_STACK_RUN = ("llama", "stack", "run")
SERVERS = {
    "3.0": Server("3.0", LLAMA_STACK_RUN, NO_VERSION_CHECK, "llama-stack-distribution-rhoai-v3.0/run.yaml"),
    "3.2": Server("3.2", LLAMA_STACK_RUN, NO_VERSION_CHECK, "llama-stack-distribution-rhoai-v3.2/run.yaml"),
    "3.3": Server("3.3", LLAMA_STACK_RUN, NO_VERSION_CHECK, "llama-stack-distribution-rhoai-v3.3/config.yaml"),
    "3.4": Server("3.4", LLAMA_STACK_RUN, NO_VERSION_CHECK, "llama-stack-distribution-rhoai-v3.4/config.yaml"),
    "3.5": Server("3.5", ("ogx", "run", "--insecure"), {}, "ogx-distribution-rhoai-3.5/config.yaml"),
}
RELEASES = tuple(SERVERS)


def server_venv(release: str) -> Path:
    """.venv-servers/<release> (SERVER_VENVS moves the folder; LLAMA_STACK_VENV still names 3.0's)."""
    root = Path(os.environ.get("SERVER_VENVS", REPO / ".venv-servers"))
    venv = root / release
    if release == "3.0" and "LLAMA_STACK_VENV" in os.environ:
        venv = Path(os.environ["LLAMA_STACK_VENV"])
    venv = venv if venv.is_absolute() else REPO / venv
    if not (venv / "bin" / SERVERS[release].run[0]).is_file():
        pytest.fail(
            f"no RHOAI {release} server virtualenv at {venv}: run `make server-venvs` (or `make test`, which "
            "makes them all)"
        )
    return venv


class RunConfigChecker:
    """tests/support/check_run_config.py --stdin in a server's virtualenv: send a config path, get its report."""

    def __init__(self, venv: Path) -> None:
        self.process = subprocess.Popen(
            [str(venv / "bin" / "python"), str(REPO / "tests" / "support" / "check_run_config.py"), "--stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def check(self, path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
        """The report on `path`, loaded with `env` over the checker's environment (for this file only)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write((json.dumps({"path": str(path), "env": env}) if env else str(path)) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the config checker stopped")
        report: dict[str, Any] = json.loads(line)
        return report

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


class ServerVenvs:
    """The release's virtualenv, looked up when a test asks for it (so only that test fails when it is missing)."""

    def __getitem__(self, release: str) -> Path:
        return server_venv(release)


class ConfigCheckers:
    """One checker per release, started on first use, all closed at the end."""

    def __init__(self) -> None:
        self.started: dict[str, RunConfigChecker] = {}

    def __getitem__(self, release: str) -> RunConfigChecker:
        if release not in self.started:
            self.started[release] = RunConfigChecker(server_venv(release))
        return self.started[release]

    def close(self) -> None:
        for checker in self.started.values():
            checker.close()


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def server_env(release: str, state_dir: Path, env: dict[str, str]) -> dict[str, str]:
    """The test's env over the image's, with state (SQLite stores, HOME) in a temporary folder."""
    state = {"SQLITE_STORE_DIR": str(state_dir), "HOME": str(state_dir)}
    return {**os.environ, **SERVERS[release].image_env, **OFFLINE_ENV, **state, **env}


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(f"{url}/v1/health", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the server did not answer /v1/health in {START_SECONDS} s:\n{log.read_text()[-4000:]}")


@contextmanager
def running_server(
    release: str, config: Path, work: Path, env: dict[str, str] | None = None, venv: Path | None = None
) -> Iterator[RunningServer]:
    """The release's server on `config` (its image's command), on a free loopback port; always stopped."""
    venv = venv or server_venv(release)
    command = SERVERS[release].run
    port = free_port()
    log = work / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(venv / "bin" / command[0]), *command[1:], str(config), "--port", str(port)],
            env=server_env(release, work, env or {}),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, process, log)
        yield RunningServer(url, process, log)
    finally:
        processes.stop(process, grace_seconds=20)


def serve_mcp_stand_in(
    venv: Path, work: Path, transport: str = "streamable-http"
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """tests/llama_stack_server/mcp_standin.py on a free port: the process, its URL and the log of its tool calls."""
    port, calls = free_port(), work / f"{transport}.jsonl"
    with (work / f"{transport}.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(venv / "bin" / "python"),
                str(Path(__file__).with_name("mcp_standin.py")),
                str(port),
                str(calls),
                transport,
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                processes.stop(process)
                pytest.fail(f"the MCP stand-in did not start:\n{(work / f'{transport}.log').read_text()[-2000:]}")
            time.sleep(0.2)
    path = "sse" if transport == "sse" else "mcp"
    return process, f"http://127.0.0.1:{port}/{path}", calls
