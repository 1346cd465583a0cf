"""genai_contract: the names, vLLM flag reading and workload facts the program and the pack share."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from genai_contract import names
from genai_contract.vllm_args import served_names, token_count, vllm_flags
from genai_contract.workloads import inference_service_facts, llm_inference_service_facts

from tests.support.isvc_snapshots import live_isvc

CONTRACT_DIR = Path(names.__file__).parent


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--max-model-len=16384"], {"max-model-len": "16384"}),
        (["--max-model-len", "16384", "--enforce-eager"], {"max-model-len": "16384", "enforce-eager": ""}),
        (["--max_model_len=8192"], {"max-model-len": "8192"}),
        (["--max-model-len=4096", "--max-model-len=8192"], {"max-model-len": "8192"}),  # argparse: the last wins
        (["serve", "model", "--dtype", "bfloat16"], {"dtype": "bfloat16"}),
    ],
)
def test_vllm_flags(args: list[str], expected: dict[str, str]) -> None:
    assert vllm_flags(args) == expected


@pytest.mark.parametrize(
    ("text", "tokens"), [("16384", 16384), ("32k", 32_000), ("32K", 32_768), ("1.5k", 1500), ("big", None), ("", None)]
)
def test_token_counts(text: str, tokens: int | None) -> None:
    assert token_count(text) == tokens


def test_served_names_keep_their_order() -> None:
    assert served_names("org/model other") == ("org/model", "other")
    assert served_names("") == ()


def test_env_names_derive_from_the_model_name() -> None:
    assert names.env_suffix("gpt-oss-20b") == "GPT_OSS_20B"
    assert names.max_tokens_env("gpt-oss-20b") == "VLLM_MAX_TOKENS_GPT_OSS_20B"
    assert names.api_token_env("gpt-oss-20b") == "VLLM_API_TOKEN_GPT_OSS_20B"
    assert names.provider_id("gpt-oss-20b") == "vllm-gpt-oss-20b"


def test_type_tokens_are_pulumi_kubernetes_tokens() -> None:
    assert names.CONFIG_MAP == "kubernetes:core/v1:ConfigMap"
    assert names.ISVC_PATCH == "kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"
    assert names.ENDPOINT_TYPE == "genai-playground:index:VllmModelEndpoint"


def test_inference_service_facts() -> None:
    facts = inference_service_facts(live_isvc("m", ["--max-model-len=16k", "--served-model-name=a"], gpus=2))
    assert (facts.max_model_len, facts.max_model_len_flag) == (16_000, "16k")
    assert facts.served_as == ("a",)
    assert (facts.min_replicas, facts.gpus, facts.runtime) == (1, 2, "vllm-runtime")


def test_a_served_name_defaults_to_the_object() -> None:
    facts = inference_service_facts(live_isvc("m", [], min_replicas=None, runtime=None))
    assert facts.served_model_names == () and facts.served_as == ("m",)
    assert facts.min_replicas == 1  # KServe's default


def test_llm_inference_service_facts() -> None:
    llmisvc = {
        "metadata": {"name": "qwen", "namespace": "llm"},
        "spec": {
            "model": {"name": "Qwen/Qwen3-8B"},
            "replicas": 2,
            "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]},
        },
    }
    facts = llm_inference_service_facts(llmisvc)
    assert facts.served_as == ("Qwen/Qwen3-8B",)
    assert (facts.min_replicas, facts.gpus) == (2, 1)


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
            assert root == "genai_contract" or root in __import__("sys").stdlib_module_names, (path.name, root)
