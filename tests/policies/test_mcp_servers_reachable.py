"""mcp-servers-reachable: the MCP servers of gen-ai-aa-mcp-servers, as our program writes them and broken."""

from __future__ import annotations

import json

import pytest
from genai_policies import mcp_servers_reachable as rule

from tests.policies.harness import single
from tests.policies.inputs_fixtures import MCP_PATCH, inputs_stack, set_mcp

NAME = "mcp-servers-reachable"


def test_our_servers_pass() -> None:
    assert single(rule.POLICY, inputs_stack()) == []


def test_a_cluster_internal_sse_server_passes() -> None:
    server = {"name": "t", "url": "http://tools.mcp.svc:8000/sse", "transport": "sse"}
    assert single(rule.POLICY, inputs_stack(mcpServers=[server])) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://cluster-mcp:8000/mcp", "cluster-mcp is a bare Service name: the dashboard's backend resolves it"),
        ("http://localhost:8000/mcp", "localhost is the calling pod itself"),
        ("http://cluster-mcp.svc.cluster.local/mcp", "does not resolve: a Service's cluster name is"),
        ("http://cluster-mcp.tools.svc.cluster.local/sse", "ends in /sse, the endpoint of the other transport"),
    ],
)
def test_a_server_one_of_the_two_callers_cannot_reach(url: str, expected: str) -> None:
    stack = inputs_stack(mcpServers=[{"name": "tools", "url": url}])
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(MCP_PATCH))
    assert (violation.message.split("\n", 1)[-1]).startswith(
        f"MCP server tools in ConfigMap redhat-ods-applications/gen-ai-aa-mcp-servers: url {url}: "
    )
    assert expected in violation.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{not json", "the value is no JSON"),
        ('["http://a.b.svc/mcp"]', "the value is no JSON object: the dashboard skips the server"),
        (json.dumps({"url": "http://a.b.svc/mcp", "transport": "websocket"}), "transport 'websocket' is none of"),
        (json.dumps({"transport": "sse"}), "no url"),
        (json.dumps({"url": "ws://a.b.svc/mcp"}), "scheme ws: the streamable-http transport speaks HTTP"),
    ],
)
def test_a_value_the_dashboard_cannot_use(value: str, expected: str) -> None:
    [violation] = single(rule.POLICY, set_mcp(inputs_stack(), "broken", value))
    assert (
        (violation.message.split("\n", 1)[-1]).startswith("MCP server broken in ConfigMap")
        and expected in violation.message
    )


def test_other_config_maps_are_not_judged() -> None:
    stack = inputs_stack().edit(MCP_PATCH, lambda props: props["metadata"].update(name="my-tools"))
    assert single(rule.POLICY, set_mcp(stack, "broken", "{")) == []
