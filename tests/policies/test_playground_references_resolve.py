"""playground-references-resolve: providers exist, ids are unique, vLLM models are labelled GenAI assets."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from genai_contract.releases import SUPPORTED
from genai_policies import playground_references_resolve as rule

from tests.policies.fixtures import (
    Model,
    asset_patch,
    foreign_run_yaml,
    foreign_stack,
    inference_service,
    llm_inference_service,
    playground_stack,
    runtime_resource,
)
from tests.policies.harness import single
from tests.policies.maas_fixtures import program_maas_stack

NAME = "playground-references-resolve"
ENABLE_AUTH = "security.opendatahub.io/enable-auth"
RUN_CONFIG = "playground-run-config"


def test_passes_the_program_stack() -> None:
    assert single(rule.POLICY, playground_stack(Model("a"), Model("b"))) == []


def test_a_model_naming_a_missing_provider() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc["models"][0].update(provider_id="vllm-typo"))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(RUN_CONFIG))
    assert "model vllm-a/a in ConfigMap private-ai/llama-stack-config" in violation.message
    assert "names provider_id vllm-typo, which no provider of run.yaml has" in violation.message


def test_duplicate_model_ids() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc["models"].append(dict(doc["models"][0])))
    [violation] = single(rule.POLICY, stack)
    assert "model_id vllm-a/a is registered 2 times" in violation.message


def test_an_inference_service_without_the_asset_label() -> None:
    stack = playground_stack(Model("a"), Model("b")).remove("b-asset-patch")
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(RUN_CONFIG)
    assert 'InferenceService private-ai/b is not labelled opendatahub.io/genai-asset: "true"' in violation.message
    assert "oc label inferenceservice b -n private-ai opendatahub.io/genai-asset=true" in violation.message


def test_a_label_that_is_not_the_string_true_is_no_label() -> None:
    def capitalised(props: dict[str, Any]) -> None:
        props["metadata"]["labels"]["opendatahub.io/genai-asset"] = "True"

    [violation] = single(rule.POLICY, playground_stack(Model("a")).edit("a-asset-patch", capitalised))
    assert "is not labelled" in violation.message


def test_a_url_outside_the_stack() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].update(url="https://vllm.example.com/v1")
    )
    # The VllmModelEndpoint still maps its provider id to the labelled InferenceService.
    assert single(rule.POLICY, stack) == []
    stack.remove("a").remove("a-asset-patch")
    [violation] = single(rule.POLICY, stack)
    assert "its url https://vllm.example.com/v1 is no InferenceService of this stack" in violation.message


def test_provider_model_id_must_be_a_served_name() -> None:
    args = ("--max-model-len=16384", "--served-model-name=openai/gpt-oss-20b")
    stack = foreign_stack("gpt-oss-20b", args=args)
    [violation] = single(rule.POLICY, stack)
    assert (
        "provider_model_id is gpt-oss-20b but vLLM serves InferenceService private-ai/gpt-oss-20b (its "
        "ServingRuntime vllm-runtime is not in the stack: the RHOAI vLLM template's args are assumed) as "
        "openai/gpt-oss-20b (--served-model-name of the kserve-container container)" in violation.message
    )
    assert "The model `gpt-oss-20b` does not exist." in violation.message


def test_vllm_answers_to_each_of_its_served_names() -> None:
    args = ("--max-model-len=16384", "--served-model-name", "openai/gpt-oss-20b", "gpt-oss-20b", "--dtype=auto")
    assert single(rule.POLICY, foreign_stack("gpt-oss-20b", args=args)) == []
    # With `=` the flag takes one name; a later flag replaces the earlier one whole (argparse).
    later = ("--served-model-name", "a", "gpt-oss-20b", "--served-model-name=b")
    [violation] = single(rule.POLICY, foreign_stack("gpt-oss-20b", args=("--max-model-len=16384", *later)))
    assert "as b (--served-model-name" in violation.message


def test_without_a_served_name_flag_the_runtime_template_serves_the_inference_service_name() -> None:
    """The RHOAI template's --served-model-name={{.Name}}, filled by KServe from the InferenceService."""
    stack = foreign_stack().edit_run_yaml(
        lambda doc: doc["models"][0].update(provider_model_id="org/granite"), "run-config"
    )
    [violation] = single(rule.POLICY, stack)
    assert "as granite-8b-agent (--served-model-name of the kserve-container container)" in violation.message


def test_a_runtime_without_the_flag_serves_its_model_path() -> None:
    """Without --served-model-name vLLM answers to --model (vllm api_server init_app_state)."""
    stack = foreign_stack().add(runtime_resource(args=["--port=8080", "--model=/mnt/models"]))
    [violation] = single(rule.POLICY, stack)
    assert "as /mnt/models (--model of the kserve-container container (no --served-model-name))" in violation.message


