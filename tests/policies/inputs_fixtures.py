"""Stacks with MCP servers, external endpoints and vector stores, as the real program registers them (its
`__main__.py` under Pulumi's mocks), for the policies of the dashboard's other inputs."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from offline_preview.policy_pack import AnalyzedResource
from tests.conftest import model
from tests.policies.fixtures import NS, StackFixture, urn
from tests.support.program import run_main
from tests.test_playground_inputs import ENDPOINTS, MCP, VECTOR_STORES

MCP_PATCH = "inputs-mcp-servers"
ENDPOINTS_MAP = "inputs-custom-endpoints"
STORES_MAP = "inputs-vector-stores"
DASHBOARD_PATCH = "prerequisites-dashboard-config"


def inputs_stack(**raw: Any) -> StackFixture:
    """What the program registers for a RHOAI 3.4 stack with these keys (default: every input, managed flags)."""
    keys = raw or {
        "mcpServers": MCP,
        "externalEndpoints": ENDPOINTS,
        "vectorStores": VECTOR_STORES,
        "prerequisites": {"manage": True},
    }
    resources, reads = _program_resources(json.dumps(keys, sort_keys=True))
    return StackFixture(copy.deepcopy(resources), set(reads))


@cache
def _program_resources(keys: str) -> tuple[list[AnalyzedResource], frozenset[str]]:
    raw = {"release": "3.4", "namespace": NS, "models": [model("granite-8b-agent")], **json.loads(keys)}
    run = run_main(raw)
    resources = [
        AnalyzedResource(r.type, r.urn, r.name, r.outputs, r.parent, tuple(r.dependencies)) for r in run.resources
    ]
    return resources, frozenset(r.urn for r in run.resources if r.read)


def set_mcp(stack: StackFixture, key: str, value: str) -> StackFixture:
    """One data key of the MCP servers patch, its value as written (JSON text, or anything else)."""
    return stack.edit(MCP_PATCH, lambda props: props["data"].update({key: value}))


def secret(name: str, namespace: str = NS) -> AnalyzedResource:
    """A Secret the stack creates (its data marked secret, as kubernetes.core.v1.Secret marks it)."""
    token = "kubernetes:core/v1:Secret"
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace}}
    return AnalyzedResource(token, urn(token, name), name, {**body, "data": {"k": "dg=="}}, "", (), ("data",))
