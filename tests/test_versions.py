"""Version texts as the program compares them (the provider's release, MaaS prerequisites)."""

from __future__ import annotations

import pytest

from genai_playground.versions import dotted, parse


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("4.34.2", (4, 34, 2)), ("v4.29.0", (4, 29, 0)), ("4.34.2.dev0", (4, 34, 2)), ("1.2", (1, 2)), ("x1", None)],
)
def test_parse(text: str, numbers: tuple[int, ...] | None) -> None:
    assert parse(text) == numbers


def test_a_shorter_version_is_older_than_its_patch_release() -> None:
    assert parse("4.19") < (4, 19, 9) <= parse("4.19.9")  # type: ignore[operator]
    assert dotted((4, 19, 9)) == "4.19.9"
