"""The run.yaml builder: flat 3.0 layout, one remote::vllm provider per model, deterministic text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from genai_contract.names import REVISION_ENV

from genai_playground.config import StackConfig, parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.run_config import RenderedRunConfig, render_run_config
from tests.conftest import REPO, model, stack


def render(config: StackConfig) -> RenderedRunConfig:
    return render_run_config([resolve_endpoint(m, config) for m in config.models], config.playground, config.profile)


def document(config: StackConfig) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(render(config).text)
    return loaded


def two_models(**playground: Any) -> StackConfig:
    return parse_stack_config(
        stack(
            model("mistral-3-int4", displayName="Mistral-3 INT4 (1-GPU)", maxTokens=2048),
            model("gpt-oss-20b", servedModelName="openai/gpt-oss-20b", url="https://gpt.example.com/v1"),
            playground=playground,
        )
    )


def test_flat_layout_for_the_3_0_image() -> None:
    doc = document(two_models())
    assert (doc["version"], doc["image_name"], doc["server"]) == ("2", "rh", {"port": 8321})
    assert not {"storage", "registered_resources"} & set(doc)
    # As the image's default run.yaml: the registry and the stored chat completions in their own files.
    assert doc["metadata_store"] == {
        "type": "sqlite",
        "db_path": "${env.SQLITE_STORE_DIR:=/opt/app-root/src/.llama/distributions/rh}/registry.db",
    }
    assert doc["inference_store"]["db_path"].endswith("/inference_store.db")
    # safety has no provider: listed, it gets the (empty) router the agents provider needs to start.
    assert set(doc["apis"]) == set(doc["providers"]) | {"safety"}


def test_one_vllm_provider_per_model_sorted_by_name() -> None:
    vllm = [p for p in document(two_models())["providers"]["inference"] if p["provider_type"] == "remote::vllm"]
    assert vllm == [
        {
            "provider_id": "vllm-gpt-oss-20b",
            "provider_type": "remote::vllm",
            "config": {
                "url": "https://gpt.example.com/v1",
                "max_tokens": "${env.VLLM_MAX_TOKENS_GPT_OSS_20B:=4096}",
                "api_token": "${env.VLLM_API_TOKEN_GPT_OSS_20B:=fake}",
                "tls_verify": True,
            },
        },
        {
            "provider_id": "vllm-mistral-3-int4",
            "provider_type": "remote::vllm",
            "config": {
                "url": "http://mistral-3-int4-predictor.private-ai.svc.cluster.local:8080/v1",
                "max_tokens": "${env.VLLM_MAX_TOKENS_MISTRAL_3_INT4:=2048}",
                "api_token": "${env.VLLM_API_TOKEN_MISTRAL_3_INT4:=fake}",
                "tls_verify": True,
            },
        },
    ]


def test_every_model_is_provider_slash_name_whatever_its_served_name() -> None:
    llms = [m for m in document(two_models())["models"] if m["model_type"] == "llm"]
    assert llms == [
        {
            "model_id": "vllm-gpt-oss-20b/gpt-oss-20b",
            "provider_id": "vllm-gpt-oss-20b",
            "provider_model_id": "openai/gpt-oss-20b",
            "model_type": "llm",
            "metadata": {"display_name": "gpt-oss-20b"},
        },
        {
            "model_id": "vllm-mistral-3-int4/mistral-3-int4",
            "provider_id": "vllm-mistral-3-int4",
            "provider_model_id": "mistral-3-int4",
            "model_type": "llm",
            "metadata": {"display_name": "Mistral-3 INT4 (1-GPU)"},
        },
    ]


def test_rag_parts_match_the_dashboard_and_can_be_switched_off() -> None:
    with_rag = document(two_models())
    embedding = [m for m in with_rag["models"] if m["model_type"] == "embedding"]
    assert embedding == [
        {
            "model_id": "granite-embedding-125m",
            "provider_id": "sentence-transformers",
            "provider_model_id": "ibm-granite/granite-embedding-125m-english",
            "model_type": "embedding",
            "metadata": {"embedding_dimension": 768},
        }
    ]
    assert with_rag["providers"]["vector_io"][0]["provider_type"] == "inline::milvus"
    assert with_rag["tool_groups"] == [{"toolgroup_id": "builtin::rag", "provider_id": "rag-runtime"}]

    without = document(two_models(rag=False))
    assert [m["model_type"] for m in without["models"]] == ["llm", "llm"]
    # Agents (the dashboard's Responses API) stay, with the Milvus they need to start and the dashboard's files
    # panel writes to; safety gets a router without a provider.
    assert set(without["providers"]) == {"agents", "inference", "tool_runtime", "vector_io"}
    assert without["providers"]["vector_io"] == with_rag["providers"]["vector_io"]
    assert set(without["apis"]) == {"agents", "inference", "safety", "tool_runtime", "vector_io"}
    assert [p["provider_id"] for p in without["providers"]["tool_runtime"]] == ["model-context-protocol"]
    assert without["tool_groups"] == []


def test_env_covers_every_reference_and_tokens_come_from_secrets() -> None:
    config = parse_stack_config(stack(model("a", apiTokenSecret={"name": "a-token"}), model("b")))
    rendered = render(config)
    env = {var.name: var.manifest() for var in rendered.env}
    assert env["VLLM_API_TOKEN_A"] == {
        "name": "VLLM_API_TOKEN_A",
        "valueFrom": {"secretKeyRef": {"name": "a-token", "key": "token"}},
    }
    assert env["VLLM_API_TOKEN_B"] == {"name": "VLLM_API_TOKEN_B", "value": "fake"}
    assert env["VLLM_MAX_TOKENS_A"]["value"] == "4096"
    referenced = {part.split("}")[0].split(":")[0] for part in rendered.text.split("${env.")[1:]}
    # The config revision is set by the distribution itself (tests/test_manifests.py).
    assert referenced == set(env) | {REVISION_ENV}


def test_same_config_renders_byte_identical_text() -> None:
    assert render(two_models()).text == render(two_models()).text


def test_model_order_in_the_stack_file_does_not_matter() -> None:
    forward = parse_stack_config(stack(model("a"), model("b"), model("c")))
    backward = parse_stack_config(stack(model("c"), model("b"), model("a")))
    assert render(forward) == render(backward)


ENV_REFERENCE = re.compile(r"\$\{env\.[A-Za-z0-9_]+:([=+])([^}]*)\}")
README_SECTION = "### Our run.yaml against the image's default"


def as_served(value: Any) -> Any:
    """A run.yaml value as the server reads it with no env var set: `${env.X:=d}` is d, `${env.X:+v}` is
    empty, "true"/"false" and numbers are typed (llama_stack/core/stack.py replace_env_vars); null keys dropped."""
    if isinstance(value, dict):
        return {key: as_served(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [as_served(item) for item in value]
    if not isinstance(value, str):
        return value
    text = ENV_REFERENCE.sub(lambda m: m.group(2) if m.group(1) == "=" else "", value)
    if text in ("true", "false"):
        return text == "true"
    return int(text) if text.isdigit() else text


def differences(ours: dict[str, Any], image: dict[str, Any]) -> set[str]:
    """What a reader of both files would call different: keys, APIs, provider types, provider config keys,
    models and tool groups."""
    ours, image = as_served(ours), as_served(image)
    found = {f"top {key}" for key in set(ours) ^ set(image)}
    found |= {f"api {api}" for api in set(ours["apis"]) ^ set(image["apis"])}

    def providers(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(api, p["provider_type"]): p["config"] for api, entries in doc["providers"].items() for p in entries}

    mine, theirs = providers(ours), providers(image)
    found |= {f"provider {api} {kind}" for api, kind in set(mine) ^ set(theirs)}
    for key in set(mine) & set(theirs):
        for name in set(mine[key]) | set(theirs[key]):
            if mine[key].get(name) != theirs[key].get(name):
                found.add(f"config {key[0]} {key[1]} {name}")
    found |= {f"model {m}" for m in {m["model_id"] for m in ours["models"]} ^ {m["model_id"] for m in image["models"]}}
    groups = {g["toolgroup_id"] for g in ours["tool_groups"]} ^ {g["toolgroup_id"] for g in image["tool_groups"]}
    return found | {f"tool_group {g}" for g in groups}


def listed_differences() -> set[tuple[str, str]]:
    """(difference, when) rows of the README's table: every code span of the first column."""
    section = (REPO / "README.md").read_text().split(README_SECTION, 1)[1].split("\n#", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| `")]
    return {(span, row[2].strip()) for row in rows for span in re.findall(r"`([^`]+)`", row[1])}


def test_every_difference_from_the_images_run_yaml_is_listed_in_the_readme(llama_stack_distribution: Path) -> None:
    """The RHOAI 3.0 image's own default run.yaml (pinned: opendatahub-io/llama-stack-distribution@rhoai-v3.0,
    distribution/run.yaml) against ours."""
    image = yaml.safe_load((llama_stack_distribution / "run.yaml").read_text())
    found = {}
    for rag in (True, False):
        ours = document(parse_stack_config(stack(model("a"), playground={"rag": rag})))
        found[rag] = {d.replace("vllm-a/a", "vllm-<name>/<name>") for d in differences(ours, image)}
    expected = (
        {(d, "both") for d in found[True] & found[False]}
        | {(d, "rag off") for d in found[False] - found[True]}
        | {(d, "rag on") for d in found[True] - found[False]}
    )
    assert listed_differences() == expected


def test_from_3_3_the_chat_provider_gets_files_even_without_rag() -> None:
    """Llama Stack >= 0.4's agents (0.7: responses) provider needs a `files` provider to start (providers/registry/
    agents.py, responses.py: api_dependencies); the servers of 3.3 and 3.4 exit at start without one."""
    for release, has_files in (("3.0", False), ("3.2", False), ("3.3", True), ("3.4", True)):
        config = parse_stack_config(stack(model("m"), release=release, playground={"rag": False}))
        providers = document(config)["providers"]
        assert ("files" in providers) == has_files, release
        if has_files:
            assert [p["provider_type"] for p in providers["files"]] == ["inline::localfs"]
            assert "sentence-transformers" not in {p["provider_id"] for p in providers["inference"]}
