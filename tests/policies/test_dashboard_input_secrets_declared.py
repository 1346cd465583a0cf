"""dashboard-input-secrets-declared: Secrets our ConfigMaps name are declared pre-existing by our component; a
name nothing declares, created Secrets, and a foreign stack's ConfigMap."""

from __future__ import annotations

from typing import Any

from genai_policies import dashboard_input_secrets_declared as rule

from tests.policies.fixtures import NS, config_map
from tests.policies.harness import InProcessPack, single
from tests.policies.inputs_fixtures import ENDPOINTS_MAP, STORES_MAP, inputs_stack, secret
from tests.policies.test_no_credentials_in_dashboard_config_maps import edit_config_yaml

NAME = "dashboard-input-secrets-declared"


def rename_pgvector_secret(document: dict[str, Any]) -> None:
    document["providers"]["vector_io"][0]["config"]["custom_gen_ai"]["credentials"]["secretRefs"][0]["name"] = "pg2"


def test_secrets_the_stack_file_names_are_declared() -> None:
    assert single(rule.POLICY, inputs_stack()) == []


def test_a_secret_nothing_declares() -> None:
    stack = edit_config_yaml(inputs_stack(), STORES_MAP, rename_pgvector_secret)
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(STORES_MAP))
    assert (violation.message.split("\n", 1)[-1]).startswith(
        f"ConfigMap {NS}/gen-ai-aa-vector-stores: vector_io provider pgvector names Secret pg2 (key password), which "
        "the stack neither creates nor declares pre-existing"
    )


def test_a_secret_the_stack_creates_counts() -> None:
    stack = edit_config_yaml(inputs_stack(), STORES_MAP, rename_pgvector_secret).add(secret("pg2"))
    assert single(rule.POLICY, stack) == []
    elsewhere = edit_config_yaml(inputs_stack(), STORES_MAP, rename_pgvector_secret).add(secret("pg2", "other"))
    assert len(single(rule.POLICY, elsewhere)) == 1  # a Secret of another namespace is not the one


def test_an_endpoint_without_a_key_names_no_secret() -> None:
    stack = inputs_stack(externalEndpoints=[{"modelId": "m", "baseUrl": "https://h.example.com/v1"}])
    assert "name: ''" in stack.get(ENDPOINTS_MAP).properties["data"]["config.yaml"]  # as the dashboard writes it
    assert single(rule.POLICY, stack) == []


def test_a_foreign_stacks_config_map_needs_its_secret() -> None:
    text = (
        "providers:\n  inference:\n  - provider_id: endpoint-1\n    provider_type: remote::openai\n    config:\n"
        "      base_url: https://api.example.com/v1\n      custom_gen_ai:\n        api_key:\n          secretRef:\n"
        "            name: endpoint-api-key-1\n            key: api_key\n"
        "registered_resources:\n  models: []\n"
    )
    foreign = config_map(
        None, name="endpoints", object_name="gen-ai-aa-custom-model-endpoints", data={"config.yaml": text}
    )
    stack = inputs_stack(mcpServers=[{"name": "t", "url": "http://t.mcp.svc/mcp"}]).add(foreign)
    [violation] = single(rule.POLICY, stack)
    assert "provider endpoint-1 names Secret endpoint-api-key-1 (key api_key)" in violation.message
    assert single(rule.POLICY, stack.add(secret("endpoint-api-key-1"))) == []


def test_the_whole_pack_takes_the_dashboards_config_maps_for_no_server_config() -> None:
    """gen-ai-aa-custom-model-endpoints and gen-ai-aa-vector-stores have a server config's shape (config.yaml with
    providers), but only the dashboard's backend reads them: no rule judges them as a playground's config."""
    stack = inputs_stack()
    ours = {stack.urn(ENDPOINTS_MAP), stack.urn(STORES_MAP)}
    assert [v for v in InProcessPack().check(stack) if v.urn in ours] == []