def test_discovery_follows_the_served_name_so_the_program_passes() -> None:
    """The program picks the configured name when vLLM answers to it, else the one vLLM reports."""
    args = ("--max-model-len=16384", "--served-model-name", "openai/gpt-oss-20b", "gpt-oss-20b")
    assert single(rule.POLICY, playground_stack(Model("gpt-oss-20b", live_args=args))) == []
    renamed = playground_stack(Model("a", served_model_name="org/a", live_args=("--max-model-len=16384",)))
    assert single(rule.POLICY, renamed) == []
    stale = renamed.edit_run_yaml(lambda doc: doc["models"][0].update(provider_model_id="org/a"))
    [violation] = single(rule.POLICY, stale)
    assert "provider_model_id is org/a but vLLM serves InferenceService private-ai/a with ServingRuntime" in (
        violation.message
    )


def test_served_names_of_an_llm_inference_service() -> None:
    url = "https://qwen-kserve-workload-svc.private-ai.svc.cluster.local:8000/v1"

    def llm(provider_model_id: str, env: list[dict[str, Any]]) -> Any:
        document = foreign_run_yaml("qwen", url, provider_model_id=provider_model_id)
        return (
            foreign_stack()
            .remove("granite-8b-agent")
            .edit("run-config", lambda props: props["data"].update({"run.yaml": document}))
            .add(llm_inference_service("qwen", model_name="Qwen/Qwen3-8B", env=env))
        )

    assert single(rule.POLICY, llm("Qwen/Qwen3-8B", [])) == []  # spec.model.name, the template's flag
    extra = [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--served-model-name 'qwen' \"qwen3\""}]
    assert single(rule.POLICY, llm("qwen3", extra)) == []  # the shell's quotes go, the later flag wins
    [violation] = single(rule.POLICY, llm("Qwen/Qwen3-8B", extra))
    assert "as qwen and qwen3 (--served-model-name of VLLM_ADDITIONAL_ARGS of the main container)" in violation.message


# --------------------------------------------------------------------------------------------- provider URLs


@pytest.mark.parametrize(
    "url",
    [
        "http://granite-8b-agent-predictor.private-ai.svc.cluster.local:8080/v1",  # headless
        "http://granite-8b-agent-predictor.private-ai.svc.cluster.local/v1",  # headed
        "http://granite-8b-agent-predictor.private-ai.svc.cluster.local:80/v1",
        "http://granite-8b-agent-predictor.private-ai.svc.cluster.local.:8080/v1",  # fully qualified
        "http://granite-8b-agent-predictor.private-ai.svc:8080/v1",
        "http://granite-8b-agent-predictor.private-ai:8080/v1",
        "http://granite-8b-agent-predictor:8080/v1",  # the server's own namespace
        "http://GRANITE-8B-AGENT-PREDICTOR:8080/v1",
    ],
)
def test_every_form_of_the_predictor_url_resolves_to_its_inference_service(url: str) -> None:
    stack = foreign_stack(url=url).edit_run_yaml(
        lambda doc: doc["models"][0].update(provider_model_id="x"), "run-config"
    )
    [violation] = single(rule.POLICY, stack)  # found: so its served name is checked
    assert "but vLLM serves InferenceService private-ai/granite-8b-agent" in violation.message


def test_a_short_name_is_in_the_servers_namespace() -> None:
    other = foreign_stack(url="http://granite-8b-agent-predictor:8080/v1").edit(
        "playground", lambda props: props["metadata"].update(namespace="other")
    )
    other.edit("run-config", lambda props: props["metadata"].update(namespace="other"))
    [violation] = single(rule.POLICY, other)
    assert "is no InferenceService of this stack" in violation.message


@pytest.mark.parametrize(
    ("headless", "url", "ok"),
    [
        (True, "http://m-predictor.private-ai.svc.cluster.local:8080/v1", True),
        (True, "http://m-predictor.private-ai.svc.cluster.local/v1", False),
        (False, "http://m-predictor.private-ai.svc.cluster.local/v1", True),
        (False, "http://m-predictor.private-ai.svc.cluster.local:8080/v1", False),
    ],
)
def test_the_url_port_matches_the_discovered_service_kind(headless: bool, url: str, ok: bool) -> None:
    """A headless Service resolves to the pods (only the container port answers); a headed one serves port 80."""
    stack = playground_stack(Model("m", live_args=("--max-model-len=16384",), headless=headless))
    assert single(rule.POLICY, stack) == []  # the program takes the URL from the live objects
    moved = stack.edit_run_yaml(lambda doc: doc["providers"]["inference"][0]["config"].update(url=url))
    violations = single(rule.POLICY, moved)
    assert (violations == []) is ok
    if not ok:
        assert f"Service m-predictor is {'headless' if headless else 'headed'}" in violations[0].message
        assert "the connection is refused" in violations[0].message


