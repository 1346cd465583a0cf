"""The real Llama Stack (Python 3.12 virtualenv made by `make llama-stack-venv`): never skipped when missing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_preview import processes
from tests.llama_stack_server.playground import Backend, Playground, serving_playground
from tests.llama_stack_server.servers import (
    ConfigCheckers,
    RunConfigChecker,
    ServerVenvs,
    serve_mcp_stand_in,
    server_venv,
)

HERE = Path(__file__).resolve().parent
CONTEXT = 4096
# Two models that differ only in max_tokens: the policy pack passes one and blocks the other.
FITS = Backend("granite-8b-agent", "granite-8b-agent", CONTEXT, 1024)  # 1024 + 1024 prompt reserve <= 4096
TOO_LARGE = Backend(  # 3584 + 1024 > 4096; served under another name, as the seed's Mistral is
    "mistral-3-int4", "RedHatAI/Mistral-Small-24B-Instruct-2501-quantized.w4a16", CONTEXT, 3584
)


@pytest.fixture(scope="session")
def server_venvs() -> ServerVenvs:
    """`server_venvs["3.3"]`: that release's server virtualenv (.venv-servers/3.3); the test fails when missing."""
    return ServerVenvs()


@pytest.fixture(scope="session")
def config_checkers() -> Iterator[ConfigCheckers]:
    """`config_checkers["3.3"].check(path, env)`: the config loaded as the 3.3 server loads it (one checker per
    release for the session)."""
    checkers = ConfigCheckers()
    try:
        yield checkers
    finally:
        checkers.close()


@pytest.fixture(scope="session")
def venv() -> Path:
    return server_venv("3.0")


@pytest.fixture(scope="session")
def run_config_checker(venv: Path) -> Iterator[RunConfigChecker]:
    checker = RunConfigChecker(venv)
    try:
        yield checker
    finally:
        checker.close()


@pytest.fixture(scope="session")
def mcp_server(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """tests/llama_stack_server/mcp_standin.py on a free port: its URL and the log of its tool calls."""
    process, url, calls = serve_mcp_stand_in(venv, tmp_path_factory.mktemp("mcp"))
    try:
        yield url, calls
    finally:
        processes.stop(process)


# Every release whose server the suite drives as that release's dashboard does (tests/llama_stack_server/dashboard.py).
DASHBOARD_RELEASES = ("3.0", "3.2", "3.3", "3.4")


def release_id(release: str) -> str:
    return f"rhoai-{release}"


# Session fixtures parametrized by release: pytest groups the tests by release and stops one release's server
# before it starts the next one's, so at most one chat and one RAG server run at a time.
@pytest.fixture(scope="session", params=DASHBOARD_RELEASES, ids=release_id)
def chat_playground(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    """playground.rag false: two chat models (FITS, TOO_LARGE), MCP tools, no embedding model."""
    release: str = request.param
    work = tmp_path_factory.mktemp(f"chat-{release}")
    with serving_playground(release, work, [FITS, TOO_LARGE], {"rag": False}) as playground:
        yield playground


@pytest.fixture(scope="session", params=DASHBOARD_RELEASES, ids=release_id)
def rag_playground(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    """playground.rag true (the default): one chat model and the dashboard's embedding model, files and Milvus.
    The embedding weights are the offline stand-in of embedding_standin.py, kept in the release's venv."""
    release: str = request.param
    venv = server_venv(release)
    hf_home = venv / "embedding-standin"
    subprocess.run(
        [str(venv / "bin" / "python"), str(HERE / "embedding_standin.py"), str(hf_home)],
        check=True,
        capture_output=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    work = tmp_path_factory.mktemp(f"rag-{release}")
    with serving_playground(release, work, [FITS], {"rag": True}, env={"HF_HOME": str(hf_home)}) as playground:
        yield playground
