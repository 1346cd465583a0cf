"""The seed's troubleshooting rows that a stack file can cause, caught by `offline_preview` before deploy.

Each case is a real stack file run through the real program and the real policy pack (own process, gRPC);
rows that need a hand-edited object (a broken run.yaml, a missing label) are in tests/policies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import model
from tests.support.isvc_snapshots import live_model
from tests.test_offline_preview import preview, project_with

SEED_USE_CASES = {
    "mistral-3-int4": "chat assistant",
    "mistral-3-bf16": "enterprise chat assistant",
    "devstral-2": "agentic coding assistant",
    "gpt-oss-20b": "complex reasoning",
    "granite-8b-agent": "agentic tool-calling",
}


def seed_models(**per_model: dict[str, Any]) -> list[dict[str, Any]]:
    return [model(name, useCase=use, **per_model.get(name, {})) for name, use in SEED_USE_CASES.items()]


def violations(result: Any) -> list[tuple[str, str, str]]:
    return sorted(
        (v["policy"], v["enforcementLevel"], v["urn"].rsplit("::", 1)[-1])
        for v in json.loads(result.stdout)["violations"]
        if v["policy"] != "gpu-budget"
    )


def test_model_works_with_curl_but_not_in_the_playground(tmp_path: Path) -> None:
    """max_tokens 4096 on a model served with --max-model-len 4096: every chat would get vLLM's HTTP 400."""
    models = seed_models(**{"granite-8b-agent": {"contextLength": 4096}})
    project = project_with(tmp_path, {"namespace": "private-ai", "models": models})
    result = preview("--stack", "test", "--project-dir", str(project), "--json")
    assert result.returncode == 1
    assert violations(result) == [("max-tokens-within-context", "mandatory", "playground-run-config")]
    [message] = [v["message"] for v in json.loads(result.stdout)["violations"] if v["policy"].startswith("max-")]
    assert "model vllm-granite-8b-agent/granite-8b-agent" in message and "at most 3072" in message


def test_connection_errors_for_a_model_scaled_to_zero(tmp_path: Path) -> None:
    models = seed_models(**{"gpt-oss-20b": {"minReplicas": 0}})
    project = project_with(tmp_path, {"namespace": "private-ai", "models": models})
    result = preview("--stack", "test", "--project-dir", str(project), "--json")
    assert result.returncode == 0  # advisory: the seed's Kueue scenario is deliberate
    assert violations(result) == [("scaled-to-zero-models", "advisory", "gpt-oss-20b")]


def test_discovered_cluster_state_is_what_is_checked(tmp_path: Path) -> None:
    """The stack file claims 16384, the cluster serves 4096 and has no runtime: the live values are judged."""
    models = seed_models(**{"devstral-2": {"discover": True}})
    project = project_with(tmp_path, {"namespace": "private-ai", "models": models})
    snapshot = tmp_path / "devstral-2.yaml"
    snapshot.write_text(yaml.safe_dump_all(live_model("devstral-2", ["--max-model-len=4096"], runtime=None)))
    result = preview("--stack", "test", "--project-dir", str(project), "--snapshot", str(snapshot), "--json")
    assert result.returncode == 1
    assert violations(result) == [
        ("genai-asset-metadata", "mandatory", "devstral-2-live"),
        ("max-tokens-within-context", "mandatory", "playground-run-config"),
    ]
