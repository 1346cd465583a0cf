"""llama-stack-config-valid: the server config and its distribution give a server that starts on their release."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES, SUPPORTED
from genai_policies import llama_stack_config_valid as rule

from tests.policies.fixtures import Model, config_map, distribution, foreign_stack, playground_stack
from tests.policies.harness import InProcessPack, single

# Room for the GPUs of the models these tests deploy (gpu-budget's default is the seed cluster's).
GPU_BUDGET = {"gpu-budget": {"maxAlwaysOnGpus": 64}}

NAME = "llama-stack-config-valid"
RUN_CONFIG = "playground-run-config"
LSD = "playground-distribution"


def spec_server(change: Any) -> Any:
    return lambda props: change(props["spec"]["server"])


def test_passes_the_program_stack() -> None:
    assert single(rule.POLICY, playground_stack(Model("a"), Model("b"))) == []


def test_a_config_map_without_run_yaml() -> None:
    stack = playground_stack(Model("a")).edit(RUN_CONFIG, lambda p: p.update(data={"config.yaml": "x: 1"}))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(RUN_CONFIG))
    assert "has no run.yaml key (keys: config.yaml)" in violation.message


def test_yaml_that_does_not_parse() -> None:
    stack = playground_stack(Model("a")).edit(RUN_CONFIG, lambda p: p["data"].update({"run.yaml": "models: [\n"}))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(RUN_CONFIG)
    assert "is not valid YAML, so the server crash-loops" in violation.message


@pytest.mark.parametrize("key", ["storage", "registered_resources"])
def test_the_newer_layout(key: str) -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc.update({key: {}}))
    [violation] = single(rule.POLICY, stack)
    assert f"uses {key}, keys of another release's layout that the server of RHOAI 3.0 " in violation.message


@pytest.mark.parametrize("dropped", ["safety", "vector_io"])
def test_agents_without_an_api_they_need_crash_the_server(dropped: str) -> None:
    stack = playground_stack(Model("a"), rag=False).edit_run_yaml(lambda doc: doc["apis"].remove(dropped))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(RUN_CONFIG))
    assert f"configures an agents provider but does not serve {dropped}" in violation.message
    assert "crash-loops" in violation.message


def test_vector_io_listed_without_a_provider_crashes_the_server() -> None:
    """Routed APIs (safety, tool_runtime) may be listed without a provider; in 0.3.0rc3+rhai0 vector_io may not."""
    stack = playground_stack(Model("a"), rag=False).edit_run_yaml(lambda doc: doc["providers"].pop("vector_io"))
    [violation] = single(rule.POLICY, stack)
    assert "lists vector_io with no provider" in violation.message and "crash-loops" in violation.message
    routed = playground_stack(Model("a"), rag=False).edit_run_yaml(lambda doc: doc["providers"].pop("tool_runtime"))
    assert single(rule.POLICY, routed) == []


def test_without_an_apis_list_the_providers_are_what_is_served() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc.pop("apis"))
    [violation] = single(rule.POLICY, stack)
    assert "does not serve safety" in violation.message


def test_no_agents_no_requirement() -> None:
    def drop_agents(doc: dict[str, Any]) -> None:
        del doc["providers"]["agents"]
        doc["apis"] = sorted(doc["providers"])

    assert single(rule.POLICY, playground_stack(Model("a"), rag=False).edit_run_yaml(drop_agents)) == []


def inference_config(**changes: Any) -> Any:
    return lambda doc: doc["providers"]["inference"][0]["config"].update(changes)


def test_a_key_the_config_class_does_not_have_is_dropped_without_a_word() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(inference_config(base_url="http://x/v1"))
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level, violation.urn) == (NAME, "mandatory", stack.urn(RUN_CONFIG))
    assert "provider vllm-a (inference, remote::vllm)" in violation.message
    assert "VLLMInferenceAdapterConfig (Llama Stack 0.3.0rc3+rhai0, RHOAI 3.0 (" in violation.message
    assert ") has no config key base_url" in violation.message
    assert "drops it without a word" in violation.message and "Did you mean url?" in violation.message
    assert "Keys it takes: allowed_models, api_token, max_tokens, refresh_models, tls_verify, url" in violation.message


def openai_provider(config: dict[str, Any]) -> Any:
    provider = {"provider_id": "openai", "provider_type": "remote::openai", "config": config}
    return lambda doc: doc["providers"]["inference"].append(provider)


def test_base_url_is_right_for_the_providers_whose_class_has_it() -> None:
    """remote::openai takes base_url in 0.3.0rc3+rhai0 (the 3.0 image's own default run.yaml sets it)."""
    config = {"base_url": "https://api.openai.com/v1", "api_key": "${env.OPENAI_API_KEY:=}"}
    assert single(rule.POLICY, playground_stack(Model("a")).edit_run_yaml(openai_provider(config))) == []


def test_an_alias_is_the_key_a_field_takes() -> None:
    """remote::vllm's auth_credential is written api_token (its alias); the field name itself is no key."""
    stack = playground_stack(Model("a")).edit_run_yaml(inference_config(auth_credential="${env.X:=fake}"))
    [violation] = single(rule.POLICY, stack)
    assert "has no config key auth_credential" in violation.message


def test_a_missing_required_field_stops_the_server() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: doc["providers"]["vector_io"][0]["config"].pop("db_path")
    )
    [violation] = single(rule.POLICY, stack)
    assert "provider milvus (vector_io, inline::milvus): the config lacks db_path" in violation.message
    assert "the server does not start" in violation.message


