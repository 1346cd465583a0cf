"""MCP servers declared in the stack file reach a tool-calling model's chat on the real 0.3.0rc3+rhai0 server, the
way the 3.0 dashboard gets them there (tests/llama_stack_server/dashboard.py names the BFF and frontend code).

The program renders our keys of gen-ai-aa-mcp-servers; the BFF reads them (tests/support/bff_inputs.py), lists
each server's tools over the ConfigMap's transport with the user's X-MCP-Bearer token (mcp_list_tools.py, the MCP
SDK); the chat sends them as `mcp` tools to the server, which calls the tool for granite-8b-agent.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_preview import processes
from tests.conftest import model
from tests.llama_stack_server.conftest import FITS, HERE
from tests.llama_stack_server.dashboard import Dashboard, extract_mcp_token, streamed_text
from tests.llama_stack_server.playground import Playground
from tests.llama_stack_server.servers import serve_mcp_stand_in
from tests.support.bff_inputs import McpServerConfig, read_mcp_servers
from tests.support.program import run_main

USER_TOKEN = "user-mcp-token"


@pytest.fixture(scope="module")
def declared_servers(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, Path]]]:
    """One stand-in per transport: transport -> (URL, log of its tool calls)."""
    work = tmp_path_factory.mktemp("declared-mcp")
    started = [serve_mcp_stand_in(venv, work, transport) for transport in ("streamable-http", "sse")]
    try:
        yield {t: (url, calls) for t, (_, url, calls) in zip(("streamable-http", "sse"), started, strict=True)}
    finally:
        for process, _, _ in started:
            processes.stop(process)


def config_map_data(servers: dict[str, tuple[str, Path]]) -> dict[str, str]:
    """What the program writes into gen-ai-aa-mcp-servers for a 3.0 stack declaring both servers."""
    declared = [
        {"name": "cluster-streamable", "url": servers["streamable-http"][0], "description": "Cluster status"},
        {"name": "cluster-sse", "url": servers["sse"][0], "transport": "sse"},
    ]
    run = run_main({"release": "3.0", "namespace": "private-ai", "models": [model()], "mcpServers": declared})
    patch = run.one("kubernetes:core/v1:ConfigMapPatch", "inputs-mcp-servers")
    assert patch.inputs["metadata"] == {"name": "gen-ai-aa-mcp-servers", "namespace": "redhat-ods-applications"}
    data: dict[str, str] = patch.inputs["data"]
    return data


def list_tools(venv: Path, server: McpServerConfig, x_mcp_bearer: str) -> dict[str, object]:
    token = extract_mcp_token(x_mcp_bearer)
    result = subprocess.run(
        [str(venv / "bin" / "python"), str(HERE / "mcp_list_tools.py"), server.url, server.transport, token],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    listed: dict[str, object] = json.loads(result.stdout)
    return listed


# Proven on 3.0's server; every release's MCP call itself is proven in test_dashboard_chat.py.
@pytest.mark.parametrize("chat_playground", ["3.0"], indirect=True, ids=["rhoai-3.0"])
@pytest.mark.parametrize("name", ["cluster-streamable", "cluster-sse"])
def test_a_declared_mcp_server_is_listed_and_called_in_the_playground(
    chat_playground: Playground, declared_servers: dict[str, tuple[str, Path]], venv: Path, name: str
) -> None:
    servers = {server.name: server for server in read_mcp_servers(config_map_data(declared_servers))}
    assert set(servers) == {"cluster-streamable", "cluster-sse"}
    server = servers[name]
    # The dashboard lists the server's tools over the ConfigMap's transport, with the user's token.
    assert list_tools(venv, server, f"Bearer {USER_TOKEN}") == {"server": "cluster", "tools": ["cluster_status"]}
    # The chat: granite-8b-agent gets the tool, the server calls it with the user's token, the answer uses it.
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    tool = dashboard.mcp_server(server.name, server.url, extract_mcp_token(f"Bearer {USER_TOKEN}"))
    body = dashboard.response_body(f"vllm-{FITS.name}/{FITS.name}", "How is the cluster?", mcp_servers=[tool])
    reply = dashboard.respond_streaming(body)
    assert reply.status == 200, reply.body
    types = [event["type"] for event in reply.body]
    assert "response.mcp_list_tools.completed" in types and "response.mcp_call.completed" in types
    assert streamed_text(reply.body).endswith("the tool returned: cluster is healthy (asked: How is the cluster?)")
    calls = declared_servers[server.transport][1].read_text().splitlines()
    assert json.loads(calls[-1]) == {"query": "How is the cluster?", "authorization": f"Bearer {USER_TOKEN}"}
    offered = chat_playground.backends[FITS.name].requests[-1]
    assert [t["function"]["name"] for t in offered["tools"]] == ["cluster_status"]
    [listed] = [e for e in reply.body if e["type"] == "response.output_item.done" and e["item"]["type"] == "mcp_call"]
    assert listed["item"]["server_label"] == name


def test_a_malformed_mcp_bearer_header_is_refused_as_the_bff_refuses_it() -> None:
    with pytest.raises(ValueError, match="expected X-MCP-Bearer header to start with 'Bearer '"):
        extract_mcp_token(USER_TOKEN)
