"""The rendered playground against a real Llama Stack server (0.2.23) and vLLM stand-ins, on loopback.

One stack, two models that differ only in max_tokens: the policy pack passes one and blocks the other on
max-tokens-within-context. The server then shows that the pack's rule is the server's rule: a long prompt
succeeds on the first and fails on the second with vLLM's own context-length error.

The server runs exactly what the offline preview renders: the ConfigMap's run.yaml, with the env of the
LlamaStackDistribution (only the state directory is moved to a temporary folder).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline_preview import processes
from tests.conftest import model
from tests.llama_stack_server.vllm_standin import StandIn, serving
from tests.test_offline_preview import preview, project_with

CONTEXT = 4096
FITS = "granite-8b-agent"  # max_tokens 1024 + 1024 prompt reserve <= 4096
TOO_LARGE = "mistral-3-int4"  # max_tokens 3584 + 1024 > 4096
SERVED = {FITS: "granite-8b-agent", TOO_LARGE: "RedHatAI/Mistral-Small-24B-Instruct-2501-quantized.w4a16"}
LONG_PROMPT = "word " * 2000  # 2000 prompt tokens for the stand-in
# Loopback stand-ins are plain http outside the cluster: that policy is the only one switched off.
POLICY_CONFIG = {"tls-verify-cluster-internal-only": "disabled"}


@dataclass
class Playground:
    url: str
    backends: dict[str, StandIn]
    preview: dict[str, Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def rendered_objects(render_dir: Path) -> dict[str, dict[str, Any]]:
    objects = [
        yaml.safe_load(path.read_text()) for path in render_dir.glob("*.yaml") if path.name != "kustomization.yaml"
    ]
    return {obj["kind"]: obj for obj in objects}


def server_env(distribution: dict[str, Any], state_dir: Path) -> dict[str, str]:
    env = {var["name"]: var["value"] for var in distribution["spec"]["server"]["containerSpec"]["env"]}
    env["SQLITE_STORE_DIR"] = str(state_dir)
    return {**os.environ, **env, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HOME": str(state_dir)}


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama stack run exited {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(f"{url}/v1/health", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama stack run did not answer /v1/health in 120 s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def playground(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    work = tmp_path_factory.mktemp("playground")
    with ExitStack() as stack:
        backends: dict[str, StandIn] = {}
        models = []
        for name, max_tokens in ((FITS, 1024), (TOO_LARGE, 3584)):
            stand_in, url = stack.enter_context(serving(SERVED[name], CONTEXT))
            backends[name] = stand_in
            models.append(
                model(
                    name,
                    url=url,
                    contextLength=CONTEXT,
                    maxTokens=max_tokens,
                    servedModelName=SERVED[name],
                    displayName=f"{name} (display)",
                )
            )
        (work / "project").mkdir()
        project = project_with(
            work / "project", {"namespace": "private-ai", "models": models, "playground": {"rag": False}}
        )
        (work / "policy-config.json").write_text(json.dumps(POLICY_CONFIG))
        result = preview(
            "--stack",
            "test",
            "--project-dir",
            str(project),
            "--render-dir",
            str(work / "manifests"),
            "--policy-config",
            str(work / "policy-config.json"),
            "--json",
        )
        assert result.returncode == 1, result.stderr  # blocked: one mandatory violation
        objects = rendered_objects(work / "manifests")
        (work / "run.yaml").write_text(objects["ConfigMap"]["data"]["run.yaml"])

        port = free_port()
        log = work / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(venv / "bin" / "llama"), "stack", "run", str(work / "run.yaml"), "--port", str(port)],
                env=server_env(objects["LlamaStackDistribution"], work),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, process, log)
            yield Playground(url=url, backends=backends, preview=json.loads(result.stdout))
        finally:
            processes.stop(process, grace_seconds=20)


def registered_id(name: str) -> str:
    """How 0.2.23 names a run.yaml model: its model_id, or <provider_id>/<model_id> when that equals the
    served name (provider_model_id)."""
    return f"vllm-{name}/{name}" if SERVED[name] == name else name


def chat(playground: Playground, name: str, prompt: str) -> tuple[int, dict[str, Any]]:
    """Native chat completion: the path on which 0.2.23 applies the provider's max_tokens."""
    model_id = registered_id(name)
    return call(
        "POST",
        f"{playground.url}/v1/inference/chat-completion",
        {"model_id": model_id, "messages": [{"role": "user", "content": prompt}]},
    )


