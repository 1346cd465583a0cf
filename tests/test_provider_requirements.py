"""The provider features the program relies on: checked before anything is registered, and listed in the README."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from genai_playground.provider_requirements import FEATURES, MINIMUM_VERSION, provider_problems
from offline_preview.errors import OfflineRunError
from tests.conftest import REPO, model, stack
from tests.support.program import run_main
from tests.test_offline_preview import preview, project_with

FORCED = {"enablePatchForce": "true"}


def test_the_pinned_provider_meets_every_feature() -> None:
    assert provider_problems(FORCED, {}, version("pulumi_kubernetes"), "Pulumi.dev.yaml") == []
    assert MINIMUM_VERSION == "4.29.0"  # enablePatchForce


@pytest.mark.parametrize("sdk", ["4.28.9", "4.18.4", "3.30.2", "not-a-version"])
def test_an_older_provider_is_refused(sdk: str) -> None:
    [problem] = provider_problems(FORCED, {}, sdk, "Pulumi.dev.yaml")
    assert f"pulumi-kubernetes {sdk} is too old" in problem and ">= 4.29.0" in problem


def test_patch_force_from_config_or_from_the_providers_env_var() -> None:
    [problem] = provider_problems({}, {}, "4.34.2", "Pulumi.prod.yaml")
    assert "kubernetes:enablePatchForce must be true in Pulumi.prod.yaml" in problem
    assert provider_problems({}, {"PULUMI_K8S_ENABLE_PATCH_FORCE": "true"}, "4.34.2", "x") == []
    # The provider reads its config before the env var: an explicit false wins.
    assert provider_problems({"enablePatchForce": "false"}, {"PULUMI_K8S_ENABLE_PATCH_FORCE": "true"}, "4.34.2", "x")


@pytest.mark.parametrize("text", ["True", "TRUE", "yes", "1", " true", ""])
def test_patch_force_is_on_only_when_its_text_is_exactly_true(text: str) -> None:
    # pulumi-kubernetes compares the text with "true" (provider/pkg/provider/provider.go, Configure).
    [problem] = provider_problems({"enablePatchForce": text}, {}, "4.34.2", "Pulumi.prod.yaml")
    assert f"kubernetes:enablePatchForce is {json.dumps(text)}, which the provider reads as off" in problem
    [problem] = provider_problems({}, {"PULUMI_K8S_ENABLE_PATCH_FORCE": text}, "4.34.2", "x")
    assert "environment variable PULUMI_K8S_ENABLE_PATCH_FORCE is" in problem


@pytest.mark.parametrize("text", ["false", "False", "no", "TRUE"])
def test_server_side_apply_is_off_unless_its_text_is_true(text: str) -> None:
    [problem] = provider_problems({**FORCED, "enableServerSideApply": text}, {}, "4.34.2", "Pulumi.dev.yaml")
    assert "kubernetes:enableServerSideApply must not be false" in problem
    assert provider_problems({**FORCED, "enableServerSideApply": "true"}, {}, "4.34.2", "x") == []


def test_client_side_apply_is_refused() -> None:
    [problem] = provider_problems({**FORCED, "enableServerSideApply": "false"}, {}, "4.34.2", "Pulumi.dev.yaml")
    assert "kubernetes:enableServerSideApply must not be false" in problem


def test_the_program_stops_before_registering_anything_without_patch_force() -> None:
    with pytest.raises(OfflineRunError, match=r"kubernetes:enablePatchForce must be true in Pulumi\.test\.yaml"):
        run_main(stack(model()), provider={})


def test_config_and_provider_problems_are_reported_together(tmp_path: Path) -> None:
    project = project_with(tmp_path, {"namespace": "private-ai", "models": [model(gpus=-1)]})
    stack_file = project / "Pulumi.test.yaml"
    stack_file.write_text(stack_file.read_text().replace("kubernetes:enablePatchForce: 'true'", ""))
    result = preview("--stack", "test", "--project-dir", str(project), "--no-policy-pack")
    assert result.returncode == 2 and result.stdout == ""
    assert "models[0].gpus: -1 is not allowed" in result.stderr
    assert "kubernetes:enablePatchForce must be true in Pulumi.test.yaml" in result.stderr


def test_a_valid_stack_runs() -> None:
    assert run_main(stack(model())).resources


def test_readme_lists_every_feature_with_its_minimum_version() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Provider versions", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+?) \| (\d+\.\d+\.\d+) \|", section, flags=re.MULTILINE)
    assert rows == [(feature.what, feature.version) for feature in FEATURES]