def test_a_provider_type_the_server_does_not_have() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0].update(provider_type="remote::vlm")
    )
    [violation] = single(rule.POLICY, stack)
    assert "has no provider type remote::vlm for inference" in violation.message
    assert "remote::vllm" in violation.message  # the list of what there is
    external = stack.edit_run_yaml(lambda doc: doc.update(external_providers_dir="/opt/providers"))
    assert single(rule.POLICY, external) == []


def test_a_disabled_provider_is_not_checked() -> None:
    """provider_id resolving empty (the image's `${env.X:+id}` pattern) switches a provider off."""
    disabled = openai_provider({"no_such_key": 1})
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: (
            disabled(doc),
            doc["providers"]["inference"][-1].update(provider_id="${env.OPENAI_API_KEY:+openai}"),
        )
    )
    assert single(rule.POLICY, stack) == []
    [violation] = single(rule.POLICY, stack.set_env("OPENAI_API_KEY", secret="openai"))
    assert "has no config key no_such_key" in violation.message


def test_every_provider_of_the_image_default_run_yaml_passes(llama_stack_distribution: Path) -> None:
    """The RHOAI 3.0 image's own run.yaml (opendatahub-io/llama-stack-distribution rhoai-v3.0), every provider
    switched on (`${env.X:+id}` -> id), so that each config is checked."""
    document = yaml.safe_load((llama_stack_distribution / "run.yaml").read_text())
    for providers in document["providers"].values():
        for provider in providers:
            provider["provider_id"] = re.sub(r"\$\{env\.\w+:\+(.*)\}", r"\1", provider["provider_id"])
    assert any(p["provider_type"] == "remote::openai" for p in document["providers"]["inference"])
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc.update(providers=document["providers"]))
    messages = [v.message for v in single(rule.POLICY, stack)]
    assert not [m for m in messages if "config key" in m or "lacks" in m or "provider type" in m], messages


def test_an_env_var_without_default_must_be_set_on_the_distribution() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: doc["providers"]["inference"][0]["config"].update(api_token="${env.MODEL_TOKEN}")
    )
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(LSD)
    assert "references ${env.MODEL_TOKEN} with no default" in violation.message
    assert "CrashLoopBackOff" in violation.message
    assert single(rule.POLICY, stack.set_env("MODEL_TOKEN", secret="token")) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.update(distribution={"name": "starter"}), "server.distribution is name starter"),
        (lambda s: s.update(distribution={"image": "quay.io/x/y:1"}), "server.distribution is image quay.io/x/y:1"),
        (lambda s: s.pop("userConfig"), "server.userConfig.configMapName is not set"),
    ],
)
def test_distribution_problems(change: Any, expected: str) -> None:
    stack = playground_stack(Model("a")).edit(LSD, spec_server(change))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(LSD) and expected in violation.message


def test_a_config_map_in_another_namespace() -> None:
    stack = (
        playground_stack(Model("a"))
        .remove(RUN_CONFIG)
        .add(config_map(None, name="cm", namespace="other", data={"run.yaml": "version: '2'\nproviders: {}\n"}))
    )
    stack.edit(LSD, spec_server(lambda s: s["userConfig"].update(configMapNamespace="other")))
    [violation] = single(rule.POLICY, stack)
    assert "outside the distribution's namespace private-ai" in violation.message


@pytest.mark.parametrize(("port", "ok"), [(8321, True), (0, True), (None, True), (8080, False)])
def test_container_port_and_server_port_agree(port: int | None, ok: bool) -> None:
    def set_port(server: dict[str, Any]) -> None:
        if port is None:
            server["containerSpec"].pop("port")
        else:
            server["containerSpec"]["port"] = port

    stack = playground_stack(Model("a")).edit(LSD, spec_server(set_port))
    violations = single(rule.POLICY, stack)
    assert (violations == []) is ok
    if not ok:
        assert "exposes port 8080 (containerSpec.port) but run.yaml" in violations[0].message
        assert "listen on 8321" in violations[0].message


