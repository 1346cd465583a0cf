"""no-credentials-in-dashboard-config-maps: our three ConfigMaps pass; a credential put into any of them fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from genai_policies import no_credentials_in_dashboard_config_maps as rule

from tests.policies.fixtures import StackFixture, dump
from tests.policies.harness import single
from tests.policies.inputs_fixtures import ENDPOINTS_MAP, STORES_MAP, inputs_stack, set_mcp

NAME = "no-credentials-in-dashboard-config-maps"


def edit_config_yaml(stack: StackFixture, name: str, change: Any) -> StackFixture:
    def rewrite(props: dict[str, Any]) -> None:
        document = yaml.safe_load(props["data"]["config.yaml"])
        change(document)
        props["data"]["config.yaml"] = dump(document)

    return stack.edit(name, rewrite)


def test_our_config_maps_pass_with_their_secret_references() -> None:
    assert single(rule.POLICY, inputs_stack()) == []


def test_a_password_in_a_vector_store_provider() -> None:
    stack = edit_config_yaml(
        inputs_stack(), STORES_MAP, lambda d: d["providers"]["vector_io"][0]["config"].update(password="s3cret")
    )
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(STORES_MAP))
    assert "ConfigMap private-ai/gen-ai-aa-vector-stores, config.yaml: providers.vector_io.0.config.password" in (
        violation.message
    )
    assert "s3cret" not in violation.message


def test_an_env_reference_is_no_literal() -> None:
    stack = edit_config_yaml(
        inputs_stack(), STORES_MAP, lambda d: d["providers"]["vector_io"][0]["config"].update(password="${env.PG_PW}")
    )
    assert single(rule.POLICY, stack) == []


def test_an_api_key_literal_in_place_of_its_secret_reference() -> None:
    def literal(document: dict[str, Any]) -> None:
        document["providers"]["inference"][0]["config"]["custom_gen_ai"]["api_key"] = "sk-live-123"

    [violation] = single(rule.POLICY, edit_config_yaml(inputs_stack(), ENDPOINTS_MAP, literal))
    assert "providers.inference.0.config.custom_gen_ai.api_key holds a credential" in violation.message


def test_a_password_in_an_endpoint_url() -> None:
    def userinfo(document: dict[str, Any]) -> None:
        document["providers"]["inference"][0]["config"]["base_url"] = "https://me:pw@api.example.com/v1"

    [violation] = single(rule.POLICY, edit_config_yaml(inputs_stack(), ENDPOINTS_MAP, userinfo))
    assert "providers.inference.0.config.base_url (user:password@ in a URL)" in violation.message


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"url": "http://a.b.svc/mcp", "token": "abc"}, "token"),
        ({"url": "http://user:pw@a.b.svc/mcp"}, "url (user:password@ in a URL)"),
        ({"url": "http://a.b.svc/mcp", "headers": {"X-Api-Key": "abc"}}, "headers.X-Api-Key"),
    ],
)
def test_a_credential_in_an_mcp_server(value: dict[str, Any], path: str) -> None:
    [violation] = single(rule.POLICY, set_mcp(inputs_stack(), "leaky", json.dumps(value)))
    assert f"ConfigMap redhat-ods-applications/gen-ai-aa-mcp-servers, server leaky: {path} holds" in violation.message
