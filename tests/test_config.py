"""Stack config validation: every problem named by key path, value and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from genai_contract.releases import SUPPORTED

from genai_playground.config import (
    MAX_PROBLEMS_SHOWN,
    ConfigError,
    config_from_engine,
    config_warnings,
    key_path,
    parse_stack_config,
)
from tests.conftest import REPO, model, stack
from tests.support.stack_files import load_stack_file


def problems(raw: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return caught.value.problems


def test_dev_stack_describes_the_seeds_five_models() -> None:
    config = load_stack_file(REPO / "Pulumi.dev.yaml")
    assert config.namespace == "private-ai"
    assert {m.name: m.use_case for m in config.models} == {
        "mistral-3-int4": "chat assistant",
        "mistral-3-bf16": "enterprise chat assistant",
        "devstral-2": "agentic coding assistant",
        "gpt-oss-20b": "complex reasoning",
        "granite-8b-agent": "agentic tool-calling",
    }


def test_defaults_follow_the_dashboard() -> None:
    config = parse_stack_config(stack())
    assert config.playground.name == "lsd-genai-playground"
    assert config.playground.config_map_name == "llama-stack-config"
    assert config.playground.default_max_tokens == 4096
    assert config.playground.wait_timeout_seconds == 300
    assert config.prerequisites.manage is False
    assert config.maas.enabled is False


def test_bad_value_names_key_path_value_and_rule() -> None:
    [message] = problems(stack(model("a"), model("b"), model("c", maxTokens=-5)))
    assert message.startswith("models[2].maxTokens: -5 is not allowed:")
    assert "greater than 0" in message


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"release": "3.0", "namespace": "Private_AI", "models": [model(gpus="four"), {"name": "x"}]})
    paths = sorted(message.split(":")[0] for message in found)
    assert paths == ["models[0].gpus", "models[1].useCase", "namespace"]


def test_unknown_key_lists_the_allowed_ones() -> None:
    [message] = problems(stack(model(maxToken=100)))
    assert message.startswith("models[0].maxToken: unknown key")
    assert "maxTokens" in message and "contextLength" in message


def test_unknown_top_level_key_is_reported() -> None:
    [message] = problems({**stack(), "modles": []})
    assert message.startswith("modles: unknown key") and "models" in message


def test_context_length_required_unless_discovered() -> None:
    entry = model()
    del entry["contextLength"]
    [message] = problems(stack(entry))
    assert message.startswith("models[0]:") and "contextLength is required unless discover is true" in message
    assert parse_stack_config(stack({**entry, "discover": True})).models[0].context_length is None


def test_duplicate_model_names_rejected() -> None:
    [message] = problems(stack(model("a"), model("a")))
    assert message.startswith("models:") and "'a' appears twice" in message


@pytest.mark.parametrize("url", ["ftp://x/v1", "http://x:8080", "http://x/v1/"])
def test_url_override_must_be_an_openai_base(url: str) -> None:
    [message] = problems(stack(model(url=url)))
    assert message.startswith("models[0].url:") and "ending in /v1" in message


def test_inference_service_name_leaves_room_for_the_predictor_suffix() -> None:
    [message] = problems(stack(model("a" * 54)))
    assert message.startswith("models[0].name:") and "at most 53" in message


def test_engine_config_decodes_json_and_ignores_other_namespaces() -> None:
    values = {
        "genai-playground:release": "3.0",
        "genai-playground:namespace": "private-ai",
        "genai-playground:models": json.dumps([model()]),
        "kubernetes:context": "admin",
    }
    assert config_from_engine(values).models[0].name == "mistral-3-int4"


def test_key_path_formatting() -> None:
    assert key_path(("models", 2, "maxTokens")) == "models[2].maxTokens"
    assert key_path(()) == "(top level)"


def test_every_stack_file_in_the_repo_is_valid() -> None:
    for path in sorted(Path(REPO).glob("Pulumi.*.yaml")):
        assert load_stack_file(path).models, path


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("maxTokens", True),  # pydantic's default reads true as 1
        ("contextLength", False),
        ("gpus", 1.0),
        ("minReplicas", "1e3"),
        ("maxTokens", " 8"),
        ("discover", 1),
        ("discover", "yes"),
        ("tlsVerify", "on"),
        ("displayName", True),
        ("useCase", 1.5),
    ],
)
def test_types_are_strict_a_boolean_is_not_a_number(key: str, value: object) -> None:
    [message] = problems(stack(model(**{key: value})))
    assert message.startswith(f"models[0].{key}: {json.dumps(value)} is not allowed: input should be a valid")


def test_what_the_pulumi_cli_writes_is_read_back() -> None:
    # `pulumi config set --path` stores 8192 as a number and 0123 as text; a number quoted by hand is a number.
    config = parse_stack_config(
        stack(model(maxTokens="8192", contextLength=16384, discover="false", servedModelName=123, tlsVerify="true"))
    )
    [entry] = config.models
    assert (entry.max_tokens, entry.discover, entry.served_model_name, entry.tls_verify) == (8192, False, "123", True)


@pytest.mark.parametrize(
    ("path", "entry", "limit"),
    [
        ("models[0].contextLength", stack(model(contextLength=16_777_217)), "less than or equal to 16777216"),
        ("models[0].maxTokens", stack(model(maxTokens=2**40)), "less than or equal to 16777216"),
        ("models[0].minReplicas", stack(model(minReplicas=2**31)), "less than or equal to 2147483647"),
        ("models[0].gpus", stack(model(gpus=1025)), "less than or equal to 1024"),
        ("playground.replicas", stack(playground={"replicas": 2**31}), "less than or equal to 2147483647"),
        ("playground.defaultMaxTokens", stack(playground={"defaultMaxTokens": 10**9}), "less than or equal to"),
        ("playground.waitTimeoutSeconds", stack(playground={"waitTimeoutSeconds": 86_401}), "less than or equal to"),
        ("models[0].displayName", stack(model(displayName="x" * 257)), "at most 256 characters"),
        ("models[0].description", stack(model(description="x" * 4097)), "at most 4096 characters"),
        ("models[0].url", stack(model(url="http://x/" + "a" * 2048 + "/v1")), "at most 2048 characters"),
        ("playground.storageSize", stack(playground={"storageSize": "1" * 40}), "at most 32 characters"),
    ],
)
def test_values_stay_within_documented_limits(path: str, entry: dict[str, object], limit: str) -> None:
    [message] = problems(entry)
    assert message.startswith(f"{path}: ") and limit in message


def test_namespace_of_digits_is_a_namespace_as_the_engine_hands_it() -> None:
    values = {
        "genai-playground:release": "3.0",
        "genai-playground:namespace": "123",
        "genai-playground:models": json.dumps([model()]),
    }
    assert config_from_engine(values).namespace == "123"


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("displayName", "Mistral ${env.VLLM_API_TOKEN_OTHER}"),
        ("servedModelName", "${env.HOME}"),
        ("description", "x ${env.X:=y}"),
        ("useCase", "${env.A:+b}"),
        ("url", "http://evil.example.com/${env.VLLM_API_TOKEN_A}/v1"),
    ],
)
def test_no_user_text_can_become_an_env_reference(key: str, text: str) -> None:
    [message] = problems(stack(model(**{key: text})))
    assert message.startswith(f"models[0].{key}: ") and "must not contain '${'" in message


def test_playground_display_name_is_checked_too() -> None:
    [message] = problems(stack(playground={"displayName": "${env.X}"}))
    assert message.startswith("playground.displayName: ")


@pytest.mark.parametrize("url", ["http://a b/v1", "http://user@host/v1", "http:///v1", "http://x/v1?q=1"])
def test_url_has_a_host_and_no_space_credentials_or_query(url: str) -> None:
    [message] = problems(stack(model(url=url)))
    assert message.startswith("models[0].url:")


def test_secret_key_names_follow_kubernetes() -> None:
    [message] = problems(stack(model(apiTokenSecret={"name": "s", "key": "a/b"})))
    assert message.startswith("models[0].apiTokenSecret.key:")
    valid = parse_stack_config(stack(model(apiTokenSecret={"name": "s", "key": "api.token_1"})))
    assert valid.models[0].api_token_secret is not None


def test_a_key_with_hidden_characters_is_shown_escaped() -> None:
    [message] = problems(stack(model(**{"contextLength\u202e": 1})))
    assert message.startswith('models[0]["contextLength\\u202e"]: unknown key')


def test_a_value_that_should_be_a_mapping_lists_its_keys() -> None:
    [message] = problems({"release": "3.0", "namespace": "ns", "models": ["mistral"]})
    assert message.startswith('models[0]: "mistral" is not allowed: must be a mapping of keys; allowed keys: ')


@pytest.mark.parametrize(
    "value",
    [{"secure": "v1:Q0lQSEVS", "other": 1}, [{"name": "s", "key": {"secure": "v1:Q0lQSEVS", "x": 2}}]],
)
def test_text_under_a_secure_key_is_never_shown_even_when_the_engine_does_not_take_it_for_a_secret(
    value: object,
) -> None:
    # The engine decrypts only a mapping of exactly one `secure` key; any other may still hold ciphertext.
    found = problems(stack(model(minReplicas=value, apiTokenSecret=value)))
    assert found and "Q0lQSEVS" not in "\n".join(found)


@pytest.mark.parametrize("name", ["7b-instruct", "0", "1-granite"])
def test_a_model_name_starting_with_a_digit_is_refused_as_kserve_does(name: str) -> None:
    # KServe's IsvcNameFmt `[a-z]([-a-z0-9]*[a-z0-9])?` (pkg/apis/serving/v1beta1/inference_service_validation.go).
    [problem] = problems(stack(model(name)))
    assert problem.startswith(f'models[0].name: "{name}" is not allowed: must be a name KServe accepts')
    assert "a leading digit is refused" in problem
    assert parse_stack_config(stack(model("granite-7b"))).models[0].name == "granite-7b"


@pytest.mark.parametrize(("key", "text"), [("displayName", "Granite\nInjected: 1"), ("servedModelName", "a\rb"),
                                          ("displayName", "nul\x00"), ("useCase", "\x1b[2Jchat")])  # fmt: skip
def test_control_characters_in_a_name_are_refused(key: str, text: str) -> None:
    [problem] = problems(stack(model("granite", **{key: text})))
    assert problem.startswith(f"models[0].{key}: {json.dumps(text)} is not allowed: must not contain control")


def test_one_model_twice_and_a_name_like_a_predictor_are_warned_of() -> None:
    twice = [
        model("first", url="http://vllm.other.svc:8000/v1", servedModelName="granite"),
        model("second", url="http://vllm.other.svc:8000/v1", servedModelName="granite"),
        model("third", url="http://vllm.other.svc:8000/v1", servedModelName="other"),
    ]
    [warning] = config_warnings(parse_stack_config(stack(*twice)))
    assert "models 'first' and 'second' both send to" in warning and "lists the same model twice" in warning
    [warning] = config_warnings(parse_stack_config(stack(model("a"), model("a-predictor"))))
    assert "model 'a-predictor' is named like the predictor Service KServe creates for model 'a'" in warning
    assert config_warnings(parse_stack_config(stack(model("a"), model("b")))) == []


def test_hundreds_of_bad_entries_give_twenty_lines_and_a_count() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(stack(*[model(f"m{index}", gpus=-1) for index in range(300)]))
    lines = str(caught.value).splitlines()
    assert len(caught.value.problems) == 300 and len(lines) == 1 + MAX_PROBLEMS_SHOWN + 1
    assert lines[-1] == "  ... and 280 more problems (fix these first)"


# ------------------------------------------------------------------------------------------ the state volume


@pytest.mark.parametrize("release", SUPPORTED)
def test_replicas_on_one_state_volume_are_refused_on_every_release(release: str) -> None:
    raw = {**stack(playground={"replicas": 2, "storageSize": "20Gi"}), "release": release}
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    [problem] = [p for p in caught.value.problems if p.startswith("playground.replicas")]
    assert "playground.replicas: 2 with playground.storageSize 20Gi cannot start" in problem
    assert "lsd-genai-playground-pvc" in problem and "Open local milvus failed" in problem
    assert "set replicas: 1 with storageSize, or leave storageSize out" in problem


@pytest.mark.parametrize("release", ["3.0", "3.2", "3.3"])
def test_a_state_volume_is_refused_where_the_operator_rolls_it_by_rolling_update(release: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({**stack(playground={"storageSize": "20Gi"}), "release": release})
    [problem] = caught.value.problems
    assert problem.startswith(f"playground.storageSize: 20Gi does not roll out on RHOAI {release}")
    assert f"llama-stack-k8s-operator@rhoai-{release} controllers/manifests/base/deployment.yaml" in problem
    assert "the new pod never starts" in problem and "Leave storageSize out on this release" in problem
    assert "the operator of RHOAI 3.4, RHOAI 3.5 rolls such a Deployment with Recreate" in problem


def test_a_state_volume_with_one_replica_where_the_operator_recreates() -> None:
    config = parse_stack_config({**stack(playground={"storageSize": "20Gi"}), "release": "3.4"})
    assert config.playground.storage_size == "20Gi" and config.profile.storage_rollout == "recreate"
    assert parse_stack_config(stack(playground={"replicas": 3})).playground.replicas == 3  # no volume: allowed
