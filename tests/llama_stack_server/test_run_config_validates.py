"""Every run.yaml the program renders loads with the real Llama Stack 0.3.0rc3+rhai0, provider configs included.

The library ignores keys it does not know, so loading is not enough: the tests also check that it saw every
model and every provider the stack file asks for.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from genai_playground.config import StackConfig, parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.run_config import render_run_config
from tests.config_strategies import stack_configs
from tests.conftest import REPO, model, stack
from tests.llama_stack_server.servers import ConfigCheckers, RunConfigChecker
from tests.llama_stack_server.test_llama_stack_install import normalized, pins
from tests.support.stack_files import load_stack_file, run_stack
from tests.test_program import STACKS


def rendered(config: StackConfig) -> str:
    return render_run_config(
        [resolve_endpoint(m, config) for m in config.models], config.playground, config.profile
    ).text


def assert_understood(report: dict[str, Any], config: StackConfig) -> None:
    assert report["ok"], report.get("error")
    names = sorted(m.name for m in config.models)
    llms = sorted(m["model_id"] for m in report["models"] if m["model_type"] == "llm")
    assert llms == [f"vllm-{n}/{n}" for n in names]  # one shape for all: <provider_id>/<InferenceService name>
    assert sorted(p for p in report["providers"]["inference"] if p.startswith("vllm-")) == [f"vllm-{n}" for n in names]
    embeddings = [m["model_id"] for m in report["models"] if m["model_type"] == "embedding"]
    assert embeddings == (["granite-embedding-125m"] if config.playground.rag else [])
    # safety is listed with no provider: its (empty) router is what the agents provider needs.
    assert set(report["apis"]) == set(report["providers"]) | {"safety"}
    assert report["providers"]["vector_io"] == ["milvus"]  # the dashboard's files panel creates stores there
    assert report["server_port"] == 8321
    assert_installed(report["pip_packages"])


def requirement_names(specs: list[str]) -> set[str]:
    """Package names in provider pip specs such as 'torch torchvision --extra-index-url URL' or 'mcp>=1.8.1'."""
    words = [word for spec in specs for word in spec.split()]
    options = {i for i, word in enumerate(words) if word.startswith("--")}
    arguments = {i + 1 for i in options if words[i] in ("--extra-index-url", "--index-url")}
    names = [re.split(r"[\[<>=!~ ]", w, maxsplit=1)[0] for i, w in enumerate(words) if i not in options | arguments]
    return {normalized(name) for name in names}


def assert_installed(specs: list[str]) -> None:
    """What `llama stack build` installs for these providers is what the test server has (the image too)."""
    assert requirement_names(specs) - set(pins()) == set()


# The stack files of RHOAI 3.0, the release this module's checker runs; every release's below.
STACKS_30 = [name for name in STACKS if load_stack_file(REPO / f"Pulumi.{name}.yaml").release == "3.0"]


@pytest.mark.parametrize("stack_name", STACKS_30)
def test_every_stack_file(stack_name: str, run_config_checker: RunConfigChecker, tmp_path: Path) -> None:
    result = run_stack(stack_name)
    text = result.one("kubernetes:core/v1:ConfigMap", "playground-run-config").inputs["data"]["run.yaml"]
    path = tmp_path / "run.yaml"
    path.write_text(text)
    config = load_stack_file(REPO / f"Pulumi.{stack_name}.yaml")
    assert_understood(run_config_checker.check(path), config)


VARIATIONS: dict[str, dict[str, Any]] = {
    "rag off": stack(model("a"), playground={"rag": False}),
    "headed predictor": stack(model("a", predictorService="headed")),
    "url override, tls off": stack(model("a", url="https://models.example.com/a/v1", tlsVerify=False)),
    "token from a Secret": stack(model("a", apiTokenSecret={"name": "a-token", "key": "api-key"})),
    "served name with org": stack(model("a", servedModelName="RedHatAI/Mistral-Small-24B-Instruct-2501")),
    "many models": stack(*[model(f"m-{i}", maxTokens=512 * (i + 1)) for i in range(12)]),
    "playground defaults changed": stack(model("a"), playground={"defaultMaxTokens": 8192, "tlsVerify": False}),
}


@pytest.mark.parametrize("case", sorted(VARIATIONS))
def test_config_variations(case: str, run_config_checker: RunConfigChecker, tmp_path: Path) -> None:
    config = parse_stack_config(VARIATIONS[case])
    path = tmp_path / "run.yaml"
    path.write_text(rendered(config))
    assert_understood(run_config_checker.check(path), config)


def test_a_provider_whose_required_api_is_not_listed_is_reported(
    run_config_checker: RunConfigChecker, tmp_path: Path
) -> None:
    """What the server does at start, without starting it: agents need safety listed (as the dashboard does)."""
    document = yaml.safe_load(rendered(parse_stack_config(stack(model("a")))))
    document["apis"].remove("safety")
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(document))
    report = run_config_checker.check(path)
    assert not report["ok"] and "agents provider meta-reference needs ['safety']" in report["error"]


def test_a_broken_document_is_reported(run_config_checker: RunConfigChecker, tmp_path: Path) -> None:
    """The checker can fail: a provider config its class rejects."""
    document = yaml.safe_load(rendered(parse_stack_config(stack(model("a"), playground={"rag": False}))))
    document["providers"]["inference"][0]["config"]["tls_verify"] = {"not": "a bool or path"}
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(document))
    report = run_config_checker.check(path)
    assert not report["ok"] and "tls_verify" in report["error"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=stack_configs(releases=("3.0",)))  # the server this checker runs: RHOAI 3.0's
def test_random_valid_configs(raw: dict[str, Any], run_config_checker: RunConfigChecker, tmp_path: Path) -> None:
    config = parse_stack_config(raw)
    path = tmp_path / "random-run.yaml"
    path.write_text(rendered(config))
    assert_understood(run_config_checker.check(path), config)


@pytest.mark.parametrize("api", ["inference", "safety", "tool_runtime", "vector_io"])
@pytest.mark.parametrize("change", ["not listed", "listed without a provider"])
def test_the_packs_agents_rule_is_the_servers(
    api: str, change: str, run_config_checker: RunConfigChecker, tmp_path: Path
) -> None:
    """llama-stack-config-valid's verdict on an agents provider's dependencies equals the server's own resolver."""
    from genai_policies import llama_stack_config_valid as rule

    document = yaml.safe_load(rendered(parse_stack_config(stack(model("a"), playground={"rag": False}))))
    if change == "not listed":
        document["apis"].remove(api)
    document["providers"].pop(api, None)
    if api == "inference":
        document["models"] = []  # no provider left to register them on
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(document))
    server_starts = run_config_checker.check(path)["ok"]
    pack_passes = not list(rule._agents_dependencies("run.yaml", document))
    assert pack_passes == server_starts


