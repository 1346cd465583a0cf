"""The recorded provider config classes (the policy pack's copy, one file per release) are what each release's
server has."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.llama_stack_server.servers import RELEASES, SERVERS, ServerVenvs

RECORDED = REPO / "policies" / "genai_policies" / "provider_configs"
RECORDER = REPO / "tests" / "support" / "record_provider_configs.py"


def regenerated(venv: Path, release: str) -> str:
    return subprocess.run(
        [str(venv / "bin" / "python"), str(RECORDER), release, "--stdout"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("release", RELEASES)
def test_the_committed_file_is_what_the_releases_server_says(release: str, server_venvs: ServerVenvs) -> None:
    venv = server_venvs[release]
    path = RECORDED / f"{release}.json"
    assert path.is_file() and regenerated(venv, release) == path.read_text(), (
        f"{path.relative_to(REPO)} is out of date: run `{venv}/bin/python {RECORDER.relative_to(REPO)} {release}`"
    )


def test_there_is_one_file_per_release_and_no_other() -> None:
    assert sorted(path.stem for path in RECORDED.glob("*.json")) == sorted(RELEASES)


def recorded(release: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((RECORDED / f"{release}.json").read_text())
    return loaded


@pytest.mark.parametrize("release", RELEASES)
def test_each_file_records_its_releases_server(release: str) -> None:
    assert (recorded(release)["release"], recorded(release)["version"]) == (release, SERVERS[release].version)
    assert recorded(release)["server"] == ("OGX" if SERVERS[release].distribution == "ogx" else "Llama Stack")


def test_it_tells_which_keys_each_provider_accepts() -> None:
    providers = recorded("3.0")["providers"]
    vllm = providers["inference"]["remote::vllm"]
    # 0.3.0rc3+rhai0: the vLLM adapter takes `url` (its `base_url` is 0.4.0); `api_token` is the alias it reads.
    assert "url" in vllm["fields"] and "base_url" not in vllm["fields"]
    assert vllm["fields"]["auth_credential"]["keys"] == ["api_token"]
    assert vllm["extra"] == "ignore"
    assert providers["inference"]["remote::openai"]["fields"]["base_url"]["keys"] == ["base_url"]
    assert providers["vector_io"]["inline::milvus"]["fields"]["db_path"]["required"] is True


@pytest.mark.parametrize(
    ("release", "url_field"), [("3.2", "url"), ("3.3", "base_url"), ("3.4", "base_url"), ("3.5", "base_url")]
)
def test_the_vllm_url_field_of_each_release(release: str, url_field: str) -> None:
    """0.4.0 renamed remote::vllm's `url` to `base_url`; the class ignores unknown keys, so a `url` is dropped."""
    vllm = recorded(release)["providers"]["inference"]["remote::vllm"]
    other = ({"url", "base_url"} - {url_field}).pop()
    assert url_field in vllm["fields"] and other not in vllm["fields"]
    assert vllm["extra"] == "ignore"


def test_the_apis_each_release_serves() -> None:
    """3.4 renamed agents to responses; OGX (3.5) has no safety, datasetio, scoring or eval."""
    assert "agents" in recorded("3.3")["providers"] and "responses" not in recorded("3.3")["providers"]
    assert "responses" in recorded("3.4")["providers"] and "agents" not in recorded("3.4")["providers"]
    assert {"safety", "datasetio", "scoring", "eval"}.isdisjoint(recorded("3.5")["providers"])
    assert "inline::file-search" in recorded("3.4")["providers"]["tool_runtime"]
    assert "inline::rag-runtime" in recorded("3.3")["providers"]["tool_runtime"]
