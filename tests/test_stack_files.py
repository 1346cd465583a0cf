"""offline_preview.stack_files: the stack file handed over as the engine hands config to a program, and every
broken stack file an error naming the file and the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genai_playground.config import ConfigError, config_from_engine
from offline_preview.errors import OfflineRunError
from offline_preview.stack_files import SECRET_PLACEHOLDER, load_stack_files

CIPHERTEXT = "v1:c2VjcmV0LWNpcGhlcnRleHQ="

# What `pulumi config set --path` leaves in Pulumi.dev.yaml after adding a sixth model:
#   pulumi config set --path 'genai-playground:models[5].name' qwen3-8b
#   pulumi config set --path 'genai-playground:models[5].useCase' 'general chat'
#   pulumi config set --path 'genai-playground:models[5].contextLength' 32768
#   pulumi config set --path 'genai-playground:models[5].maxTokens' 8192
#   pulumi config set --path 'genai-playground:models[5].minReplicas' 0
#   pulumi config set --path 'genai-playground:models[5].discover' false
#   pulumi config set --path 'genai-playground:models[5].servedModelName' 0123
# The CLI stores "true"/"false" as booleans, digits as numbers except with a leading zero (text), the rest as
# text (pulumi/pulumi sdk/go/common/resource/config/map.go, adjustObjectValue), and writes the file with
# gopkg.in/yaml.v2 (sdk/go/common/encoding/marshal.go): keys sorted, list items at the key's indentation,
# quotes only where YAML needs them.
CLI_WRITTEN = """\
config:
  genai-playground:models:
  - contextLength: 16384
    displayName: Mistral-3 INT4 (1-GPU)
    gpus: 1
    maxTokens: 4096
    name: mistral-3-int4
    useCase: chat assistant
  - contextLength: 32768
    discover: false
    maxTokens: 8192
    minReplicas: 0
    name: qwen3-8b
    servedModelName: "0123"
    useCase: general chat
  genai-playground:namespace: "123"
  genai-playground:release: "3.4"
"""


def project(tmp_path: Path, stack_text: str | bytes, stack: str = "test") -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: genai-playground\nruntime: python\n")
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_bytes(stack_text if isinstance(stack_text, bytes) else stack_text.encode())
    return tmp_path


def error_of(tmp_path: Path, stack_text: str | bytes) -> str:
    with pytest.raises(OfflineRunError) as caught:
        load_stack_files(project(tmp_path, stack_text), "test")
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "Pulumi.test.yaml")), message
    return message


def test_the_values_pulumi_config_set_writes_validate(tmp_path: Path) -> None:
    files = load_stack_files(project(tmp_path, CLI_WRITTEN), "test")
    config = config_from_engine(files.config, files.secret_keys)
    assert config.namespace == "123"  # a namespace of digits is a valid DNS label, not a number
    added = config.models[1]
    assert (added.name, added.context_length, added.max_tokens, added.min_replicas) == ("qwen3-8b", 32768, 8192, 0)
    assert added.served_model_name == "0123" and added.discover is False


def test_values_are_handed_over_as_the_engine_hands_them(tmp_path: Path) -> None:
    text = (
        "config:\n  genai-playground:namespace: 123\n  genai-playground:flag: true\n  genai-playground:empty:\n"
        "  plain: x\n  genai-playground:models: [{name: a, gpus: 1}]\n  kubernetes:context: admin\n"
    )
    files = load_stack_files(project(tmp_path, text), "test")
    assert files.config == {
        "genai-playground:namespace": "123",
        "genai-playground:flag": "true",
        "genai-playground:empty": "",
        "genai-playground:plain": "x",
        "genai-playground:models": '[{"name": "a", "gpus": 1}]',
        "kubernetes:context": "admin",
    }
    assert files.stack_file == tmp_path / "Pulumi.test.yaml"


def test_secure_values_never_reach_the_program_nested_or_not(tmp_path: Path) -> None:
    text = (
        f"config:\n  genai-playground:token:\n    secure: {CIPHERTEXT}\n"
        "  genai-playground:models:\n  - name: a\n    apiTokenSecret:\n      name: s\n"
        f"      key:\n        secure: {CIPHERTEXT}\n"
    )
    files = load_stack_files(project(tmp_path, text), "test")
    assert CIPHERTEXT not in json.dumps(files.config)
    assert files.config["genai-playground:token"] == SECRET_PLACEHOLDER
    assert json.loads(files.config["genai-playground:models"])[0]["apiTokenSecret"]["key"] == SECRET_PLACEHOLDER
    assert sorted(files.secret_keys) == ["genai-playground:models", "genai-playground:token"]


def test_a_value_under_a_secret_key_is_never_shown_in_a_problem() -> None:
    # Under `pulumi up` the engine decrypts nested secure values and marks the whole key secret.
    models = json.dumps([{"name": "a", "useCase": "chat", "contextLength": 1, "maxTokens": "decrypted-token"}])
    values = {"genai-playground:namespace": "ns", "genai-playground:models": models}
    with pytest.raises(ConfigError) as caught:
        config_from_engine(values, secret_keys=["genai-playground:models"])
    assert "decrypted-token" not in str(caught.value)
    assert "models[0].maxTokens: [secret] is not allowed" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- 1\n", "must be a mapping with a `config:` mapping, not a list"),
        ("config: [1]\n", "config: must be a mapping of key: value, not a list"),
        ("config: x\n", "config: must be a mapping of key: value, not text"),
        ("config:\n  a:b:c: 1\n", 'config."a:b:c": not a config key'),
        ("config: {}\n---\nconfig: {}\n", "holds 2 YAML documents"),
        ("config:\n  genai-playground:namespace: a\n  genai-playground:namespace: b\n", "appears twice"),
        ("config:\n  genai-playground:models:\n  - name: a\n    since: 2024-01-01\n", "models[0].since (line 4)"),
        (b"config:\n  genai-playground:namespace: \xff\n", "line 2: not UTF-8 text"),
    ],
)
def test_a_broken_stack_file_names_the_file_and_the_key(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_an_empty_stack_file_has_no_config(tmp_path: Path) -> None:
    assert load_stack_files(project(tmp_path, ""), "test").config == {}


def test_an_unknown_stack_lists_the_stacks_there(tmp_path: Path) -> None:
    project(tmp_path, "config: {}\n", stack="prod")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    listed = r"no stack 'qa' in .*: Pulumi.qa.yaml does not exist \(stacks here: dev, prod\)"
    with pytest.raises(OfflineRunError, match=listed):
        load_stack_files(tmp_path, "qa")
    assert load_stack_files(tmp_path, "acme/genai-playground/prod").stack_file == tmp_path / "Pulumi.prod.yaml"


@pytest.mark.parametrize("stack", ["../etc/passwd", "a b", "", ".."])
def test_a_stack_name_is_never_a_path(tmp_path: Path, stack: str) -> None:
    project(tmp_path, "config: {}\n")
    with pytest.raises(OfflineRunError, match=r"not a stack name"):
        load_stack_files(tmp_path, stack)


def test_a_project_file_without_a_name_is_an_error(tmp_path: Path) -> None:
    project(tmp_path, "config: {}\n")
    (tmp_path / "Pulumi.yaml").write_text("runtime: python\n")
    with pytest.raises(OfflineRunError, match=r"Pulumi.yaml: name: must be the project's name"):
        load_stack_files(tmp_path, "test")
