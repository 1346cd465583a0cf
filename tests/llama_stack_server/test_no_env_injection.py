"""No text a user writes becomes an env reference in run.yaml, proved with the real library.

Llama Stack replaces `${env.NAME}` (with `:=default` or `:+value`) in every string of run.yaml when the server
starts (llama_stack/core/stack.py, replace_env_vars, in 0.3.0rc3+rhai0). A display name
`${env.VLLM_API_TOKEN_B}` would put model B's API token where anyone using the playground reads it, and a URL
could send it to another host. Hundreds of seeded hostile strings go into every user text field: each is either
refused by the config, or comes out of the library's substitution unchanged. A control shows the library does
substitute such text when nothing refuses it, so the test would catch a regression.

Self-contained: it runs `replace_env_vars` in the Llama Stack virtualenv by itself.
"""

from __future__ import annotations

import json
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_playground.config import ConfigError, StackConfig, parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from genai_playground.run_config import render_run_config
from tests.conftest import model, stack

SECRET = "SECRET-TOKEN-OF-B"
ENVIRONMENT = {"VLLM_API_TOKEN_B": SECRET, "VLLM_MAX_TOKENS_B": "1", "HOME": SECRET, "EVIL": SECRET}
# Reads run.yaml documents (JSON lines on stdin), substitutes env as the server does at start, prints them.
SUBSTITUTE = """
import json, sys
from llama_stack.core.stack import replace_env_vars
for line in sys.stdin:
    print(json.dumps(replace_env_vars(json.loads(line))), flush=True)
"""
PAYLOADS = [
    "${env.VLLM_API_TOKEN_B}",
    "${env.VLLM_API_TOKEN_B:=fallback}",
    "${env.EVIL:+${env.VLLM_API_TOKEN_B}}",
    "${env.HOME}",
    "$${env.HOME}",
    "\\${env.HOME}",
    "${ env.HOME }",
    "${env.home}",
    "${env.HOME",
    "$env.HOME",
    "{env.HOME}",
    "$" + "{env.HOME}",
    "%24%7Benv.HOME%7D",
    "\uff04{env.HOME}",
    "${{env.HOME}}",
]
FRAGMENTS = ["$", "{", "}", "env.", "HOME", "VLLM_API_TOKEN_B", ":=", ":+", " ", "a", "\\", "%", "é", "${env.HOME}"]
TEXT_FIELDS = ["displayName", "description", "useCase", "servedModelName"]


def hostile_texts(count: int, seed: int = 15) -> list[str]:
    chooser = random.Random(seed)
    texts = list(PAYLOADS)
    while len(texts) < count:
        texts.append("".join(chooser.choice(FRAGMENTS) for _ in range(chooser.randint(1, 6))))
    return texts


def substituted(venv: Path, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SUBSTITUTE],
        input="".join(json.dumps(document) + "\n" for document in documents),
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", **ENVIRONMENT},
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def run_yaml(config: StackConfig) -> dict[str, Any]:
    endpoints = [resolve_endpoint(entry, config) for entry in config.models]
    document: dict[str, Any] = yaml.safe_load(render_run_config(endpoints, config.playground, config.profile).text)
    return document


def user_values(document: dict[str, Any]) -> list[Any]:
    """Every value of run.yaml that comes from text a user wrote (model a's), in a fixed order."""
    [entry] = [m for m in document["models"] if m["provider_id"] == "vllm-a"]
    [provider] = [p for p in document["providers"]["inference"] if p["provider_id"] == "vllm-a"]
    return [entry["metadata"]["display_name"], entry["provider_model_id"], provider["config"]["url"]]


@dataclass
class Trial:
    refused: int
    accepted: list[dict[str, Any]]  # run.yaml documents, before substitution
    substituted: list[dict[str, Any]]  # the same, after the library's substitution
    control: dict[str, Any]  # a run.yaml with an env reference in a display name, after substitution


@pytest.fixture(scope="module")
def trial(venv: Path) -> Trial:
    """Every hostile string through the config; every accepted run.yaml (and the control) through the library
    in one process (importing llama_stack takes seconds)."""
    accepted: list[dict[str, Any]] = []
    refused = 0
    for index, text in enumerate(hostile_texts(300)):
        field = TEXT_FIELDS[index % len(TEXT_FIELDS)]
        url = f"http://vllm.example.com/{text.replace(' ', '')}/v1" if index % 3 == 0 else None
        entry = model("a", **{field: text}, **({"url": url} if url else {}))
        try:
            config = parse_stack_config(stack(entry, model("b", apiTokenSecret={"name": "b-token"})))
        except ConfigError as error:
            assert "${" in text and all("must not contain '${'" in problem for problem in error.problems), error
            refused += 1
            continue
        accepted.append(run_yaml(config))
    # The control: a display name the config would refuse, put into run.yaml by hand.
    control = run_yaml(parse_stack_config(stack(model("a"), model("b"))))
    next(m for m in control["models"] if m["provider_id"] == "vllm-a")["metadata"]["display_name"] = (
        "${env.VLLM_API_TOKEN_B}"
    )
    *after, control_after = substituted(venv, [*accepted, control])
    return Trial(refused, accepted, after, control_after)


def test_no_user_text_reaches_run_yaml_as_an_env_reference(trial: Trial) -> None:
    assert trial.refused > 30 and len(trial.accepted) > 100  # both kinds of string were tried
    for before, after in zip(trial.accepted, trial.substituted, strict=True):
        assert user_values(after) == user_values(before)
        assert SECRET not in json.dumps([after["models"], after["providers"]["inference"][0]])


def test_the_library_does_substitute_text_nothing_refused(trial: Trial) -> None:
    assert user_values(trial.control)[0] == SECRET
