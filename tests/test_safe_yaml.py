"""offline_preview.safe_yaml: hostile and broken YAML is an error naming the place and what is allowed, within
bounds, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from genai_playground.model_base import key_path
from offline_preview.safe_yaml import Limits, YamlInputError, load_documents, read_text

LIMITS = Limits(max_bytes=1 << 20, max_depth=32, max_values=200_000)

# The 1.5 KB alias bomb: 9 levels of 9 aliases, 9**9 (387 million) strings once expanded.
ALIAS_BOMB = "".join(
    f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + ALIAS_BOMB


def error_of(text: str) -> str:
    with pytest.raises(YamlInputError) as caught:
        load_documents(text, "Pulumi.x.yaml", LIMITS)
    message = str(caught.value)
    assert message.startswith("Pulumi.x.yaml: ")
    return message


def test_plain_values_load_as_json_values() -> None:
    text = "a: 1\nb: [x, 'y', 2.5]\nc: {d: null, e: true}\nf: '2024-01-01'\n"
    expected = {"a": 1, "b": ["x", "y", 2.5], "c": {"d": None, "e": True}, "f": "2024-01-01"}
    assert load_documents(text, "f", LIMITS) == [expected]


@pytest.mark.parametrize(
    ("text", "where", "rule"),
    [
        ("config:\n  x: 2024-01-01\n", "config.x (line 2)", 'quote it ("2024-01-01")'),
        ("x: 2024-01-01T10:00:00Z\n", "x (line 1)", "unquoted date"),
        ("x: !!set {a, b}\n", "x (line 1)", "!!set is not allowed"),
        ("x: !!binary aGVsbG8=\n", "x (line 1)", "!!binary values are not allowed"),
        ("x: !!omap [a: 1]\n", "x (line 1)", "!!omap is not allowed"),
        ("x: !custom 1\n", "x (line 1)", "!custom values are not allowed"),
        ("x: .inf\n", "x (line 1)", "not a number JSON can carry"),
        ("x: .nan\n", "x (line 1)", "not a number JSON can carry"),
        ("x: " + "9" * 5000 + "\n", "x (line 1)", "too many digits"),
        ("a: 1\nb: 2\na: 3\n", "a (line 3)", "appears twice in one mapping (on lines 1 and 3)"),
        ("m: {k: 1, k: 2}\n", "m.k (line 1)", "appears twice"),
        ("1: x\n", "line 1", "keys must be text"),
        ("? [a, b]\n: 1\n", "line 1", "keys must be text"),
        ("a: &a [*a]\n", "a[0] (line 1)", "would be endless"),
    ],
)
def test_values_json_cannot_carry_are_errors_at_their_key_path(text: str, where: str, rule: str) -> None:
    message = error_of(text)
    assert f": {where}: " in message and rule in message


def test_the_alias_bomb_stops_at_the_value_limit() -> None:
    assert len(ALIAS_BOMB.encode()) < 1600
    message = error_of(ALIAS_BOMB)
    assert "holds more than 200,000 values once its aliases (*name) are expanded" in message


def test_aliases_within_the_limit_expand() -> None:
    text = "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nl: [*b, *b]\n"
    [document] = load_documents(text, "f", LIMITS)
    assert document["m"] == {"x": 1, "y": 3}  # the key written in the mapping wins over the merged one
    assert document["l"] == [{"x": 1, "y": 2}] * 2


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 100_000 + "]" * 100_000,  # flow: libyaml stops at 1,000 levels
        "".join("  " * level + f"k{level}:\n" for level in range(40)),  # block: our limit of 32
        "x: " + "[" * 40 + "]" * 40,
    ],
)
def test_deep_nesting_is_an_error_not_a_recursion_error(text: str) -> None:
    message = error_of(text)
    assert "nested more than 32 levels deep" in message or "exceeded maximum nesting depth" in message


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a:\n\tb: 1\n", "line 2, column 1: not valid YAML"),
        ("a: \x00\n", "line 1: the character #x0000 is not allowed"),
        ("x: *nope\n", "found undefined alias"),
        ("a: [1, 2\n", "not valid YAML"),
    ],
)
def test_syntax_errors_name_the_line(text: str, rule: str) -> None:
    assert rule in error_of(text)


def test_read_text_caps_the_size_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * (LIMITS.max_bytes + 1))
    with pytest.raises(YamlInputError, match=r"larger than 1 MiB, the most a stack file may hold"):
        read_text(path, "stack file", LIMITS.max_bytes)
    with pytest.raises(YamlInputError, match=r"/dev/zero: a device, not a regular file"):
        read_text(Path("/dev/zero"), "stack file", LIMITS.max_bytes)  # never read at all


def test_read_text_names_the_line_of_an_invalid_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\n")
    with pytest.raises(YamlInputError, match=r"bad.yaml: line 2: not UTF-8 text"):
        read_text(path, "stack file", LIMITS.max_bytes)


def test_read_text_takes_utf8_with_a_bom_and_utf16(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: \xc3\xa9\n")
    assert read_text(path, "stack file", LIMITS.max_bytes) == "a: é\n"
    path.write_bytes("a: é\n".encode("utf-16"))
    assert read_text(path, "stack file", LIMITS.max_bytes) == "a: é\n"


def test_read_text_of_a_folder_or_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(YamlInputError, match=r"cannot read the stack file"):
        read_text(tmp_path / "missing.yaml", "stack file", LIMITS.max_bytes)
    with pytest.raises(YamlInputError, match=r"a folder, not a regular file: name the stack file itself"):
        read_text(tmp_path, "stack file", LIMITS.max_bytes)


def test_read_text_of_a_named_pipe_never_waits_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(YamlInputError, match=r"pipe.yaml: a named pipe \(FIFO\), not a regular file"):
        read_text(tmp_path / "pipe.yaml", "stack file", LIMITS.max_bytes)


def test_key_paths_stay_readable() -> None:
    path = key_path(["config", "genai-playground:models", 0, "maxTokens"])
    assert path == "config.genai-playground:models[0].maxTokens"
    assert key_path(["a.b", "x y"]) == '["a.b"]["x y"]'
    assert len(key_path([f"k{index}" for index in range(64)])) <= 160
