"""`--state`, `--compare-to` and `--markdown` of `python -m offline_preview`, as users and the PR workflow run them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline_preview.render import RENDER_MARK_FILE
from tests.conftest import REPO, model
from tests.support import pulumi_state
from tests.support.isvc_snapshots import live_model
from tests.support.program import run_main
from tests.test_offline_preview import preview, project_with

ISVC_PATCH = "kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"


def config(**first: Any) -> dict[str, Any]:
    return {
        "release": "3.0",
        "namespace": "private-ai",
        "models": [model("mistral-3-int4", displayName="Mistral", **first), model("granite-8b-agent")],
    }


def new_project(tmp_path: Path, raw: dict[str, Any]) -> Path:
    (tmp_path / "project").mkdir()
    return project_with(tmp_path / "project", raw)


def rewrite(project: Path, raw: dict[str, Any]) -> None:
    stack_file = project / "Pulumi.test.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"].update({f"genai-playground:{key}": value for key, value in raw.items()})
    stack_file.write_text(yaml.safe_dump(document))


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {resource["name"]: resource for resource in document["resources"]}


def test_state_file_from_pulumi_stack_export(tmp_path: Path) -> None:
    project = new_project(tmp_path, config(maxTokens=8192))
    state = pulumi_state.write(tmp_path / "dev.json", pulumi_state.export(run_main(config())))
    result = preview(
        "--stack", "test", "--project-dir", str(project), "--state", str(state), "--json", "--no-policy-pack"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["comparedTo"].startswith(f"state {state} (pulumi stack export, ")
    resources = by_name(document)
    assert resources["playground-run-config"]["diff"] == [
        "data.run.yaml: providers.inference[vllm-mistral-3-int4].config.max_tokens"
    ]
    assert resources["genai-playground-test"]["op"] == "same"
    assert resources["mistral-3-int4-asset-patch"]["op"] == "same"
    text = preview("--stack", "test", "--project-dir", str(project), "--state", str(state), "--no-policy-pack").stdout
    assert "Compared with: state" in text and "~ data.run.yaml: providers.inference[vllm-mistral-3-int4]" in text
    # The project's stack file does not set enableConfigMapMutable: the ConfigMap is replaced.
    assert resources["playground-run-config"]["op"] == "replace"
    assert "    +-1 to replace" in text


def test_compare_to_an_earlier_render_dir(tmp_path: Path) -> None:
    project = new_project(tmp_path, config())
    base = tmp_path / "base"
    rendered = preview("--stack", "test", "--project-dir", str(project), "--render-dir", str(base), "--no-policy-pack")
    assert rendered.returncode == 0, rendered.stderr
    rewrite(project, {"models": [model("mistral-3-int4", displayName="Mistral 3")]})
    result = preview(
        "--stack", "test", "--project-dir", str(project), "--compare-to", str(base), "--json", "--no-policy-pack"
    )
    assert result.returncode == 0, result.stderr
    resources = by_name(json.loads(result.stdout))
    assert resources["mistral-3-int4-asset-patch"]["op"] == "update"
    assert resources["mistral-3-int4-asset-patch"]["diff"] == ['metadata.annotations["openshift.io/display-name"]']
    assert resources["mistral-3-int4-asset-patch"]["effects"][0]["kind"] == "restarts-predictor-pods"
    [dropped] = [r for r in resources.values() if r["op"] == "delete"]
    assert (dropped["type"], dropped["name"]) == (ISVC_PATCH, "granite-8b-agent")  # given back, never deleted
    assert dropped["effects"][-1]["kind"] == "gives-fields-back"
    assert resources["mistral-3-int4"]["op"] == "same"  # components: deployed objects below them
    assert resources["playground-run-config"]["op"] == "replace"  # enableConfigMapMutable is not set here
    # Effects read the run's own inputs, Pulumi's annotations included (a render has none).
    distribution = resources["playground-distribution"]
    assert distribution["op"] == "update" and distribution["effects"][-1]["kind"] == "waits"
    assert resources["maas"]["op"] == "same"  # a component without objects: deployed or not, a render cannot say


def test_state_and_compare_to_exclude_each_other(tmp_path: Path) -> None:
    result = preview("--stack", "dev", "--state", "a.json", "--compare-to", str(tmp_path), "--no-policy-pack")
    assert result.returncode == 2 and "not allowed with argument" in result.stderr


def test_a_broken_state_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text('{"version": 1}')
    result = preview("--stack", "dev", "--state", str(tmp_path / "state.json"), "--no-policy-pack")
    assert result.returncode == 2 and "deployment version 1 is not supported" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_warnings_are_in_the_json(tmp_path: Path) -> None:
    project = new_project(tmp_path, {"namespace": "private-ai", "models": [model("devstral-2", discover=True)]})
    snapshot = tmp_path / "isvc.yaml"
    snapshot.write_text(yaml.safe_dump_all(live_model("devstral-2", ["--max-model-len=8192"])))
    result = preview(
        "--stack", "test", "--project-dir", str(project), "--snapshot", str(snapshot), "--json", "--no-policy-pack"
    )
    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert any("contextLength is 16384 in the stack file but 8192 on the cluster" in w for w in warnings)
    assert any("has no metadata.managedFields" in w for w in warnings)


def test_markdown_has_the_preview_and_a_graph_coloured_by_op(tmp_path: Path) -> None:
    project = new_project(tmp_path, config(maxTokens=8192))
    state = pulumi_state.write(tmp_path / "s.json", pulumi_state.export(run_main(config())))
    summary = tmp_path / "summary.md"
    result = preview(
        "--stack",
        "test",
        "--project-dir",
        str(project),
        "--state",
        str(state),
        "--markdown",
        str(summary),
        "--no-policy-pack",
    )
    assert result.returncode == 0, result.stderr
    markdown = summary.read_text()
    assert markdown.startswith("### Offline preview: `test` (exit 0)")
    assert result.stdout in markdown
    mermaid = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert mermaid.startswith("flowchart LR")
    assert "classDef replace " in mermaid and "classDef update " in mermaid
    assert ":::replace" in mermaid  # the ConfigMap
    assert ":::update" in mermaid  # the distribution
    # Unchanged resources fold into one node per drawn parent: the MaaS component and the granite model (2) at the
    # root, the mistral model's unchanged patch under its component.
    assert mermaid.count('unchanged"]:::same') == 2 and '["3 unchanged"]:::same' in mermaid


@pytest.mark.parametrize("option", ["--snapshot", "--state", "--policy-config"])
def test_a_named_pipe_with_no_writer_is_refused_at_once(tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "input"
    os.mkfifo(fifo)
    result = preview("--stack", "dev", option, str(fifo), "--no-policy-pack")  # waited forever before
    assert result.returncode == 2, result.stderr
    assert f"{fifo}: a named pipe (FIFO), not a regular file" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("special", [RENDER_MARK_FILE, "kustomization.yaml"])
def test_a_render_dir_holding_a_named_pipe_is_refused_at_once(tmp_path: Path, special: str) -> None:
    out = tmp_path / "manifests"
    out.mkdir()
    os.mkfifo(out / special)
    result = preview("--stack", "dev", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 2 and f"--render-dir {out}: holds files ({special})" in result.stderr
    assert [path.name for path in out.iterdir()] == [special]


def test_a_device_is_refused_as_an_input(tmp_path: Path) -> None:
    result = preview("--stack", "dev", "--snapshot", "/dev/zero", "--no-policy-pack")
    assert result.returncode == 2 and "/dev/zero: a device, not a regular file" in result.stderr


HOSTILE = "x\x1b]0;owned\x07\x1b[2J\r\u202eevil\nfake line\x9b31m"


def test_names_from_a_state_file_reach_the_text_report_escaped(tmp_path: Path) -> None:
    project = new_project(tmp_path, config())
    document = pulumi_state.export(run_main(config()))
    stray = dict(document["deployment"]["resources"][-1])
    stray["urn"] = stray["urn"].rsplit("::", 1)[0] + "::" + HOSTILE
    document["deployment"]["resources"].append(stray)
    document["deployment"]["manifest"]["time"] = HOSTILE
    state = pulumi_state.write(tmp_path / "dev.json", document)
    markdown = tmp_path / "preview.md"
    args = ("--stack", "test", "--project-dir", str(project), "--state", str(state), "--no-policy-pack")
    result = preview(*args, "--markdown", str(markdown))
    assert result.returncode == 0, result.stderr
    for text in (result.stdout, markdown.read_text()):
        assert not {"\x1b", "\x07", "\r", "\u202e", "\x9b"} & set(text)
        assert "\\x1b]0;owned\\x07\\x1b[2J\\x0d\\u202eevil\\x0afake line\\x9b31m" in text
    assert "\nfake line" not in result.stdout


def test_an_export_of_another_stack_is_named_escaped(tmp_path: Path) -> None:
    project = new_project(tmp_path, config())
    document = pulumi_state.export(run_main(config()))
    for resource in document["deployment"]["resources"]:
        resource["urn"] = resource["urn"].replace("urn:pulumi:test::", "urn:pulumi:\x1b[2J::", 1)
    state = pulumi_state.write(tmp_path / "dev.json", document)
    result = preview("--stack", "test", "--project-dir", str(project), "--state", str(state), "--no-policy-pack")
    assert result.returncode == 2 and "\x1b" not in result.stderr
    assert 'the export is of stack "genai-playground/\\u001b[2J"' in result.stderr


def own_project_file(project: Path, text: str) -> None:
    (project / "Pulumi.yaml").unlink()  # a link to the repository's
    (project / "Pulumi.yaml").write_text(text)


def test_a_namespace_the_project_file_defaults_is_used_as_pulumi_uses_it(tmp_path: Path) -> None:
    project = new_project(tmp_path, {key: value for key, value in config().items() if key != "namespace"})
    own_project_file(
        project, "name: genai-playground\nruntime: python\nconfig:\n  namespace:\n    default: private-ai\n"
    )
    result = preview("--stack", "test", "--project-dir", str(project), "--json", "--no-policy-pack")
    assert result.returncode == 0, result.stderr  # exit 2 "namespace: required key is missing" before
    assert "playground-distribution" in result.stdout and '"namespace": "private-ai"' in result.stdout


def test_main_runs_the_program_it_names(tmp_path: Path) -> None:
    project = new_project(tmp_path, config())
    (project / "__main__.py").unlink()
    (project / "__main__.py").write_text("raise SystemExit('the project folder ran, not main:')\n")
    (project / "app").mkdir()
    (project / "app" / "__main__.py").symlink_to(REPO / "__main__.py")
    own_project_file(project, "name: genai-playground\nruntime: python\nmain: app\n")
    result = preview("--stack", "test", "--project-dir", str(project), "--no-policy-pack")
    assert result.returncode == 0, result.stderr
    assert "playground-distribution" in result.stdout


def test_a_nodejs_project_is_refused(tmp_path: Path) -> None:
    project = new_project(tmp_path, config())
    own_project_file(project, "name: genai-playground\nruntime: nodejs\n")
    result = preview("--stack", "test", "--project-dir", str(project), "--no-policy-pack")
    assert result.returncode == 2 and result.stdout == ""
    assert 'Pulumi.yaml: runtime: "nodejs": the offline preview runs Python programs only' in result.stderr


def test_a_model_named_like_a_predictor_is_a_warning_of_the_preview(tmp_path: Path) -> None:
    project = new_project(tmp_path, {**config(), "models": [model("granite"), model("granite-predictor")]})
    result = preview("--stack", "test", "--project-dir", str(project), "--json", "--no-policy-pack")
    assert result.returncode == 0, result.stderr
    [warning] = json.loads(result.stdout)["warnings"]
    assert "model 'granite-predictor' is named like the predictor Service" in warning


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"version": ' + "9" * 5000 + "}", "a number with 5,000 digits (at most 4,300)"),
        ("[" * 100_000 + "]" * 100_000, "lists and mappings nested too deep"),
    ],
)
def test_messages_never_show_python_internals(tmp_path: Path, content: str, expected: str) -> None:
    for option in ("--state", "--policy-config"):
        path = tmp_path / "input.json"
        path.write_text(content)
        result = preview("--stack", "dev", option, str(path), "--no-policy-pack")
        assert result.returncode == 2 and expected in result.stderr
        assert "sys." not in result.stderr and "recursion" not in result.stderr


@pytest.mark.parametrize("option", ["--snapshot", "--state", "--policy-config"])
def test_a_folder_given_as_a_file_is_refused_by_name(tmp_path: Path, option: str) -> None:
    result = preview("--stack", "dev", option, str(tmp_path), "--no-policy-pack")
    assert result.returncode == 2 and "internal error" not in result.stderr
    assert f"{tmp_path}: a folder, not a regular file" in result.stderr
