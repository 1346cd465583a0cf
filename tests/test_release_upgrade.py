"""Changing `release` on a live stack (3.0 -> 3.2 -> 3.3 -> 3.4): what the offline preview with `--state` shows.

Each step previews the stack of the next release against the state of the one before (tests/support/pulumi_state
makes engine-shaped exports from a program run), as `pulumi stack export` + `--state` do (README "Upgrading RHOAI").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES

from offline_preview.engine import ProgramRun
from offline_preview.plan import Plan
from tests.conftest import REPO, model, stack
from tests.support import pulumi_state
from tests.support.program import run_main
from tests.test_offline_preview import project_with
from tests.test_preview_diff import preview as preview_diff
from tests.test_preview_diff import row

MUTABLE = {"kubernetes:enablePatchForce": "true", "kubernetes:enableConfigMapMutable": "true"}
RUN_CONFIG, SERVER = "playground-run-config", "playground-distribution"


def release_stack(release: str) -> dict[str, Any]:
    playground = {"allowedFromNamespaces": ["workbenches"]} if PROFILES[release].network_allowed_from else {}
    return stack(model("a"), model("b"), release=release, playground=playground)


def run_release(release: str) -> ProgramRun:
    return run_main(release_stack(release), provider=MUTABLE)


def step(tmp_path: Path, old: str, new: str) -> Plan:
    state = pulumi_state.write(tmp_path / f"{old}.json", pulumi_state.export(run_release(old)))
    return preview_diff(run_release(new), state)  # the provider with enableConfigMapMutable: updates in place


def changed(plan: Plan, name: str) -> set[str]:
    return {change.path for change in row(plan, name).diff}


def kinds(plan: Plan, name: str) -> list[str]:
    return [effect.kind for effect in row(plan, name).effects]


@pytest.mark.parametrize(("old", "new"), [("3.0", "3.2"), ("3.2", "3.3"), ("3.3", "3.4")])
def test_each_step_updates_the_config_and_the_server_in_place_and_nothing_else(
    tmp_path: Path, old: str, new: str
) -> None:
    plan = step(tmp_path, old, new)
    ops = {r.name: r.op for r in plan.rows if r.op != "same"}
    # The InferenceServices' patches do not depend on the release: their predictors are not restarted.
    assert ops == {"playground": "update", RUN_CONFIG: "update", SERVER: "update", "maas": "update"}
    assert kinds(plan, SERVER) == ["rolls-llama-stack-pod", "waits"]
    assert kinds(plan, RUN_CONFIG)[0] == "rolls-llama-stack-pod"
    assert 'metadata.annotations["genai-playground/rhoai-release"]' in changed(plan, SERVER)
    assert "spec.server.containerSpec.env[GENAI_PLAYGROUND_REVISION].value" in changed(plan, SERVER)
    assert any(c.path == "release" and (c.old, c.new) == (old, new) for c in row(plan, "playground").diff)


def test_3_0_to_3_2_the_flat_stores_become_storage_backends(tmp_path: Path) -> None:
    plan = step(tmp_path, "3.0", "3.2")
    paths = changed(plan, RUN_CONFIG)
    assert "data.run.yaml: providers.agents[meta-reference].config.persistence_store" in paths
    assert "data.run.yaml: providers.agents[meta-reference].config.persistence" in paths
    assert kinds(plan, RUN_CONFIG) == ["rolls-llama-stack-pod"]  # the same key: no interim pod
    assert "spec.server.containerSpec.command" not in changed(plan, SERVER)


def test_3_2_to_3_3_the_key_moves_and_the_interim_pod_is_named(tmp_path: Path) -> None:
    plan = step(tmp_path, "3.2", "3.3")
    assert {"data.run.yaml", "data.config.yaml"} <= changed(plan, RUN_CONFIG)
    assert kinds(plan, RUN_CONFIG) == ["rolls-llama-stack-pod", "interim-pod-fails"]
    [interim] = [e for e in row(plan, RUN_CONFIG).effects if e.kind == "interim-pod-fails"]
    assert "from key run.yaml to config.yaml" in interim.message
    assert "/etc/llama-stack/run.yaml, which is gone" in interim.message
    server = {c.path: c for c in row(plan, SERVER).diff}
    assert "/etc/llama-stack/config.yaml" in str(server["spec.server.containerSpec.command"].new)
    assert server["spec.network"].old is None
    assert server["spec.network"].new == {"allowedFrom": {"namespaces": ["private-ai", "workbenches"]}}


def test_3_3_to_3_4_agents_become_responses_and_rag_runtime_file_search(tmp_path: Path) -> None:
    plan = step(tmp_path, "3.3", "3.4")
    paths = changed(plan, RUN_CONFIG)
    assert {
        "data.config.yaml: image_name",
        "data.config.yaml: providers.agents",
        "data.config.yaml: providers.responses",
        "data.config.yaml: providers.tool_runtime[rag-runtime]",
        "data.config.yaml: providers.tool_runtime[file-search]",
    } <= paths
    assert kinds(plan, RUN_CONFIG) == ["rolls-llama-stack-pod"]
    assert "spec.network" not in changed(plan, SERVER)  # 3.3 already set it


def test_the_command_shows_the_key_move_with_state(tmp_path: Path) -> None:
    """Through `python -m offline_preview --state`: the text a platform engineer reads before `pulumi up`."""
    old = run_main(release_stack("3.2"), provider=MUTABLE)
    state = pulumi_state.write(tmp_path / "stack.json", pulumi_state.export(old))
    (tmp_path / "p").mkdir()
    project = project_with(tmp_path / "p", release_stack("3.3"))
    config = yaml.safe_load((project / "Pulumi.test.yaml").read_text())
    config["config"].update(MUTABLE)
    (project / "Pulumi.test.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "offline_preview",
            "--stack",
            "test",
            "--project-dir",
            str(project),
            "--state",
            str(state),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "the server config moves from key run.yaml to config.yaml" in result.stdout
    assert "waits up to 300 s" in result.stdout
