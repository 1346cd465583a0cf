"""The config reference: generated from the config models, and README.md's table kept equal to it."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field

from genai_playground.config_reference import Row, reference_rows, with_table
from genai_playground.model_base import CamelModel, Shape


class Inner(CamelModel):
    size: Annotated[str, Field(pattern="^[0-9]+$", max_length=8), Shape("digits")] = Field(description="a size")
    label: str = Field("x", description="a label")


class Named(CamelModel):
    name: str = Field(description="its name")


class Sample(CamelModel):
    flag: bool = Field(False, description="a switch")
    count: Annotated[int, Field(gt=0, le=16_777_216)] = Field(4096, description="a count")
    floor: Annotated[int, Field(ge=0)] = Field(description="at least zero")
    below: Annotated[int, Field(lt=10)] | None = Field(None, description="under ten")
    word: Annotated[str, Field(min_length=1, max_length=256)] | None = Field(None, description="a word")
    capped: Annotated[str, Field(pattern="^[a-z]+$"), Shape("letters", max_length=37)] = Field(description="capped")
    mode: Literal["a", "b"] = Field("a", description="a | b")
    words: Annotated[list[str], Field(min_length=1)] = Field(description="words")
    inner: Inner | None = Field(None, description="an inner object")
    defaulted: Inner = Field(Inner(size="12"), description="an inner object with a default of its own")
    items: list[Named] = Field(default_factory=lambda: [Named(name="one"), Named(name="two")], description="items")


def rows_by_key(model: type[CamelModel]) -> dict[str, Row]:
    return {row.key: row for row in reference_rows(model)}


def test_each_kind_of_field_renders_its_type_bounds_and_default() -> None:
    rows = rows_by_key(Sample)
    assert {key: row.type_and_default for key, row in rows.items()} == {
        "flag": "bool, default `false`",
        "count": "int 1 … 16,777,216, default `4096`",
        "floor": "int ≥ 0, required",
        "below": "int ≤ 9",
        "word": "text 1 … 256 chars",
        "capped": "letters ≤ 37 chars, required",
        "mode": "`a` or `b`, default `a`",
        "words": "list of text, at least 1, required",
        "inner": "object",
        "inner.size": "digits ≤ 8 chars, required",
        "inner.label": "text, default `x`",
        "defaulted": "object, default `{size: '12', label: x}`",
        "defaulted.size": "digits ≤ 8 chars, required",
        "defaulted.label": "text, default `x`",
        "items": "list of objects, default `one`, `two`",
        "items[].name": "text, required",
    }
    assert rows["inner.size"].meaning == "a size"


def test_a_pipe_in_a_cell_is_escaped() -> None:
    assert Row("mode", "`a` or `b`", "a | b").markdown() == "| `mode` | `a` or `b` | a \\| b |"


def test_a_pattern_without_words_for_it_is_refused() -> None:
    class Bare(CamelModel):
        code: Annotated[str, Field(pattern="^[A-Z]+$")] = Field(description="a code")

    with pytest.raises(TypeError, match="needs a Shape"):
        reference_rows(Bare)


def test_a_document_without_the_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="marker is missing"):
        with_table("| key | type / default | meaning |\n")
