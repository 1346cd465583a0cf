"""genai_contract: the names, vLLM command lines, workload facts and addresses the program and the pack share."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest
from genai_contract import names
from genai_contract.addresses import is_cluster_internal, service_address
from genai_contract.vllm_args import FlagError, human_readable_int, parse_serve_args
from genai_contract.workloads import (
    NOT_KNOWN,
    container_env,
    expand_references,
    fill_placeholders,
    inference_service_facts,
    llm_inference_service_facts,
    shell_words,
)

from tests.support.isvc_snapshots import TEMPLATE_ARGS, live_isvc, serving_runtime

CONTRACT_DIR = Path(names.__file__).parent

# ------------------------------------------------------------------------------------ vLLM 0.11.0's parser


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("16384", 16384),
        ("32k", 32_000),
        ("32K", 32_768),
        ("25.6k", 25_600),  # vLLM's own docstring example
        ("1.0005k", 1000),  # int(float * 1000): vLLM truncates
        ("1m", 1_000_000),
        ("1M", 1_048_576),
        ("1g", 1_000_000_000),
        ("2G", 2 * 2**30),
        (" 16384 ", 16384),  # stripped
        ("+16384", 16384),  # int() reads these too
        ("16_384", 16384),
        ("-1", -1),
    ],
)
def test_human_readable_int(text: str, tokens: int) -> None:
    assert human_readable_int(text) == tokens


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1.5K", "Decimals are not allowed with binary suffixes like K. Did you mean to use 1.5k instead?"),
        ("1t", "invalid human_readable_int value: '1t'"),  # the regex admits t/T, no table has them
        ("1T", "invalid human_readable_int value: '1T'"),
        ("16kb", "invalid human_readable_int value: '16kb'"),
        ("", "invalid human_readable_int value: ''"),
        ("1.5", "invalid human_readable_int value: '1.5'"),
    ],
)
def test_human_readable_int_errors(text: str, error: str) -> None:
    with pytest.raises(FlagError) as caught:
        human_readable_int(text)
    assert str(caught.value) == error


@pytest.mark.parametrize(
    ("argv", "length", "served"),
    [
        (["--max-model-len=16384"], "16384", None),
        (["--max-model-len", "16k", "--enforce-eager"], "16k", None),
        (["--max_model_len=8192"], "8192", None),  # FlexibleArgumentParser: `_` is `-` in the name
        (["--max-model-len=4096", "--max-model-len=8192"], "8192", None),  # the last wins
        (["--max-model=8k", "--max-m", "9k"], "9k", None),  # unambiguous prefixes
        (["--max-mo-len=1"], None, None),  # no prefix of --max-model-len: not ours
        (["--served-model-name", "a", "b", "--port", "8080"], None, ("a", "b")),  # nargs="+"
        (["--served-model-name=a", "b"], None, ("a",)),  # `=` gives one value
        (["--served-model-name", "a", "--served-model-name", "b"], None, ("b",)),
        (["--serv", "a"], None, ("a",)),
        (["--served-model-name", "a", "-1", "--x"], None, ("a", "-1")),  # a negative number is no option
        (["--served-model-name", "a b"], None, ("a b",)),  # one argv word
        (["--served-model-name", "a", "--", "b"], None, ("a",)),
        (["--max-model-len.x=1"], None, None),  # vLLM's JSON dict syntax
    ],
)
def test_serve_args(argv: list[str], length: str | None, served: tuple[str, ...] | None) -> None:
    args = parse_serve_args(argv)
    assert (args.max_model_len, args.served_model_names) == (length, served)


def test_without_the_flag_vllm_answers_to_its_model() -> None:
    assert parse_serve_args(["--model=/mnt/models"]).served_names() == ("/mnt/models",)
    assert parse_serve_args(["vllm", "serve", "/mnt/models", "--port", "8000"]).served_names() == ("/mnt/models",)
    assert parse_serve_args(["--port=8080"]).served_names() is None


def test_what_argparse_refuses() -> None:
    assert parse_serve_args(["--max-model-len"]).errors == ("argument --max-model-len: expected one argument",)
    assert parse_serve_args(["--max-model-len", "--port=1"]).errors == (
        "argument --max-model-len: expected one argument",
    )
    assert parse_serve_args(["--served-model-name", "--port=1"]).errors == (
        "argument --served-model-name: expected at least one argument",
    )
    assert parse_serve_args(["--max-model-len", "--max-model-len=1"]).errors == ()  # the later one stands
    assert parse_serve_args(["--max-model-len=1.5K"]).context_length() == (
        None,
        "argument --max-model-len: Decimals are not allowed with binary suffixes like K. Did you mean to use 1.5k "
        "instead?",
    )


def test_a_config_file_may_hold_what_the_command_line_lacks() -> None:
    args = parse_serve_args(["--config", "/etc/vllm.yaml", "--model=/mnt/models"])
    assert args.config_file == "/etc/vllm.yaml"
    facts = inference_service_facts(
        live_isvc("m", ["--config", "/etc/vllm.yaml"]), serving_runtime(args=["--model=/mnt/models"])
    )
    assert facts.served_names == () and facts.max_model_len is None
    assert any("--config /etc/vllm.yaml" in reason for reason in facts.unknowns)


# ------------------------------------------------------------------------- Kubernetes and shell expansion


def test_kubernetes_env_references() -> None:
    env = {"A": "1", "S": NOT_KNOWN}
    assert expand_references("--x=$(A)", env.get) == "--x=1"
    assert expand_references("--x=$$(A)", env.get) == "--x=$(A)"  # escaped
    assert expand_references("--x=$(B)", env.get) == "--x=$(B)"  # undefined: left as written
    assert expand_references("$(A", env.get) == "$(A"  # no closer
    assert expand_references("$x$", env.get) == "$x$"
    assert expand_references("--x=$(S)", env.get) is None  # valueFrom: unknown before the pod runs


def test_container_env_expands_earlier_entries_and_marks_value_from() -> None:
    env = container_env(
        {
            "env": [
                {"name": "A", "value": "8"},
                {"name": "B", "value": "$(A)k"},
                {"name": "C", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
            ]
        }
    )
    assert (env.lookup("B"), env.lookup("C"), env.lookup("D")) == ("8k", NOT_KNOWN, None)
    assert container_env({"envFrom": [{"configMapRef": {"name": "x"}}]}).lookup("D") is NOT_KNOWN


def test_go_template_placeholders() -> None:
    assert fill_placeholders("--served-model-name={{.Name}}", {"Name": "m"}) == "--served-model-name=m"
    assert fill_placeholders("{{ .Spec.Model.Name }}", {"Spec.Model.Name": "q"}) == "q"
    assert fill_placeholders("{{.Labels.x}}", {"Name": "m"}) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("--max-model-len 8k  --x", ["--max-model-len", "8k", "--x"]),
        ("--served-model-name 'a b' c\"d\"", ["--served-model-name", "a b", "cd"]),
        ("--json '{\"a\": 1}'", ["--json", '{"a": 1}']),
        ('--x "a\\"b"', ["--x", 'a"b']),
        ("--x a\\ b", ["--x", "a b"]),
        ("--x ''", ["--x", ""]),
        ("", []),
        ("--x $HOME", None),  # expands
        ('--x "$(id)"', None),
        ("--x `id`", None),
        ("--x a; rm -rf /", None),
        ("--x {a,b}", None),
        ("--x *", None),
        ("# comment", None),
        ("--x 'unclosed", None),
    ],
)
def test_shell_words(text: str, words: list[str] | None) -> None:
    assert shell_words(text) == words


# ----------------------------------------------------------------------------------- workload facts


def test_runtime_args_come_first_and_lose() -> None:
    isvc = live_isvc("m", ["--max-model-len=16k", "--served-model-name", "a", "b"], gpus=2)
    facts = inference_service_facts(isvc, serving_runtime(args=[*TEMPLATE_ARGS, "--max-model-len=8192"]))
    assert (facts.max_model_len, facts.max_model_len_flag, facts.served_names) == (16_000, "16k", ("a", "b"))
    assert (facts.min_replicas, facts.gpus, facts.runtime, facts.runtime_assumed) == (1, 2, "vllm-runtime", False)


def test_the_runtime_placeholder_is_the_inference_service_name() -> None:
    facts = inference_service_facts(live_isvc("granite", []), serving_runtime())
    assert facts.served_names == ("granite",)
    assumed = inference_service_facts(live_isvc("granite", []))
    assert assumed.served_names == ("granite",) and assumed.runtime_assumed


def test_the_inference_service_command_and_env_override_the_runtime() -> None:
    runtime = serving_runtime(args=["--max-model-len=$(LEN)"])
    runtime["spec"]["containers"][0]["env"] = [{"name": "LEN", "value": "4096"}]
    isvc = live_isvc("m", [])
    isvc["spec"]["predictor"]["model"]["env"] = [{"name": "LEN", "value": "8192"}]
    assert inference_service_facts(isvc, runtime).max_model_len == 8192
    isvc["spec"]["predictor"]["model"]["command"] = ["vllm", "serve", "/models/granite"]
    assert inference_service_facts(isvc, runtime).served_names == ("/models/granite",)


def test_gpus_of_every_container_of_the_pod() -> None:
    runtime = serving_runtime()
    runtime["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": "1"}}
    runtime["spec"]["containers"].append({"name": "sidecar", "resources": {"requests": {"amd.com/gpu": 1}}})
    isvc = live_isvc("m", [], gpus=4)
    isvc["spec"]["predictor"]["containers"] = [{"name": "extra", "resources": {"limits": {"nvidia.com/gpu": 2}}}]
    assert inference_service_facts(isvc, runtime).gpus == 4 + 1 + 2  # the model's limit wins over the runtime's


def test_a_custom_predictor_runs_its_kserve_container() -> None:
    isvc: dict[str, Any] = {
        "metadata": {"name": "m"},
        "spec": {
            "predictor": {
                "containers": [
                    {"name": "proxy", "args": ["--max-model-len=1"]},
                    {"name": "kserve-container", "command": ["vllm", "serve", "x"], "args": ["--max-model-len=2k"]},
                ]
            }
        },
    }
    facts = inference_service_facts(isvc)
    assert (facts.max_model_len, facts.served_names, facts.runtime) == (2000, ("x",), None)


def test_auth_comes_from_the_annotation() -> None:
    assert inference_service_facts(live_isvc("m", [], auth=True)).auth
    assert not inference_service_facts(live_isvc("m", [])).auth


def llm(env: list[dict[str, Any]] | None = None, **main: Any) -> dict[str, Any]:
    container = {"name": "main", "resources": {"limits": {"nvidia.com/gpu": "2"}}, **main}
    if env is not None:
        container["env"] = env
    return {
        "metadata": {"name": "qwen", "namespace": "llm"},
        "spec": {"replicas": 2, "template": {"containers": [container]}},
    }


def test_llm_inference_service_on_the_template() -> None:
    facts = llm_inference_service_facts(llm())
    assert facts.served_names == ("qwen",)  # spec.model.name defaults to the object's name
    assert (facts.min_replicas, facts.gpus, facts.max_model_len) == (2, 2, None)
    named = llm()
    named["spec"]["model"] = {"name": "Qwen/Qwen3-8B"}
    assert llm_inference_service_facts(named).served_names == ("Qwen/Qwen3-8B",)


def test_vllm_additional_args() -> None:
    env = [
        {"name": "LEN", "value": "32k"},
        {"name": "VLLM_ADDITIONAL_ARGS", "value": "--max-model-len $(LEN) --served-model-name 'q a' q"},
    ]
    facts = llm_inference_service_facts(llm(env))
    assert (facts.max_model_len, facts.served_names) == (32_000, ("q a", "q"))
    secret = [{"name": "VLLM_ADDITIONAL_ARGS", "valueFrom": {"secretKeyRef": {"name": "a", "key": "b"}}}]
    assert llm_inference_service_facts(llm(secret)).unknowns == (
        "VLLM_ADDITIONAL_ARGS is set through valueFrom or envFrom",
    )
    shell = [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--max-model-len $LEN"}]
    assert "shell code" in llm_inference_service_facts(llm(shell)).unknowns[0]


def test_a_main_container_with_its_own_args_replaces_the_template() -> None:
    facts = llm_inference_service_facts(llm(command=["vllm", "serve", "/mnt/models"], args=["--max-model-len=4k"]))
    assert (facts.max_model_len, facts.served_names) == (4000, ("/mnt/models",))


# ---------------------------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://m-predictor.ns.svc.cluster.local:8080/v1", ("m-predictor", "ns", "http", 8080)),
        ("http://m-predictor.ns.svc.cluster.local/v1", ("m-predictor", "ns", "http", 80)),
        ("https://m-predictor.ns.svc.cluster.local:8443/v1", ("m-predictor", "ns", "https", 8443)),
        ("http://m-predictor.ns.svc.cluster.local./v1", ("m-predictor", "ns", "http", 80)),
        ("http://m-predictor.ns.svc:8080/v1", ("m-predictor", "ns", "http", 8080)),
        ("http://m-predictor.ns:8080/v1", ("m-predictor", "ns", "http", 8080)),
        ("http://m-predictor:8080/v1", ("m-predictor", "home", "http", 8080)),
        ("https://user:pw@M-Predictor.NS.svc/v1", ("m-predictor", "ns", "https", 443)),
        ("http://10.0.0.1:8080/v1", None),
        ("http://vllm.example.com/v1", None),
        ("http://svc.cluster.local.evil.example.com/v1", None),
        ("http://m:notaport/v1", None),
    ],
)
def test_service_address(url: str, address: tuple[str, str, str, int] | None) -> None:
    found = service_address(url, "home")
    assert (None if found is None else (found.service, found.namespace, found.scheme, found.port)) == address


def test_which_objects_a_service_can_belong_to() -> None:
    found = service_address("http://m-predictor.ns.svc/v1", "x")
    assert found is not None and found.served_by()[0] == ("InferenceService", "m")
    llm_address = service_address("https://q-kserve-workload-svc.ns.svc:8000/v1", "x")
    assert llm_address is not None and llm_address.served_by()[0] == ("LLMInferenceService", "q")


@pytest.mark.parametrize(
    ("url", "internal"),
    [
        ("http://m-predictor.ns.svc.cluster.local:8080/v1", True),
        ("http://m-predictor.ns.svc/v1", True),
        ("http://m-predictor:8080/v1", True),
        ("https://maas.apps.example.com/ns/m/v1", False),
        ("http://svc.cluster.local.evil.example.com/v1", False),
        ("https://user@host.ns.svc:443/v1", True),
        ("http://10.0.0.1/v1", False),
    ],
)
def test_cluster_internal_urls(url: str, internal: bool) -> None:
    assert is_cluster_internal(url) is internal


# ------------------------------------------------------------------------------------------------- names


def test_env_names_derive_from_the_model_name() -> None:
    assert names.env_suffix("gpt-oss-20b") == "GPT_OSS_20B"
    assert names.max_tokens_env("gpt-oss-20b") == "VLLM_MAX_TOKENS_GPT_OSS_20B"
    assert names.api_token_env("gpt-oss-20b") == "VLLM_API_TOKEN_GPT_OSS_20B"
    assert names.provider_id("gpt-oss-20b") == "vllm-gpt-oss-20b"


def test_type_tokens_are_pulumi_kubernetes_tokens() -> None:
    assert names.CONFIG_MAP == "kubernetes:core/v1:ConfigMap"
    assert names.SERVICE == "kubernetes:core/v1:Service"
    assert names.ISVC_PATCH == "kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"
    assert names.ENDPOINT_TYPE == "genai-playground:index:VllmModelEndpoint"


def test_the_contract_imports_only_the_standard_library() -> None:
    """It ships inside the published pack, which installs nothing of the program."""
    for path in CONTRACT_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                root = node.module.split(".")[0]
            elif isinstance(node, ast.Import):
                root = node.names[0].name.split(".")[0]
            else:
                continue
            assert root == "genai_contract" or root in sys.stdlib_module_names, (path.name, root)
