"""models-listed-in-playground (advisory): a chat model whose id the dashboard's keyword filter hides."""

from __future__ import annotations

import pytest
from genai_policies import models_listed_in_playground as rule

from tests.llama_stack_server.dashboard import HIDDEN_MODEL_KEYWORDS
from tests.policies.fixtures import Model, playground_stack
from tests.policies.harness import single

NAME = "models-listed-in-playground"


def test_the_rule_hides_what_the_dashboard_stand_in_hides() -> None:
    # The real-server tests drive the dashboard's calls with the same keywords (tests/llama_stack_server).
    assert set(rule.HIDDEN_KEYWORDS) == set(HIDDEN_MODEL_KEYWORDS)


def test_ordinary_chat_models_pass() -> None:
    assert single(rule.POLICY, playground_stack(Model("granite-8b"), Model("mistral-3-int4"))) == []


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("nomic-embed-chat", "embed"),
        ("qwen-embedding", "embedding"),
        ("all-minilm-chat", "all-mini"),
        ("Granite-EMBED", "embed"),
    ],
)
def test_a_chat_model_the_dashboard_hides(name: str, word: str) -> None:
    model = Model(name.lower())
    stack = playground_stack(Model("granite-8b"), model)
    [violation] = single(rule.POLICY, stack)
    assert (violation.policy, violation.enforcement_level) == (NAME, "advisory")
    assert violation.urn == stack.urn(name.lower())
    assert f"model {model.model_id} " in violation.message
    assert f'contains "{word}"' in violation.message
    assert "never appears in the playground's model list" in violation.message


def test_the_embedding_model_of_the_rag_setup_is_no_chat_model() -> None:
    # granite-embedding-125m is registered with model_type embedding: hidden on purpose, not reported.
    assert single(rule.POLICY, playground_stack(Model("a"), rag=True)) == []


def test_a_model_registered_under_another_id_is_judged_by_that_id() -> None:
    stack = playground_stack(Model("a")).edit_run_yaml(
        lambda doc: [m.update(model_id="vllm-a/embed-a") for m in doc["models"] if m["model_id"] == "vllm-a/a"]
    )
    [violation] = single(rule.POLICY, stack)
    assert "model vllm-a/embed-a " in violation.message


def test_can_be_made_mandatory() -> None:
    [violation] = single(rule.POLICY, playground_stack(Model("my-embed-llm")), {"enforcementLevel": "mandatory"})
    assert violation.enforcement_level == "mandatory"
