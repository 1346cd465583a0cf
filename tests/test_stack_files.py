"""offline_preview.stack_files: the stack file handed over as the engine hands config to a program, and every
broken stack file an error naming the file and the key."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from genai_contract.releases import SUPPORTED

from genai_playground.config import ConfigError, config_from_engine
from offline_preview.errors import OfflineRunError
from offline_preview.stack_files import SECRET_PLACEHOLDER, load_stack_files
from tests.support.stack_files import load_stack_file
from tests.test_program import STACK_FILES

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


# ------------------------------------------------------------------------------- Pulumi.yaml as the engine reads it


def with_project(tmp_path: Path, project_text: str, stack_text: str = "config: {}\n") -> Path:
    project(tmp_path, stack_text)
    (tmp_path / "Pulumi.yaml").write_text(project_text)
    return tmp_path


def test_project_defaults_and_values_fill_what_the_stack_file_leaves_out(tmp_path: Path) -> None:
    # pulumi/pulumi sdk/go/common/workspace: the short forms (project.go, RewriteShorthandConfigValues: a default
    # for the project's keys, a value for other namespaces), then the merge (config.go, mergeConfig): the stack
    # file wins, the project fills the rest; numbers and booleans as their text, lists and mappings as JSON.
    files = load_stack_files(
        with_project(
            tmp_path,
            "name: genai-playground\nruntime: python\nconfig:\n"
            "  namespace:\n    type: string\n    default: private-ai\n"
            "  genai-playground:models:\n    value: [{name: a, useCase: chat, contextLength: 8}]\n"
            "  playground: {default: {replicas: 2}}\n"
            "  kubernetes:enablePatchForce: 'true'\n"
            "  kubernetes:context: from-project\n"
            "  genai-playground:retries: 3\n  flag: true\n",
            "config:\n  kubernetes:context: from-stack\n  genai-playground:flag: false\n",
        ),
        "test",
    )
    assert files.config == {
        "genai-playground:namespace": "private-ai",
        "genai-playground:models": '[{"contextLength":8,"name":"a","useCase":"chat"}]',
        "genai-playground:playground": '{"replicas":2}',
        "kubernetes:enablePatchForce": "true",
        "kubernetes:context": "from-stack",
        "genai-playground:retries": "3",
        "genai-playground:flag": "false",
    }


@pytest.mark.parametrize(
    ("project_text", "stack_text", "expected"),
    [
        (
            "config:\n  namespace: {type: string}\n",
            "config: {}\n",
            "stack 'test' is missing configuration value 'namespace'",
        ),
        (
            "config:\n  replicas: {type: integer}\n",
            "config:\n  genai-playground:replicas: two\n",
            "replicas must be of type integer",
        ),
        (
            "config:\n  tags: {type: array, items: {type: string}}\n",
            "config:\n  genai-playground:tags: [1]\n",
            "tags must be of type array<string>",
        ),
        (
            "config:\n  token: {type: string, secret: true}\n",
            "config:\n  genai-playground:token: plain\n",
            "declared `secret: true`",
        ),
        (
            "config:\n  n: {type: integer, default: x}\n",
            "config: {}\n",
            'config.n.default: "x" is not of the declared type integer',
        ),
        ("config:\n  n: {default: 1, value: 2}\n", "config: {}\n", "config.n: has both `default` and `value`"),
        (
            "config:\n  kubernetes:context: {default: x}\n",
            "config: {}\n",
            "a key of another namespace takes a `value` only",
        ),
        ("config:\n  n: {type: array}\n", "config: {}\n", "an array names the type of its items"),
        ("config:\n  n: 1.5\n", "config: {}\n", "config.n: 1.5 is not allowed"),
        ("config:\n  n: {defualt: 1}\n", "config: {}\n", "config.n: unknown key defualt"),
        ("config: [a]\n", "config: {}\n", "config: must be a mapping"),
    ],
)
def test_project_config_the_engine_refuses_is_refused(
    tmp_path: Path, project_text: str, stack_text: str, expected: str
) -> None:
    folder = with_project(tmp_path, f"name: genai-playground\nruntime: python\n{project_text}", stack_text)
    with pytest.raises(OfflineRunError) as caught:
        load_stack_files(folder, "test")
    assert expected in str(caught.value)


def test_a_secret_stack_value_satisfies_a_secret_declaration(tmp_path: Path) -> None:
    text = f"config:\n  genai-playground:token:\n    secure: {CIPHERTEXT}\n"
    folder = with_project(tmp_path, "name: genai-playground\nruntime: python\nconfig:\n  token: {secret: true}\n", text)
    assert load_stack_files(folder, "test").secret_keys == ["genai-playground:token"]


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        ("nodejs", 'runtime: "nodejs": the offline preview runs Python programs only'),
        ("{name: go, options: {}}", 'runtime: "go": the offline preview runs Python programs only'),
        ("[python]", "runtime: must be a name or a mapping"),
    ],
)
def test_a_runtime_other_than_python_is_refused(tmp_path: Path, runtime: str, expected: str) -> None:
    folder = with_project(tmp_path, f"name: genai-playground\nruntime: {runtime}\n")
    with pytest.raises(OfflineRunError, match=re.escape(expected)):
        load_stack_files(folder, "test")


def test_a_project_without_a_runtime_is_refused_as_pulumi_does(tmp_path: Path) -> None:
    with pytest.raises(OfflineRunError, match=r"runtime: required"):
        load_stack_files(with_project(tmp_path, "name: genai-playground\n"), "test")


def test_main_names_the_program_a_folder_its_main_or_a_file(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text("")
    (tmp_path / "prog.py").write_text("")
    folder = with_project(tmp_path, "name: genai-playground\nruntime: python\nmain: app/\n")
    assert load_stack_files(folder, "test").program == (tmp_path / "app" / "__main__.py").resolve()
    (tmp_path / "Pulumi.yaml").write_text("name: genai-playground\nruntime: python\nmain: prog.py\n")
    assert load_stack_files(folder, "test").program == (tmp_path / "prog.py").resolve()


@pytest.mark.parametrize(
    ("main", "expected"),
    [
        ("/etc", "must be a relative path"),
        ("../elsewhere", "must be a subfolder of the project folder"),
        ("missing", "cannot be read: No such file or directory"),
        ("empty", "no Python program at"),
        ("fifo.py", "no Python program at"),
    ],
)
def test_a_main_the_preview_cannot_run_is_refused(tmp_path: Path, main: str, expected: str) -> None:
    (tmp_path / "empty").mkdir()
    os.mkfifo(tmp_path / "fifo.py")
    folder = with_project(tmp_path, f"name: genai-playground\nruntime: python\nmain: {main}\n")
    with pytest.raises(OfflineRunError, match=re.escape(expected)):
        load_stack_files(folder, "test")


def test_stack_config_dir_holds_the_stack_files(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.qa.yaml").write_text("config:\n  genai-playground:namespace: qa\n")
    folder = with_project(tmp_path, "name: genai-playground\nruntime: python\nstackConfigDir: stacks\n")
    files = load_stack_files(folder, "qa")
    assert files.stack_file == tmp_path / "stacks" / "Pulumi.qa.yaml"
    assert files.config == {"genai-playground:namespace": "qa"}


def test_every_supported_release_has_an_example_stack_that_says_so() -> None:
    """CI previews every Pulumi.<stack>.yaml (.github/workflows/pull-request.yml): each release gets previewed."""
    releases = {load_stack_file(path).release: path for path in STACK_FILES}
    assert set(releases) == set(SUPPORTED)
    for release, path in releases.items():
        assert f'genai-playground:release: "{release}"' in path.read_text()
