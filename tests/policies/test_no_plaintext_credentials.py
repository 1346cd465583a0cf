"""no-plaintext-credentials: tokens come from Secrets, and Secrets are Pulumi secrets (resource-level)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from genai_policies import no_plaintext_credentials as rule

from tests.policies.fixtures import Model, playground_stack, secret
from tests.policies.harness import single

NAME = "no-plaintext-credentials"
RUN_CONFIG = "playground-run-config"
LSD = "playground-distribution"


def test_passes_fake_tokens_and_secret_references() -> None:
    assert single(rule.POLICY, playground_stack(Model("a"), Model("b", token_secret="b-token"))) == []


@pytest.mark.parametrize("token", ["sk-live-123", "${env.VLLM_API_TOKEN_A:=sk-live-123}"])
def test_a_literal_token_in_run_yaml(token: str) -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].update(api_token=token)
    )
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(RUN_CONFIG))
    assert "run.yaml: provider vllm-a (inference) has a literal api_token" in violation.message
    assert "sk-live-123" not in violation.message  # the message never repeats the credential


@pytest.mark.parametrize("token", ["${env.VLLM_API_TOKEN_A}", "${env.VLLM_API_TOKEN_A:=}", "fake"])
def test_references_and_the_placeholder_pass(token: str) -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].update(api_token=token)
    )
    assert single(rule.POLICY, stack) == []


def test_a_literal_token_in_the_distribution_env() -> None:
    stack = playground_stack(Model("a")).set_env("VLLM_API_TOKEN_A", "sk-live-123")
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(LSD)
    assert "env VLLM_API_TOKEN_A of the LlamaStackDistribution holds a literal credential" in violation.message


@pytest.mark.parametrize("name", ["OPENAI_API_KEY", "DB_PASSWORD", "HF_TOKEN"])
def test_other_credential_names(name: str) -> None:
    [violation] = single(rule.POLICY, playground_stack(Model("a")).set_env(name, "value"))
    assert f"env {name} " in violation.message


def test_token_counts_are_not_credentials() -> None:
    assert single(rule.POLICY, playground_stack(Model("a")).set_env("VLLM_MAX_TOKENS", "4096")) == []


def test_secret_data_must_be_marked_secret() -> None:
    stack = playground_stack(Model("a")).add(secret("a-token", {"token": "sk"}, marked=True))
    assert single(rule.POLICY, stack) == []
    unmarked = playground_stack(Model("a")).add(secret("a-token", {"token": "sk"}, marked=False))
    [violation] = single(rule.POLICY, unmarked)
    assert violation.urn == unmarked.urn("a-token")
    assert "Secret a-token: stringData is not marked secret" in violation.message


def test_a_literal_token_in_the_ogx_servers_env() -> None:
    def literal(props: dict[str, Any]) -> None:
        props["spec"]["workload"]["overrides"]["env"].append({"name": "VLLM_API_TOKEN_A", "value": "sk-live-123"})

    assert single(rule.POLICY, playground_stack(Model("a"), release="3.5")) == []
    stack = playground_stack(Model("a"), release="3.5").edit(LSD, literal)
    [violation] = single(rule.POLICY, stack)
    assert "env VLLM_API_TOKEN_A of the OGXServer holds a literal credential" in violation.message
    assert "sk-live-123" not in violation.message


def test_a_literal_token_in_config_yaml() -> None:
    def literal(props: dict[str, Any]) -> None:
        document = yaml.safe_load(props["data"]["config.yaml"])
        document["providers"]["inference"][0]["config"]["api_token"] = "sk-live-123"
        props["data"]["config.yaml"] = yaml.safe_dump(document)

    stack = playground_stack(Model("a"), release="3.5").edit(RUN_CONFIG, literal)
    [violation] = single(rule.POLICY, stack)
    assert "provider vllm-a (inference) has a literal api_token" in violation.message