def test_a_model_behind_its_auth_proxy_needs_a_real_token() -> None:
    live = Model("m", live_args=("--max-model-len=16384",), live_auth=True, token_secret="m-sa-token")
    stack = playground_stack(live)
    assert single(rule.POLICY, stack) == []
    provider = yaml.safe_load(stack.get("playground-run-config").properties["data"]["run.yaml"])["providers"]
    assert provider["inference"][0]["config"]["url"] == "https://m-predictor.private-ai.svc.cluster.local:8443/v1"
    [violation] = single(rule.POLICY, stack.set_env("VLLM_API_TOKEN_M", "fake"))
    assert 'InferenceService private-ai/m has security.opendatahub.io/enable-auth: "true"' in violation.message
    assert "answers 401 to the placeholder token 'fake'" in violation.message


def test_the_auth_proxy_url_of_a_foreign_stack_needs_a_token_too() -> None:
    url = "https://granite-8b-agent-predictor.private-ai.svc.cluster.local:8443/v1"
    [violation] = single(rule.POLICY, foreign_stack(url=url))
    assert "it is an auth proxy, which answers 401" in violation.message


def test_plain_http_to_a_model_behind_its_auth_proxy() -> None:
    stack = foreign_stack().edit(
        "granite-8b-agent", lambda props: props["metadata"]["annotations"].update({ENABLE_AUTH: "true"})
    )
    messages = [v.message for v in single(rule.POLICY, stack)]
    assert any("https on port 8443. Fix: url https://granite-8b-agent-predictor.private-ai" in m for m in messages)


def test_a_foreign_stack_with_a_created_inference_service() -> None:
    assert single(rule.POLICY, foreign_stack()) == []
    unlabelled = foreign_stack()
    unlabelled.resources[0] = inference_service("granite-8b-agent", ["--max-model-len=16384"])
    [violation] = single(rule.POLICY, unlabelled)
    assert violation.urn == unlabelled.urn("run-config")
    # Labelling it with a patch in the same stack is enough.
    assert single(rule.POLICY, unlabelled.add(asset_patch("granite-8b-agent"))) == []


def test_enrolled_maas_models_pass_on_every_release() -> None:
    """Providers maas-<model> reach the MaaS routes: listed by maas-api, not by the asset label."""
    for release in SUPPORTED:
        assert single(rule.POLICY, program_maas_stack(release)) == [], release


def test_a_maas_route_without_the_maas_prefix() -> None:
    def rename(document: dict[str, Any]) -> None:
        for provider in document["providers"]["inference"]:
            if provider["provider_id"] == "maas-qwen3":
                provider["provider_id"] = "gateway-qwen3"
        for registered in document["models"]:
            if registered["provider_id"] == "maas-qwen3":
                registered["provider_id"] = "gateway-qwen3"

    [violation] = single(rule.POLICY, program_maas_stack("3.0").edit_run_yaml(rename))
    assert "provider gateway-qwen3 in ConfigMap private-ai/llama-stack-config" in violation.message
    assert "reaches llm/qwen3 through the MaaS gateway, but its id does not start with maas-" in violation.message
    assert "the gateway answers 401 to the placeholder token 'fake'" in violation.message


def test_the_maas_prefix_on_a_provider_that_is_no_maas_route() -> None:
    def rename(document: dict[str, Any]) -> None:
        for item in [*document["providers"]["inference"], *document["models"]]:
            if item["provider_id"] == "vllm-mistral-3-int4":
                item["provider_id"] = "maas-mistral"

    stack = program_maas_stack("3.0").edit_run_yaml(rename)
    [violation] = single(rule.POLICY, stack)
    assert "provider maas-mistral" in violation.message
    assert "its id starts with maas- but its url is no MaaS route" in violation.message


def edit_config_yaml(change: Any) -> Any:
    def rewrite(props: dict[str, Any]) -> None:
        document = yaml.safe_load(props["data"]["config.yaml"])
        change(document)
        props["data"]["config.yaml"] = yaml.safe_dump(document)

    return rewrite


def test_on_the_ogx_server_the_program_stack_passes_and_a_missing_provider_fails() -> None:
    """RHOAI 3.5: the models are under registered_resources in config.yaml, mounted by the OGXServer."""
    assert single(rule.POLICY, playground_stack(Model("a"), Model("b"), release="3.5")) == []
    stack = playground_stack(Model("a"), release="3.5").edit(
        RUN_CONFIG, edit_config_yaml(lambda doc: doc["registered_resources"]["models"][0].update(provider_id="typo"))
    )
    [violation] = single(rule.POLICY, stack)
    assert "model vllm-a/a in ConfigMap private-ai/llama-stack-config" in violation.message
    assert "names provider_id typo" in violation.message
