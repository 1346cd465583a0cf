"""RHOAI 3.5: the stack's rendered OGX config on the OGX 1.2.4 server (.venv-servers/3.5), driven as the 3.5
dashboard's backend drives it.

red-hat-data-services/odh-dashboard@rhoai-3.5, packages/gen-ai/bff/internal/integrations/llamastack/
llamastack_client.go: openai-go at `<serviceURL>/v1` (no /v1/openai/v1 since Llama Stack 0.4); `Models.List`;
`Responses.New` with `store: true`, the input, instructions, temperature, top_p, tools, previous_response_id and
no max_output_tokens (prepareResponseParams), so the provider's max_tokens is what reaches vLLM. The server runs
with the env of the rendered OGXServer's `spec.workload.overrides.env`, as the operator's pod does.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.names import REVISION_KEY, REVISION_PROVIDER_ID
from genai_contract.releases import profile

from genai_playground.config import parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.manifests import run_config_map, server_object
from genai_playground.run_config import render_run_config
from tests.conftest import model
from tests.llama_stack_server.conftest import FITS, TOO_LARGE
from tests.llama_stack_server.dashboard import Dashboard
from tests.llama_stack_server.playground import Backend, serve_backends
from tests.llama_stack_server.servers import ConfigCheckers, ServerVenvs, running_server
from tests.llama_stack_server.vllm_standin import StandIn

OGX = profile("3.5")


class Dashboard35(Dashboard):
    """The 3.5 backend's calls: the same bodies, under the release's API base."""

    def __init__(self, service_url: str) -> None:
        super().__init__(service_url)
        self.base = f"{service_url}{OGX.dashboard_api_base}"


@dataclass
class OgxPlayground:
    url: str
    backends: dict[str, StandIn]
    config: dict[str, Any]  # the rendered config.yaml
    server: dict[str, Any]  # the rendered OGXServer
    config_map: dict[str, Any]


def workload_env(server: dict[str, Any]) -> dict[str, str]:
    """The OGXServer's literal env (Secret references have no value outside a cluster: the stand-ins need none)."""
    env = server["spec"]["workload"]["overrides"]["env"]
    return {var["name"]: var["value"] for var in env if "value" in var}


@pytest.fixture(scope="module")
def ogx_playground(server_venvs: ServerVenvs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OgxPlayground]:
    work = tmp_path_factory.mktemp("ogx")
    with ExitStack() as stack:
        stand_ins, models = serve_backends(stack, (FITS, TOO_LARGE))
        raw = {"release": "3.5", "namespace": "private-ai", "models": models, "playground": {"rag": False}}
        config = parse_stack_config(raw)
        endpoints = [resolve_endpoint(m, config) for m in config.models]
        rendered = render_run_config(endpoints, config.playground, config.profile)
        server = server_object(config.namespace, config.playground, rendered, config.profile)
        config_map = run_config_map(config.namespace, config.playground, rendered, config.profile)
        path = work / OGX.config_key
        path.write_text(config_map["data"][OGX.config_key])
        with running_server("3.5", path, work, workload_env(server), server_venvs["3.5"]) as running:
            yield OgxPlayground(running.url, stand_ins, yaml.safe_load(path.read_text()), server, config_map)


def test_the_35_dashboard_lists_every_model_as_the_stack_names_it(ogx_playground: OgxPlayground) -> None:
    """OGX 1.2.4 also lists, once at start, what each vLLM serves as `<provider>/<served name>`
    (ogx/core/routing_tables/models.py refresh: a provider not listed yet is listed whatever refresh_models says),
    so a model served under another name than its InferenceService appears twice: the stack's id, which the
    dashboard matches to the InferenceService, and the server's own."""
    offered = Dashboard35(ogx_playground.url).playground_models()
    ours = {f"vllm-{b.name}/{b.name}" for b in (FITS, TOO_LARGE)}
    assert ours <= set(offered)
    listed_by_server = {f"vllm-{b.name}/{b.served_model_name}" for b in (FITS, TOO_LARGE)}
    assert set(offered) == ours | listed_by_server
    assert TOO_LARGE.served_model_name != TOO_LARGE.name and len(offered) == 3


