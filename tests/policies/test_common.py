"""The shared helpers: Llama Stack env substitution, run.yaml parsing."""

from __future__ import annotations

import pytest
from genai_policies._common import (
    FromRef,
    container_env,
    parse_run_yaml,
    resolve,
    setting,
    typed,
)

ENV = {"SET": "16384", "EMPTY": "", "SECRET": FromRef("secretKeyRef tok/token")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${env.SET:=4096}", "16384"),
        ("${env.UNSET:=4096}", "4096"),
        ("${env.EMPTY:=4096}", "4096"),  # an empty value counts as unset, as in Llama Stack
        ("${env.SET:+on}", "on"),
        ("${env.UNSET:+on}", ""),
        ("${env.SET}", "16384"),
        ("${env.SET:=1}/path/${env.UNSET:=x}", "16384/path/x"),
        ("no reference", "no reference"),
    ],
)
def test_resolve_follows_llama_stack_substitution(text: str, expected: str) -> None:
    assert resolve(text, ENV).text == expected


def test_resolve_reports_missing_and_value_from() -> None:
    assert resolve("${env.UNSET}", ENV).missing == ("UNSET",)
    assert resolve("${env.UNSET:=1}", ENV).missing == ()
    secret = resolve("${env.SECRET:=fake}", ENV)
    assert secret.text is None and secret.from_refs == ("SECRET",)


@pytest.mark.parametrize(
    ("text", "value"), [("", None), ("true", True), ("False", False), ("4096", 4096), ("0.5", 0.5), ("x", "x")]
)
def test_typed_converts_like_llama_stack(text: str, value: object) -> None:
    assert typed(text) == value


def test_setting_says_where_a_value_comes_from() -> None:
    config = {"max_tokens": "${env.SET:=4096}", "literal": 8192, "text": "${env.SECRET:=fake}"}
    assert setting(config, "max_tokens", ENV, 4096).value == 16384
    assert setting(config, "max_tokens", ENV, 4096).env_var == "SET"
    assert setting(config, "literal", ENV).value == 8192
    absent = setting(config, "absent", ENV, 4096)
    assert (absent.value, absent.known) == (4096, True) and "default (4096)" in absent.origin
    unknown = setting(config, "text", ENV)
    assert not unknown.known and "secretKeyRef tok/token" in unknown.origin


def test_container_env_keeps_value_from_as_unknown() -> None:
    spec = {
        "server": {
            "containerSpec": {
                "env": [
                    {"name": "A", "value": "1"},
                    {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "token"}}},
                    {"name": "C"},
                ]
            }
        }
    }
    assert container_env(spec) == {"A": "1", "B": FromRef("secretKeyRef s/token"), "C": ""}


def test_parse_run_yaml_reports_the_error_in_one_line() -> None:
    parsed = parse_run_yaml("providers: [unclosed\n")
    assert parsed.document is None and parsed.error is not None and "\n" not in parsed.error
