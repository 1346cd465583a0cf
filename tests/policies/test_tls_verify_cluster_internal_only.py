"""tls-verify-cluster-internal-only: tls_verify false and http:// only for *.svc URLs."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from genai_policies import tls_verify_cluster_internal_only as rule

from tests.policies.fixtures import Model, playground_stack
from tests.policies.harness import single

NAME = "tls-verify-cluster-internal-only"
RUN_CONFIG = "playground-run-config"


def vllm_config(**values: Any) -> Any:
    return lambda doc: doc["providers"]["inference"][0]["config"].update(values)


@pytest.mark.parametrize(
    "url", ["http://a-predictor.private-ai.svc.cluster.local:8080/v1", "http://a-predictor.private-ai.svc/v1"]
)
def test_unverified_tls_inside_the_cluster_passes(url: str) -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(vllm_config(url=url, tls_verify=False))
    assert single(rule.POLICY, stack) == []


def test_unverified_tls_to_an_outside_server() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(vllm_config(url="https://vllm.example.com/v1", tls_verify=False))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(RUN_CONFIG))
    assert "provider vllm-a in ConfigMap private-ai/llama-stack-config" in violation.message
    assert "(url https://vllm.example.com/v1): tls_verify is false (tls_verify: False in run.yaml)" in violation.message


def test_tls_verify_turned_off_through_the_env() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        vllm_config(url="https://vllm.example.com/v1", tls_verify="${env.VLLM_TLS_VERIFY:=true}")
    )
    assert single(rule.POLICY, stack) == []
    [violation] = single(rule.POLICY, stack.set_env("VLLM_TLS_VERIFY", "false"))
    assert "${env.VLLM_TLS_VERIFY:=true} with VLLM_TLS_VERIFY=false" in violation.message


def test_plain_http_to_an_outside_server() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(vllm_config(url="http://vllm.example.com/v1"))
    [violation] = single(rule.POLICY, stack)
    assert "plain http to a server outside the cluster" in violation.message


def test_a_url_from_the_env() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(vllm_config(url="${env.VLLM_URL}", tls_verify=False))
    assert single(rule.POLICY, stack.set_env("VLLM_URL", "http://a-predictor.private-ai.svc:8080/v1")) == []
    violations = single(rule.POLICY, stack.set_env("VLLM_URL", "http://vllm.example.com/v1"))
    assert len(violations) == 2  # tls_verify false and plain http


def test_on_the_ogx_server_the_url_is_base_url() -> None:
    """RHOAI 3.5's config.yaml names the vLLM URL base_url (the release profile's vllm_url_field)."""

    def outside(props: dict[str, Any]) -> None:
        document = yaml.safe_load(props["data"]["config.yaml"])
        document["providers"]["inference"][0]["config"].update(base_url="https://vllm.example.com/v1", tls_verify=False)
        props["data"]["config.yaml"] = yaml.safe_dump(document)

    assert single(rule.POLICY, playground_stack(Model("a"), release="3.5")) == []
    [violation] = single(rule.POLICY, playground_stack(Model("a"), release="3.5").edit(RUN_CONFIG, outside))
    assert "(url https://vllm.example.com/v1): tls_verify is false" in violation.message