@pytest.mark.parametrize("backend", [FITS, TOO_LARGE], ids=lambda b: b.name)
def test_a_chat_reaches_vllm_with_that_models_max_tokens(ogx_playground: OgxPlayground, backend: Backend) -> None:
    dashboard = Dashboard35(ogx_playground.url)
    reply = dashboard.respond(dashboard.response_body(f"vllm-{backend.name}/{backend.name}", "Explain Kubernetes."))
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "completed"
    [message] = [item for item in reply.body["output"] if item["type"] == "message"]
    assert message["content"][0]["text"].startswith(f"{backend.served_model_name} answers:")
    received = ogx_playground.backends[backend.name].requests[-1]
    assert (received["model"], received["max_tokens"]) == (backend.served_model_name, backend.max_tokens)


def test_a_stored_response_is_continued(ogx_playground: OgxPlayground) -> None:
    dashboard = Dashboard35(ogx_playground.url)
    model_id = f"vllm-{FITS.name}/{FITS.name}"
    first = dashboard.respond(dashboard.response_body(model_id, "First question."))
    assert first.status == 200, first.body
    assert dashboard.get_response(first.body["id"]).status == 200
    second = dashboard.respond(dashboard.response_body(model_id, "And then?", previous_response_id=first.body["id"]))
    assert second.status == 200, second.body
    sent = ogx_playground.backends[FITS.name].requests[-1]
    assert [m["role"] for m in sent["messages"]][-3:] == ["user", "assistant", "user"]


def test_the_server_reports_the_revision_the_wait_expects(ogx_playground: OgxPlayground) -> None:
    """What `pulumi up` waits for on 3.5: the OGX operator copies GET /v1/providers into
    status.distributionConfig.providers; the waitFor condition names this provider's config value."""
    with urllib.request.urlopen(f"{ogx_playground.url}/v1/providers", timeout=30) as response:
        providers = json.loads(response.read())["data"]
    [revision_provider] = [p for p in providers if p["provider_id"] == REVISION_PROVIDER_ID]
    served = revision_provider["config"][REVISION_KEY]
    conditions = json.loads(ogx_playground.server["metadata"]["annotations"]["pulumi.com/waitFor"])
    assert conditions[-1].endswith(f"}}={served}")
    assert served.startswith("r-")


def test_the_apis_the_server_runs_are_the_35_dashboards(ogx_playground: OgxPlayground) -> None:
    with urllib.request.urlopen(f"{ogx_playground.url}/v1/providers", timeout=30) as response:
        apis = {p["api"] for p in json.loads(response.read())["data"]}
    assert apis == {"inference", "responses", "file_processors", "files", "tool_runtime"}
    assert not {"safety", "datasetio", "scoring", "agents"} & apis


@pytest.mark.parametrize("rag", [True, False], ids=["rag", "no-rag"])
def test_the_config_loads_and_resolves_on_ogx_with_and_without_rag(
    rag: bool, config_checkers: ConfigCheckers, tmp_path: Path
) -> None:
    """OGX 1.2.4 loads the config as `ogx run` does, every provider through its own config class, and resolves
    every provider's required APIs (tests/support/check_run_config.py). Starting faiss needs the tiktoken
    encoding the 3.5 image caches at build time (TIKTOKEN_CACHE_DIR, ogx-distribution@rhoai-3.5 Containerfile),
    which an offline machine lacks, so RAG is proven here up to resolution, chat by the running server above."""
    raw = {"release": "3.5", "namespace": "private-ai", "models": [model("a")], "playground": {"rag": rag}}
    config = parse_stack_config(raw)
    rendered = render_run_config([resolve_endpoint(config.models[0], config)], config.playground, config.profile)
    path = tmp_path / OGX.config_key
    path.write_text(rendered.text)
    report = config_checkers["3.5"].check(path, {var.name: var.value or "x" for var in rendered.env})
    assert report["ok"], report.get("error")
    assert report["server_version"] == "1.2.4"
    loaded = report["provider_configs"]
    assert loaded["inference"]["vllm-a"]["base_url"] == "http://a-predictor.private-ai.svc.cluster.local:8080/v1"
    assert str(loaded["inference"]["vllm-a"]["max_tokens"]) == "4096"
    assert set(loaded.get("vector_io") or {}) == ({"faiss"} if rag else set())
    assert ("file-search" in loaded["tool_runtime"]) is rag
