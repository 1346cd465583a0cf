"""The fixtures have the shapes the real program registers (so the policy tests judge real resources)."""

from __future__ import annotations

import runpy
import sys
from typing import Any

import yaml

from tests.conftest import REPO, model, stack
from tests.policies.fixtures import Model, playground_stack
from tests.program_support import engine_files
from tools.mock_engine import ProgramRun, run_callable


def run_raw(raw: dict[str, Any]) -> ProgramRun:
    """The real __main__.py under the mocks, config given as the engine passes it."""
    sys.path.insert(0, str(REPO))
    try:
        program = lambda: runpy.run_path(str(REPO / "__main__.py"), run_name="__main__")  # noqa: E731
        return run_callable(program, engine_files(raw), "test")
    finally:
        sys.path.remove(str(REPO))


def plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def test_fixture_resources_match_the_program() -> None:
    run = run_raw(stack(model("mistral-3-int4", gpus=1, contextLength=16384, maxTokens=4096)))
    fixture = playground_stack(Model("mistral-3-int4", max_tokens=4096))
    recorded = {(r.type, r.name): plain(r.outputs) for r in run.resources}
    built = {(r.type, r.name): plain(dict(r.properties)) for r in fixture.resources}
    assert set(built) == set(recorded)
    for key, properties in built.items():
        expected = recorded[key]
        if key[0].endswith(":ConfigMap"):
            _same_run_yaml(properties.pop("data")["run.yaml"], expected.pop("data")["run.yaml"])
        if key[0].endswith(":VllmModelEndpoint"):
            properties["displayName"] = expected["displayName"]  # the fixture does not model display names
        assert properties == expected, key
    # Same type chains and names. The stack differs (dev here, test there), and the mock monitor puts the root
    # Stack's type in its children's URNs where the engine leaves it out.
    assert {_tail(r.urn) for r in fixture.resources} == {_tail(r.urn) for r in run.resources}
    assert {_tail(r.parent) for r in fixture.resources if r.parent} == {
        _tail(r.parent) for r in run.resources if "::pulumi:pulumi:Stack::" not in r.parent
    }


def _tail(urn: str) -> str:
    return urn.split("::", 2)[2].removeprefix("pulumi:pulumi:Stack$")


def _same_run_yaml(built: str, recorded: str) -> None:
    """What the policies read: the vLLM providers, the models, the server port."""
    ours, theirs = yaml.safe_load(built), yaml.safe_load(recorded)
    vllm = [p for p in theirs["providers"]["inference"] if p["provider_type"] == "remote::vllm"]
    assert [p for p in ours["providers"]["inference"] if p["provider_type"] == "remote::vllm"] == vllm
    assert ours["models"] == theirs["models"]
    assert (ours["server"], sorted(ours["providers"])) == (theirs["server"], sorted(theirs["providers"]))
