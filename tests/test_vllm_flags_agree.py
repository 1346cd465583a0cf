"""The program's discovery and the policy pack read vLLM flags the same way (two copies, one behaviour)."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_playground import vllm_flags as program
from tests.policies.conftest import PACK_DIR

# The pack's own module, imported as the pack process imports it (its folder on sys.path).
assert PACK_DIR.is_dir()
pack = importlib.import_module("genai_policies._common")

CASES: list[tuple[list[str], dict[str, str]]] = [
    (["--max-model-len=16384"], {"max-model-len": "16384"}),
    (["--max-model-len", "16384", "--enforce-eager"], {"max-model-len": "16384", "enforce-eager": ""}),
    (["--max_model_len=8192"], {"max-model-len": "8192"}),
    (["--max-model-len=4096", "--max-model-len=8192"], {"max-model-len": "8192"}),
    (["--served-model-name", "a b"], {"served-model-name": "a b"}),
    (["serve", "model", "--dtype", "bfloat16"], {"dtype": "bfloat16"}),
]


@pytest.mark.parametrize(("args", "expected"), CASES)
def test_flags(args: list[str], expected: dict[str, str]) -> None:
    assert program.vllm_flags(args) == expected == pack.vllm_flags(args)


@pytest.mark.parametrize(
    ("text", "tokens"), [("16384", 16384), ("32k", 32_000), ("32K", 32_768), ("1.5k", 1500), ("big", None), ("", None)]
)
def test_token_counts(text: str, tokens: int | None) -> None:
    assert program.token_count(text) == tokens == pack.token_count(text)


@pytest.mark.parametrize(("value", "name"), [("a,b", "a"), ("org/model other", "org/model"), ("", None)])
def test_first_served_name(value: str, name: str | None) -> None:
    assert program.first_name(value) == name == pack.first_name(value)


flag_tokens = st.lists(
    st.one_of(
        st.sampled_from(["--max-model-len", "--max_model_len", "--served-model-name", "--enforce-eager"]),
        st.from_regex(r"--[a-z_-]{1,12}(=[A-Za-z0-9., /]{0,8})?", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9.,kK ]{0,8}", fullmatch=True),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(flag_tokens)
def test_any_args_parse_the_same(args: list[str]) -> None:
    flags = program.vllm_flags(args)
    assert flags == pack.vllm_flags(args)
    for value in flags.values():
        assert program.token_count(value) == pack.token_count(value)
        assert program.first_name(value) == pack.first_name(value)
