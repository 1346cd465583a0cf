"""The fixtures have the shapes the real program registers (so the policy tests judge real resources)."""

from __future__ import annotations

from typing import Any

import yaml

from genai_playground.run_config import REVISION_ENV
from offline_preview.plan import plain
from tests.conftest import model, stack
from tests.policies.fixtures import Model, playground_stack
from tests.support.program import run_main


def test_fixture_resources_match_the_program() -> None:
    everything = run_main(stack(model("mistral-3-int4", gpus=1, contextLength=16384, maxTokens=4096))).resources
    # The playground's resources: the (disabled, objectless) MaaS component is not part of this fixture.
    resources = [r for r in everything if not r.type.endswith(":MaasGatewayPlaceholder")]
    fixture = playground_stack(Model("mistral-3-int4", max_tokens=4096))
    recorded = {(r.type, r.name): plain(r.outputs) for r in resources}
    built = {(r.type, r.name): plain(dict(r.properties)) for r in fixture.resources}
    assert set(built) == set(recorded)
    for key, properties in built.items():
        expected = recorded[key]
        if key[0].endswith(":ConfigMap"):
            _same_run_yaml(properties.pop("data")["run.yaml"], expected.pop("data")["run.yaml"])
        if key[0].endswith(":VllmModelEndpoint"):
            properties["displayName"] = expected["displayName"]  # the fixture does not model display names
        if key[0].endswith(":LlamaStackDistribution"):
            _without_await(expected)
        assert properties == expected, key
    # Same type chains and names (the stack name differs: dev here, test there).
    assert {_tail(r.urn) for r in fixture.resources} == {_tail(r.urn) for r in resources}
    assert {_tail(r.parent) for r in fixture.resources if r.parent} == {
        _tail(r.parent) for r in resources if "::pulumi:pulumi:Stack::" not in r.parent
    }


def _without_await(distribution: dict[str, Any]) -> None:
    """How Pulumi waits (annotations, the config revision env var) is no policy's concern; it is tested in
    tests/test_manifests.py."""
    annotations = distribution["metadata"]["annotations"]
    for key in [key for key in annotations if key.startswith("pulumi.com/")]:
        del annotations[key]
    container = distribution["spec"]["server"]["containerSpec"]
    container["env"] = [var for var in container["env"] if var["name"] != REVISION_ENV]


def _tail(urn: str) -> str:
    return urn.split("::", 2)[2]


def _same_run_yaml(built: str, recorded: str) -> None:
    """What the policies read: the vLLM providers, the models, the server port."""
    ours, theirs = yaml.safe_load(built), yaml.safe_load(recorded)
    vllm = [p for p in theirs["providers"]["inference"] if p["provider_type"] == "remote::vllm"]
    assert [p for p in ours["providers"]["inference"] if p["provider_type"] == "remote::vllm"] == vllm
    assert ours["models"] == theirs["models"]
    assert (ours["server"], sorted(ours["providers"])) == (theirs["server"], sorted(theirs["providers"]))
