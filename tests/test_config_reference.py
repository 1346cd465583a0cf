"""The config reference: generated from the config models, and README.md's table kept equal to it."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import Field

from genai_playground import config_reference
from genai_playground.config import ModelConfig, StackConfig
from genai_playground.config_reference import MARKER, Row, config_models, reference_rows, render_table, with_table
from genai_playground.maas import EnrolledModel, Limit, MaasConfig, Tier
from genai_playground.model_base import CamelModel, Shape

README = Path(__file__).resolve().parents[1] / "README.md"


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


def test_an_object_of_defaults_shows_none_of_its_own() -> None:
    rows = rows_by_key(StackConfig)
    assert rows["playground"].type_and_default == "object"
    assert rows["playground.resources"].type_and_default == "object"
    assert rows["playground.resources.limits"].type_and_default == "object, default `{cpu: '2', memory: 12Gi}`"


def test_stack_rows_take_key_paths_bounds_and_defaults_from_the_models() -> None:
    rows = rows_by_key(StackConfig)
    assert rows["models[].maxTokens"].type_and_default == "int 1 … 16,777,216"
    assert rows["models[].name"].type_and_default == "DNS label starting with a letter ≤ 53 chars, required"
    assert rows["models[].minReplicas"].type_and_default == "int 0 … 2³¹-1, default `1`"
    assert rows["models[].predictorService"].type_and_default == "`headless` or `headed`, default `headless`"
    assert rows["maas.tiers[].requestLimit.window"].type_and_default == "duration, required"
    assert rows["maas.tiers[].name"].type_and_default == "DNS label ≤ 37 chars, required"
    assert rows["maas.tiers"].type_and_default == (
        "list of objects, at least 1, default `free`, `premium`, `enterprise`"
    )
    assert rows["models[].maxTokens"].meaning == ModelConfig.model_fields["max_tokens"].description


def test_a_pipe_in_a_cell_is_escaped() -> None:
    assert Row("mode", "`a` or `b`", "a | b").markdown() == "| `mode` | `a` or `b` | a \\| b |"


def test_a_pattern_without_words_for_it_is_refused() -> None:
    class Bare(CamelModel):
        code: Annotated[str, Field(pattern="^[A-Z]+$")] = Field(description="a code")

    with pytest.raises(TypeError, match="needs a Shape"):
        reference_rows(Bare)


def test_the_walk_reaches_every_config_model() -> None:
    assert {model.__name__ for model in config_models()} == {
        "StackConfig",
        "ModelConfig",
        "SecretKeyRef",
        "PlaygroundConfig",
        "ContainerResources",
        "ResourceList",
        "PrerequisitesConfig",
        "MaasConfig",
        "EnrolledModel",
        "Tier",
        "Limit",
        "McpServer",
        "ExternalEndpoint",
        "EndpointSecretRef",
        "VectorStoresConfig",
        "VectorStoreProvider",
        "SecretRef",
        "VectorStore",
        "Subscription",
        "TokenLimit",
    }
    assert {MaasConfig, EnrolledModel, Tier, Limit} <= set(config_models())


@pytest.mark.parametrize("model", list(config_models()), ids=lambda model: model.__name__)
def test_every_config_field_has_a_description(model: type[CamelModel]) -> None:
    undescribed = [info.alias for info in model.model_fields.values() if not (info.description or "").strip()]
    assert undescribed == [], f"{model.__name__}: add Field(description=...) to {undescribed}"


def test_readme_table_is_the_models_table() -> None:
    document = README.read_text(encoding="utf-8")
    assert MARKER in document, "README.md lost the line before the config reference table"
    rows = document.split(MARKER, 1)[1].split("\n")[1:]
    table = "\n".join(itertools.takewhile(lambda line: line.startswith("|"), rows))
    assert table == render_table(), (
        "README.md's config reference differs from the models: run "
        "`.venv/bin/python -m genai_playground.config_reference README.md`, or paste:\n\n" + render_table()
    )
    assert with_table(document) == document


def test_a_stale_table_is_replaced_and_the_text_around_it_kept() -> None:
    table = "| key | type / default | meaning |\n|---|---|---|\n| `old` | bool | gone |"
    stale = f"# Config\n\n{MARKER}\n{table}\n\nAfter.\n"
    assert with_table(stale) == f"# Config\n\n{MARKER}\n{render_table()}\n\nAfter.\n"
    assert with_table(with_table(stale)) == with_table(stale)


def test_a_document_without_the_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="marker is missing"):
        with_table("| key | type / default | meaning |\n")


def test_the_command_prints_or_rewrites_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert config_reference.main([]) == 0
    assert capsys.readouterr().out == render_table() + "\n"

    readme = tmp_path / "README.md"
    readme.write_text(f"{MARKER}\n| `old` | bool | gone |\n", encoding="utf-8")
    assert config_reference.main([str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == f"{MARKER}\n{render_table()}\n"

    readme.write_text("no table here\n", encoding="utf-8")
    assert config_reference.main([str(readme)]) == 2
    assert "marker is missing" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == "no table here\n"

    assert config_reference.main([str(tmp_path / "missing.md")]) == 2
    assert "missing.md" in capsys.readouterr().err