def test_server_port_through_env() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(lambda doc: doc.update(server={"port": "${env.PORT:=8321}"}))
    assert single(rule.POLICY, stack) == []
    [violation] = single(rule.POLICY, stack.set_env("PORT", "9000"))
    assert "listen on 9000 (${env.PORT:=8321} with PORT=9000)" in violation.message


def test_a_foreign_distribution_and_config_map() -> None:
    lsd = distribution([], name="lsd", config_map_name="cfg")
    stack = playground_stack(Model("a")).add(lsd, config_map("models: [", name="cfg-res", object_name="cfg"))
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn("cfg-res") and "not valid YAML" in violation.message


def test_the_config_revision_is_the_one_key_the_mcp_provider_may_carry() -> None:
    """The program's revision marker (genai_contract.names.REVISION_KEY) is deliberate; any other stray key is not."""
    from genai_contract.names import REVISION_KEY, REVISION_PROVIDER_ID

    def mcp_config(**changes: Any) -> Any:
        return lambda doc: next(
            p for p in doc["providers"]["tool_runtime"] if p["provider_id"] == REVISION_PROVIDER_ID
        )["config"].update(changes)

    stack = playground_stack(Model("a"))
    run_yaml = yaml.safe_load(stack.get(RUN_CONFIG).properties["data"]["run.yaml"])
    assert any(REVISION_KEY in p["config"] for p in run_yaml["providers"]["tool_runtime"])  # the program sets it
    assert single(rule.POLICY, stack) == []
    [violation] = single(rule.POLICY, stack.edit_run_yaml(mcp_config(config_revisoin="r-1")))
    assert "MCPProviderConfig (Llama Stack 0.3.0rc3+rhai0, RHOAI 3.0 (" in violation.message
    assert ") has no config key config_revisoin" in violation.message


# --- RHOAI 3.5: the OGXServer, its config.yaml, OGX 1.2.4's provider config classes


def test_the_programs_ogx_stack_passes() -> None:
    assert single(rule.POLICY, playground_stack(Model("a"), release="3.5")) == []
    assert single(rule.POLICY, playground_stack(Model("a"), release="3.5", rag=False)) == []


def test_an_ogx_provider_key_ogx_does_not_take() -> None:
    def rename(props: dict[str, Any]) -> None:
        document = yaml.safe_load(props["data"]["config.yaml"])
        config = document["providers"]["inference"][0]["config"]
        config["url"] = config.pop("base_url")
        props["data"]["config.yaml"] = yaml.safe_dump(document)

    stack = playground_stack(Model("a"), release="3.5").edit("playground-run-config", rename)
    messages = [v.message for v in single(rule.POLICY, stack)]
    # The URL under the other release's field: the message says which field this release reads.
    assert any(
        "the model's URL is under url, but on RHOAI 3.5 (annotation genai-playground/rhoai-release)" in m
        and "OGX 1.2.4) reads base_url: the server drops url without a word" in m
        for m in messages
    ), messages


def test_an_ogx_server_whose_config_map_lacks_its_key() -> None:
    def rekey(props: dict[str, Any]) -> None:
        props["data"] = {"run.yaml": props["data"]["config.yaml"]}

    stack = playground_stack(Model("a"), release="3.5").edit("playground-run-config", rekey)
    [violation] = single(rule.POLICY, stack)
    assert "mounted by OGXServer private-ai/lsd-genai-playground, has no config.yaml key" in violation.message
    assert "/etc/ogx/config.yaml" in violation.message


def test_an_env_reference_the_ogx_server_does_not_set() -> None:
    def drop(props: dict[str, Any]) -> None:
        document = yaml.safe_load(props["data"]["config.yaml"])
        document["providers"]["inference"][0]["config"]["api_token"] = "${env.NOT_SET}"
        props["data"]["config.yaml"] = yaml.safe_dump(document)

    stack = playground_stack(Model("a"), release="3.5").edit("playground-run-config", drop)
    [violation] = single(rule.POLICY, stack)
    assert "OGXServer private-ai/lsd-genai-playground does not set it" in violation.message
    assert "spec.workload.overrides.env" in violation.message


# ------------------------------------------------------------------------------------------ per release


@pytest.mark.parametrize("rag", [True, False])
@pytest.mark.parametrize("release", SUPPORTED)
def test_our_output_of_every_release_passes_the_whole_pack(release: str, rag: bool) -> None:
    stack = playground_stack(Model("a"), Model("b", live_args=("--max-model-len=16384",)), rag=rag, release=release)
    assert InProcessPack(config=GPU_BUDGET).check(stack) == []


