"""The example environments: dev (everything in the stack file) and prod (read from the cluster, stricter policies)."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import REPO
from tests.support.stack_files import environment_policy_config, environment_snapshot_files
from tests.test_offline_preview import preview


def environment_args(stack: str) -> list[str]:
    """What the PR workflow passes for a stack: the arguments .ci/environment-args prints."""
    printed = subprocess.run(
        [str(REPO / ".ci" / "environment-args"), str(REPO), stack], capture_output=True, text=True, check=True
    )
    return printed.stdout.splitlines()


def test_environment_args_are_the_environments_files() -> None:
    expected = [arg for path in environment_snapshot_files("prod") for arg in ("--snapshot", str(path))]
    assert environment_args("prod") == [*expected, "--policy-config", str(environment_policy_config("prod"))]
    assert environment_args("dev") == []


def test_prod_passes_its_stricter_policies_and_shows_what_up_would_do_to_its_models() -> None:
    result = preview("--stack", "prod", *environment_args("prod"), "--json")
    assert result.returncode == 0, result.stderr + result.stdout
    document = json.loads(result.stdout)
    assert document["summary"]["mandatory"] == 0
    effects = {r["name"]: [e["kind"] for e in r["effects"]] for r in document["resources"]}
    # Deployed with the wizard, same labels and annotations: nothing to restart.
    assert effects["mistral-3-int4-asset-patch"] == ["no-change-on-cluster", "on-destroy"]
    # Deployed with the wizard under another display name: taken over, and its pods restart; destroy keeps the
    # stack's display name and says the wizard's is not restored.
    assert effects["granite-8b-agent-asset-patch"] == ["restarts-predictor-pods", "on-destroy", "takes-field"]
    granite = next(r for r in document["resources"] if r["name"] == "granite-8b-agent-asset-patch")
    [on_destroy] = [e["message"] for e in granite["effects"] if e["kind"] == "on-destroy"]
    assert "keeps every field (retainOnDelete, no predictor restart)" in on_destroy
    assert "the values it takes over are not restored: openshift.io/display-name was" in on_destroy
    # Applied with oc apply: every label and annotation is new; the description is not copied (the cluster's list).
    [restart, _] = next(r for r in document["resources"] if r["name"] == "gpt-oss-20b-asset-patch")["effects"]
    assert "openshift.io/description" not in restart["message"]
    # discover reads each model's InferenceService, its predictor Service and the ServingRuntime it names, and the
    # DataScienceCluster once, whose release must be the stack's.
    assert {r["name"] for r in document["resources"] if r["op"] == "read"} == {"cluster-release"} | {
        f"{model}-live{part}"
        for model in ("mistral-3-int4", "granite-8b-agent", "gpt-oss-20b")
        for part in ("", "-service", "-runtime")
    }


def test_dev_would_not_pass_the_prod_policies() -> None:
    policy_config = environment_policy_config("prod")
    assert policy_config is not None
    result = preview("--stack", "dev", "--policy-config", str(policy_config), "--json")
    assert result.returncode == 1
    violations = json.loads(result.stdout)["violations"]
    assert [(v["policy"], v["enforcementLevel"]) for v in violations if v["enforcementLevel"] == "mandatory"] == [
        ("gpu-budget", "mandatory")
    ]