@pytest.mark.parametrize("rag", [True, False], ids=["rag", "no-rag"])
@pytest.mark.parametrize("stack_name", STACKS)
def test_every_stack_file_loads_and_resolves_on_its_releases_server(
    stack_name: str, rag: bool, config_checkers: ConfigCheckers, tmp_path: Path
) -> None:
    """Each example stack, with RAG and without, loaded by its own release's server as it loads its config (every
    provider through its class) with its start-up dependencies resolved (tests/support/check_run_config.py): the
    storage layout from 3.2, the files provider the chat provider needs from 3.3, responses on 3.4, OGX on 3.5."""
    config = load_stack_file(REPO / f"Pulumi.{stack_name}.yaml")
    config = config.model_copy(update={"playground": config.playground.model_copy(update={"rag": rag})})
    endpoints = [resolve_endpoint(m, config) for m in config.models]
    rendered = render_run_config(endpoints, config.playground, config.profile)
    path = tmp_path / config.profile.config_key
    path.write_text(rendered.text)
    report = config_checkers[config.release].check(path, {var.name: var.value or "x" for var in rendered.env})
    assert report["ok"], report.get("error")
    providers = report["provider_configs"]["inference"]
    assert sorted(p for p in providers if p.startswith("vllm-")) == sorted(f"vllm-{m.name}" for m in config.models)


@pytest.mark.parametrize("release", ["3.3", "3.4"])
def test_without_files_the_chat_provider_does_not_resolve_as_the_pack_says(
    release: str, config_checkers: ConfigCheckers, tmp_path: Path
) -> None:
    """From Llama Stack 0.4 the chat provider needs a files provider (why the config carries one without RAG):
    the release's own server refuses the config without it, and llama-stack-config-valid says so."""
    from genai_contract.releases import PROFILES
    from genai_policies import llama_stack_config_valid as rule

    config = parse_stack_config(stack(model("a"), release=release, playground={"rag": False}))
    rendered = render_run_config([resolve_endpoint(config.models[0], config)], config.playground, config.profile)
    document = yaml.safe_load(rendered.text)
    env = {var.name: var.value or "x" for var in rendered.env}
    path = tmp_path / config.profile.config_key
    path.write_text(rendered.text)
    assert config_checkers[release].check(path, env)["ok"]
    del document["providers"]["files"]
    path.write_text(yaml.safe_dump(document))
    report = config_checkers[release].check(path, env)
    assert not report["ok"] and "provider meta-reference needs ['files']" in report["error"]
    [message] = rule._chat_dependencies("config.yaml", document, PROFILES[release], release)
    assert "lists files with no provider" in message
