"""The recorded provider config classes (the policy pack's copy) are what the installed Llama Stack has."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import REPO

RECORDED = REPO / "policies" / "genai_policies" / "llama_stack_provider_configs.json"
RECORDER = REPO / "tests" / "support" / "record_provider_configs.py"


def regenerated(venv: Path) -> str:
    return subprocess.run(
        [str(venv / "bin" / "python"), str(RECORDER), "--stdout"], capture_output=True, text=True, check=True
    ).stdout


def test_the_committed_file_is_what_the_library_says(venv: Path) -> None:
    assert regenerated(venv) == RECORDED.read_text(), (
        f"{RECORDED.relative_to(REPO)} is out of date: run `{venv}/bin/python {RECORDER.relative_to(REPO)}`"
    )


def recorded() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RECORDED.read_text())
    return loaded


def test_it_records_the_3_0_server() -> None:
    assert recorded()["llama_stack_version"] == "0.3.0rc3+rhai0"


def test_it_tells_which_keys_each_provider_accepts() -> None:
    providers = recorded()["providers"]
    vllm = providers["inference"]["remote::vllm"]
    # 0.3.0rc3+rhai0: the vLLM adapter takes `url` (its `base_url` is 0.4.0); `api_token` is the alias it reads.
    assert "url" in vllm["fields"] and "base_url" not in vllm["fields"]
    assert vllm["fields"]["auth_credential"]["keys"] == ["api_token"]
    assert vllm["extra"] == "ignore"
    assert providers["inference"]["remote::openai"]["fields"]["base_url"]["keys"] == ["base_url"]
    assert providers["vector_io"]["inline::milvus"]["fields"]["db_path"]["required"] is True