@pytest.mark.parametrize("release", [r for r in SUPPORTED if PROFILES[r].vllm_url_field == "base_url"])
def test_url_on_a_base_url_release_is_dropped_and_says_the_release(release: str) -> None:
    def back_to_url(doc: dict[str, Any]) -> None:
        config = doc["providers"]["inference"][0]["config"]
        config["url"] = config.pop("base_url")

    stack = playground_stack(Model("a"), release=release).edit_run_yaml(back_to_url)
    [violation] = single(rule.POLICY, stack)
    assert violation.urn == stack.urn(RUN_CONFIG)
    assert f"the model's URL is under url, but on RHOAI {release} (annotation genai-playground/rhoai-release)" in (
        violation.message
    )
    assert "reads base_url: the server drops url without a word and the provider has no URL" in violation.message


def test_the_key_of_another_release_is_not_read() -> None:
    stack = playground_stack(Model("a"), release="3.3").edit(
        RUN_CONFIG, lambda p: p.update(data={"run.yaml": p["data"]["config.yaml"]})
    )
    [violation] = single(rule.POLICY, stack)
    assert "has no config.yaml key (keys: run.yaml); run.yaml is the key of other releases" in violation.message
    assert "on RHOAI 3.3 (annotation genai-playground/rhoai-release) the server reads /etc/llama-stack/config.yaml" in (
        violation.message
    )


def test_the_flat_layout_on_a_storage_release_has_no_models_and_no_storage() -> None:
    def flatten(doc: dict[str, Any]) -> None:
        doc["models"] = doc.pop("registered_resources")["models"]
        del doc["storage"]

    stack = playground_stack(Model("a"), release="3.2").edit_run_yaml(flatten)
    messages = [v.message for v in single(rule.POLICY, stack)]
    assert any("uses models, keys of another release's layout that the server of RHOAI 3.2" in m for m in messages)
    assert any("has no storage, which the server of RHOAI 3.2 (annotation" in m for m in messages)


def test_the_agents_api_does_not_exist_on_3_4() -> None:
    def agents(doc: dict[str, Any]) -> None:
        doc["providers"]["agents"] = doc["providers"].pop("responses")

    stack = playground_stack(Model("a"), release="3.4").edit_run_yaml(agents)
    messages = [v.message for v in single(rule.POLICY, stack)]
    assert any("API agents does not exist in Llama Stack 0.7.1+rhaiv.1, RHOAI 3.4 (" in m for m in messages)


@pytest.mark.parametrize("release", [r for r in SUPPORTED if "files" in PROFILES[r].chat_needs_provider])
def test_a_chat_provider_without_files_does_not_start_from_3_3(release: str) -> None:
    def no_files(doc: dict[str, Any]) -> None:
        del doc["providers"]["files"]

    stack = playground_stack(Model("a"), rag=False, release=release).edit_run_yaml(no_files)
    [violation] = single(rule.POLICY, stack)
    chat = PROFILES[release].chat_api
    assert f"configures an {chat} provider and lists files with no provider: on RHOAI {release}" in violation.message


def test_a_foreign_config_without_annotation_is_judged_as_the_release_it_fits() -> None:
    """A config.yaml in the storage layout, written by hand: RHOAI 3.3's shape, so its url is dropped."""

    def as_3_3(props: dict[str, Any]) -> None:
        document = yaml.safe_load(props["data"]["run.yaml"])
        providers, models = document["providers"], document.pop("models")
        for provider in providers["inference"]:
            provider["config"]["url"] = provider["config"].get("url", "http://x/v1")
        document.update(
            storage={"backends": {}, "stores": {}},
            registered_resources={"models": models},
        )
        props["data"] = {"config.yaml": yaml.safe_dump(document)}

    stack = foreign_stack().edit("run-config", as_3_3)
    messages = [v.message for v in single(rule.POLICY, stack)]
    assert any(
        "on RHOAI 3.3 (inferred from its config: no genai-playground/rhoai-release annotation) the remote::vllm" in m
        for m in messages
    ), messages


def test_tls_verify_against_a_ca_bundle_the_server_does_not_mount() -> None:
    secured = Model("a", auth_proxy=True, token_secret="a-token")
    stack = playground_stack(secured)
    assert single(rule.POLICY, stack) == []  # the program names OpenShift's service CA on the distribution
    bare = stack.edit("playground-distribution", lambda props: props["spec"]["server"].pop("tlsConfig"))
    [violation] = single(rule.POLICY, bare)
    assert violation.urn == bare.urn("playground-distribution")
    assert "verifies TLS against /etc/ssl/certs/ca-bundle.crt" in violation.message
    assert "spec.server.tlsConfig.caBundle" not in violation.message  # named by its fields: server.tlsConfig
    assert (
        "server.tlsConfig.caBundle" in violation.message and "TLS certificate file does not exist" in violation.message
    )