def test_the_pack_blocks_exactly_the_model_whose_max_tokens_does_not_fit(playground: Playground) -> None:
    violations = [(v["policy"], v["enforcementLevel"]) for v in playground.preview["violations"]]
    assert ("max-tokens-within-context", "mandatory") in violations
    [message] = [v["message"] for v in playground.preview["violations"] if v["policy"] == "max-tokens-within-context"]
    assert f"model {TOO_LARGE}" in message and FITS not in message


def test_model_list_shows_exactly_the_configured_models(playground: Playground) -> None:
    status, listing = call("GET", f"{playground.url}/v1/models")
    assert status == 200
    shown = {m["identifier"]: m["metadata"].get("display_name") for m in listing["data"] if m["model_type"] == "llm"}
    assert shown == {registered_id(name): f"{name} (display)" for name in (FITS, TOO_LARGE)}
    status, openai_listing = call("GET", f"{playground.url}/v1/openai/v1/models")
    assert status == 200
    assert sorted(m["id"] for m in openai_listing["data"]) == sorted(registered_id(n) for n in (FITS, TOO_LARGE))


@pytest.mark.parametrize("name", [FITS, TOO_LARGE])
def test_a_chat_reaches_that_models_backend(playground: Playground, name: str) -> None:
    before = len(playground.backends[name].requests)
    status, answer = chat(playground, name, "Explain Kubernetes in one sentence.")
    assert status == 200, answer
    assert answer["completion_message"]["content"].startswith(f"{SERVED[name]} answers:")
    received = playground.backends[name].requests[before:]
    assert [r["model"] for r in received] == [SERVED[name]]


def test_a_long_prompt_fits_where_the_pack_passes(playground: Playground) -> None:
    status, answer = chat(playground, FITS, LONG_PROMPT)
    assert status == 200, answer
    assert playground.backends[FITS].requests[-1]["max_tokens"] == 1024


def test_the_same_prompt_fails_where_the_pack_blocks(playground: Playground) -> None:
    status, answer = chat(playground, TOO_LARGE, LONG_PROMPT)
    assert status == 400
    assert "This model's maximum context length is 4096 tokens. However, you requested 5584 tokens" in answer["detail"]
    assert playground.backends[TOO_LARGE].requests[-1]["max_tokens"] == 3584


def test_openai_chat_path_reaches_the_backend(playground: Playground) -> None:
    """The OpenAI-compatible path of 0.2.23 sends no max_tokens of its own: vLLM then fills the context."""
    status, answer = call(
        "POST",
        f"{playground.url}/v1/openai/v1/chat/completions",
        {"model": registered_id(FITS), "messages": [{"role": "user", "content": "hello"}]},
    )
    assert status == 200, answer
    assert answer["choices"][0]["message"]["content"].startswith(f"{SERVED[FITS]} answers:")
    assert "max_tokens" not in playground.backends[FITS].requests[-1]


def respond(playground: Playground, name: str, prompt: str) -> tuple[int, dict[str, Any]]:
    """The Responses API: how the RHOAI 3.0 dashboard's chat calls the playground (openai-go Responses.New)."""
    return call("POST", f"{playground.url}/v1/openai/v1/responses", {"model": registered_id(name), "input": prompt})


@pytest.mark.parametrize("name", [FITS, TOO_LARGE])
def test_the_dashboards_chat_reaches_that_models_backend(playground: Playground, name: str) -> None:
    status, answer = respond(playground, name, "Explain Kubernetes in one sentence.")
    assert status == 200, answer
    assert answer["status"] == "completed"
    assert answer["output"][0]["content"][0]["text"].startswith(f"{SERVED[name]} answers:")
    sent = playground.backends[name].requests[-1]
    assert (sent["model"], sent["stream"]) == (SERVED[name], True)
    # 0.2.23 sends no max_tokens on this path; the 3.0 image (0.3.0rc3+rhai0) sends the provider's.
    assert "max_tokens" not in sent


def test_the_server_reports_the_revision_pulumi_up_waits_for(playground: Playground) -> None:
    """`pulumi up` waits until status.distributionConfig.providers (the 3.0 operator's copy of GET /v1/providers)
    shows the revision in the distribution's waitFor: the real server must report exactly that value."""
    [lsd] = [r for r in playground.preview["resources"] if r["type"].endswith(":LlamaStackDistribution")]
    conditions = json.loads(lsd["inputs"]["metadata"]["annotations"]["pulumi.com/waitFor"])
    provider_id = conditions[1].split("provider_id=='", 1)[1].split("'", 1)[0]
    key, revision = conditions[1].rsplit(".config.", 1)[1].split("}=", 1)
    status, providers = call("GET", f"{playground.url}/v1/providers")
    assert status == 200, providers
    [marker] = [p for p in providers["data"] if p["provider_id"] == provider_id]
    assert marker["config"][key] == revision
