"""`python -m offline_preview`: the command users and CI run, as a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline_preview.render import RENDER_MARK_FILE
from tests.config_strategies import BAD_MODEL_VALUES, stack_configs
from tests.conftest import REPO, model
from tests.support.isvc_snapshots import data_science_cluster, live_model
from tests.support.program import PROVIDER_CONFIG

PROGRAM_FILES = ["Pulumi.yaml", "__main__.py", "components", "genai_playground", "policies", "offline_preview"]


def preview(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline_preview", *args],
        cwd=REPO if cwd == REPO else cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def project_with(tmp_path: Path, config: dict[str, Any], stack: str = "test") -> Path:
    """A project folder holding the real program and one stack file."""
    for name in PROGRAM_FILES:
        (tmp_path / name).symlink_to(REPO / name)
    config = {"release": "3.0", **config}
    entries = {**PROVIDER_CONFIG, **{f"genai-playground:{key}": value for key, value in config.items()}}
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": entries}))
    return tmp_path


def test_bad_config_exits_2_with_the_key_path_and_no_traceback(tmp_path: Path) -> None:
    project = project_with(tmp_path, {"namespace": "private-ai", "models": [model(gpus=-1)]})
    result = preview("--stack", "test", "--project-dir", str(project), "--no-policy-pack")
    assert result.returncode == 2
    assert "models[0].gpus: -1 is not allowed" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_unknown_stack_exits_2_and_lists_the_stacks_there(tmp_path: Path) -> None:
    result = preview("--stack", "nope", "--project-dir", str(REPO), "--no-policy-pack")
    assert result.returncode == 2 and "Pulumi.nope.yaml does not exist" in result.stderr
    stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in REPO.glob("Pulumi.*.yaml"))
    assert f"(stacks here: {', '.join(stacks)})" in result.stderr


def test_read_without_snapshot_names_the_oc_command(tmp_path: Path) -> None:
    project = project_with(tmp_path, {"namespace": "private-ai", "models": [model("devstral-2", discover=True)]})
    cluster = tmp_path / "dsc.yaml"  # the cluster's release is there: the InferenceService is what is missing
    cluster.write_text(yaml.safe_dump(data_science_cluster()))
    result = preview("--stack", "test", "--project-dir", str(project), "--snapshot", str(cluster), "--no-policy-pack")
    assert result.returncode == 2
    assert "oc get inferenceservice devstral-2 -n private-ai -o yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_snapshot_answers_the_read(tmp_path: Path) -> None:
    project = project_with(tmp_path, {"namespace": "private-ai", "models": [model("devstral-2", discover=True)]})
    listing = {"apiVersion": "v1", "kind": "List", "items": live_model("devstral-2", ["--max-model-len=32768"])}
    snapshot = tmp_path / "isvc.yaml"
    snapshot.write_text(yaml.safe_dump(listing))
    result = preview(
        "--stack", "test", "--project-dir", str(project), "--snapshot", str(snapshot), "--json", "--no-policy-pack"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["outputs"]["models"]["devstral-2"]["contextLength"] == 32768
    [read] = [r for r in document["resources"] if r["name"] == "devstral-2-live"]
    assert read["type"] == "kubernetes:serving.kserve.io/v1beta1:InferenceService"
    # The InferenceService, its predictor Service, its ServingRuntime; the DataScienceCluster (the release check).
    assert document["summary"]["read"] == 4


def test_json_document_shape_and_stability() -> None:
    first = preview("--stack", "dev", "--json", "--no-policy-pack")
    second = preview("--stack", "dev", "--json", "--no-policy-pack")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert list(document) == [
        "stack",
        "comparedTo",
        "resources",
        "outputs",
        "outputsDiff",
        "warnings",
        "violations",
        "summary",
    ]
    assert document["stack"] == "dev" and document["comparedTo"] is None
    fields = {"urn", "type", "name", "parent", "custom", "op", "diff", "effects", "inputs"}
    assert fields <= set(document["resources"][0])
    # A new stack as Pulumi shows it: the patches are creates too, and the Stack itself is counted.
    assert document["resources"][0]["type"] == "pulumi:pulumi:Stack"
    assert {r["op"] for r in document["resources"]} == {"create"}
    assert document["summary"]["create"] == 15
    lsd = next(r for r in document["resources"] if r["type"].endswith(":LlamaStackDistribution"))
    assert lsd["inputs"]["spec"]["replicas"] == 1  # numbers as written, not the wire's floats


def test_text_summary_is_shaped_like_pulumi_preview() -> None:
    result = preview("--stack", "dev", "--no-policy-pack")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Previewing update (dev)")
    patch = next(line for line in lines if "devstral-2-asset-patch" in line)
    assert patch.startswith(" +   ") and patch.endswith("create")
    assert any(line.startswith(" +   ") and "playground-distribution" in line for line in lines)
    assert "    + 15 to create" in lines
    assert any(line.startswith("    playgroundServiceUrl: ") for line in lines)


def test_render_dir_writes_manifests_and_kustomization(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    result = preview("--stack", "dev", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 0, result.stderr
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    files = sorted(path.name for path in out.iterdir() if path.name not in ("kustomization.yaml", RENDER_MARK_FILE))
    assert kustomization["resources"] == files
    assert len(files) == 7  # 5 InferenceService patches, the ConfigMap, the LlamaStackDistribution
    objects = [yaml.safe_load((out / name).read_text()) for name in files]
    kinds = sorted(obj["kind"] for obj in objects)
    assert kinds == ["ConfigMap"] + ["InferenceService"] * 5 + ["LlamaStackDistribution"]
    for obj in objects:
        assert not any(key.startswith("pulumi.com/") for key in obj["metadata"].get("annotations", {}))
    config_map = next(obj for obj in objects if obj["kind"] == "ConfigMap")
    assert yaml.safe_load(config_map["data"]["run.yaml"])["image_name"] == "rh"


def test_project_dir_defaults_to_the_current_directory(tmp_path: Path) -> None:
    project = project_with(tmp_path, {"namespace": "team-a", "models": [model()]})
    result = subprocess.run(
        [sys.executable, "-m", "offline_preview", "--stack", "test", "--json", "--no-policy-pack"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outputs"]["playgroundServiceUrl"].endswith(".team-a.svc.cluster.local:8321")


def test_project_dir_works_from_any_working_directory(tmp_path: Path) -> None:
    # No PYTHONPATH: `make venv` puts the project on the venv's path (genai-playground.pth).
    relative = os.path.relpath(REPO, tmp_path)
    command = ["-m", "offline_preview", "--stack", "dev", "--project-dir", relative, "--render-dir", "out"]
    result = subprocess.run(
        [sys.executable, *command, "--json", "--no-policy-pack"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, f"{result.stderr} (run `make venv` to put the project on the venv's path)"
    assert json.loads(result.stdout)["stack"] == "dev"
    assert (tmp_path / "out" / "kustomization.yaml").is_file()  # relative paths are the working directory's


def test_dev_stack_passes_the_pack() -> None:
    result = preview("--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["mandatory"] == 0
    assert {v["enforcementLevel"] for v in document["violations"]} <= {"advisory"}


def test_max_tokens_above_context_length_exits_1_with_the_violation(tmp_path: Path) -> None:
    project = project_with(
        tmp_path, {"namespace": "private-ai", "models": [model("granite-8b-agent", contextLength=4096, maxTokens=4096)]}
    )
    result = preview("--stack", "test", "--project-dir", str(project))
    assert result.returncode == 1, result.stderr
    assert "- [mandatory]  max-tokens-within-context" in result.stdout
    assert "granite-8b-agent" in result.stdout and "maximum context length is 4096 tokens" in result.stdout


def test_policy_config_file_changes_enforcement(tmp_path: Path) -> None:
    project = project_with(
        tmp_path, {"namespace": "private-ai", "models": [model("granite-8b-agent", contextLength=4096, maxTokens=4096)]}
    )
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"max-tokens-within-context": "advisory", "gpu-budget": {"maxAlwaysOnGpus": 64}}))
    result = preview("--stack", "test", "--project-dir", str(project), "--policy-config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    levels = {v["policy"]: v["enforcementLevel"] for v in json.loads(result.stdout)["violations"]}
    assert levels.get("max-tokens-within-context") == "advisory"
    assert "gpu-budget" not in levels


@pytest.mark.parametrize(
    "content", ["{not json", "[1, 2]", '{"max-tokens-within-context": {"promptReserve": -1}}', '{"gpu-budget": "loud"}']
)
def test_bad_policy_config_exits_2(tmp_path: Path, content: str) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(content)
    result = preview("--stack", "dev", "--policy-config", str(config))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=stack_configs(max_models=3), bad=st.sampled_from(BAD_MODEL_VALUES), data=st.data())
def test_any_invalid_stack_file_exits_2_with_its_key_path(
    raw: dict[str, Any], bad: tuple[str, Any], data: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    key, value = bad
    index = data.draw(st.integers(0, len(raw["models"]) - 1))
    raw["models"][index][key] = value
    project = project_with(tmp_path_factory.mktemp("invalid"), raw)
    result = preview("--stack", "test", "--project-dir", str(project), "--no-policy-pack")
    assert result.returncode == 2
    assert f"models[{index}].{key}" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_secure_values_are_never_printed(tmp_path: Path) -> None:
    project = project_with(tmp_path, {"namespace": "private-ai", "models": [model()]})
    stack_file = project / "Pulumi.test.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["kubernetes:kubeconfig"] = {"secure": "v1:c2VjcmV0LWNpcGhlcnRleHQ="}
    stack_file.write_text(yaml.safe_dump(document))
    result = preview("--stack", "test", "--project-dir", str(project), "--json", "--render-dir", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    written = "".join(path.read_text() for path in (tmp_path / "out").iterdir())
    assert "c2VjcmV0LWNpcGhlcnRleHQ" not in result.stdout + result.stderr + written


def test_secure_values_reach_the_program_as_a_marked_placeholder(tmp_path: Path) -> None:
    from offline_preview.stack_files import SECRET_PLACEHOLDER, load_stack_files

    (tmp_path / "Pulumi.yaml").write_text("name: genai-playground\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config:\n  genai-playground:token:\n    secure: v1:abc\n  plain: 1\n")
    files = load_stack_files(tmp_path, "test")
    assert files.config == {"genai-playground:token": SECRET_PLACEHOLDER, "genai-playground:plain": "1"}
    assert files.secret_keys == ["genai-playground:token"]
