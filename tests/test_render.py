"""`--render-dir` and `--json` output: complete or nothing, a clear error and exit 2 when the disk says no."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline_preview.render import KUSTOMIZATION, RENDER_MARK, RENDER_MARK_FILE, RENDERED_MARK
from tests.conftest import REPO, model
from tests.test_offline_preview import preview, project_with


def tree(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(directory.iterdir())}


def limited_preview(*args: str, file_size: int, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """The preview with files limited to `file_size` bytes: a write past it fails as on a full disk."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the default kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return subprocess.run(
        [sys.executable, "-m", "offline_preview", "--stack", "dev", "--no-policy-pack", *args],
        cwd=REPO,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=limit,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render") / "manifests"
    result = preview("--stack", "dev", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 0, result.stderr
    assert f"wrote 7 manifests and kustomization.yaml to {out}" in result.stderr.splitlines()
    return out


def test_run_yaml_is_a_readable_block_in_the_config_map(rendered: Path) -> None:
    text = (rendered / "configmap-private-ai-llama-stack-config.yaml").read_text()
    assert "  run.yaml: |\n    version: '2'\n    image_name: rh\n" in text
    assert "\\n" not in text
    run_yaml = yaml.safe_load(text)["data"]["run.yaml"]
    assert len([m for m in yaml.safe_load(run_yaml)["models"] if m["model_type"] == "llm"]) == 5


def test_the_render_carries_no_pulumi_only_annotation(rendered: Path) -> None:
    for path in rendered.iterdir():
        assert "pulumi.com/" not in path.read_text(), path.name
    assert (rendered / KUSTOMIZATION).read_text().startswith(RENDERED_MARK)


def test_a_render_replaces_the_last_one_whole(rendered: Path, tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    out.mkdir()
    for name, text in tree(rendered).items():
        (out / name).write_text(text)
    stale = out / "inferenceservice-private-ai-removed-model.yaml"
    stale.write_text("kind: InferenceService\n")
    kustomization = yaml.safe_load((out / KUSTOMIZATION).read_text())
    kustomization["resources"].append(stale.name)
    (out / KUSTOMIZATION).write_text(yaml.safe_dump(kustomization))
    with (out / RENDER_MARK_FILE).open("a") as mark:  # an earlier render wrote it
        mark.write(f"{stale.name}\n")
    result = preview("--stack", "dev", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 0, result.stderr
    assert tree(out) == tree(rendered)  # the stale manifest is gone
    assert [path.name for path in tmp_path.iterdir()] == ["manifests"]  # no staging or old folder left


def test_nothing_is_written_when_the_run_fails(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    result = preview("--stack", "dev", "--render-dir", str(out), "--policy-config", str(tmp_path / "missing.json"))
    assert result.returncode == 2 and not out.exists()
    result = preview("--stack", "nope", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 2 and not out.exists() and list(tmp_path.iterdir()) == []


def test_a_render_blocked_by_a_mandatory_policy_writes_nothing(rendered: Path, tmp_path: Path) -> None:
    # A GitOps render is a deploy: on a mandatory violation nothing is written and the last render stays.
    models = [model("granite-8b-agent", contextLength=4096, maxTokens=4096)]
    (tmp_path / "project").mkdir()
    project = project_with(tmp_path / "project", {"namespace": "private-ai", "models": models})
    out = tmp_path / "manifests"
    result = preview("--stack", "test", "--project-dir", str(project), "--render-dir", str(out))
    assert result.returncode == 1, result.stderr
    assert f"wrote nothing to {out}: a mandatory policy failed" in result.stderr
    assert not out.exists()
    shutil.copytree(rendered, out)
    before = tree(out)
    result = preview("--stack", "test", "--project-dir", str(project), "--render-dir", str(out))
    assert result.returncode == 1 and tree(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["manifests", "project"]


def test_a_users_own_kustomize_folder_is_never_replaced(tmp_path: Path) -> None:
    # A kustomization.yaml listing only plain files, all present, is what a render looks like: not enough.
    out = tmp_path / "my-overlay"
    out.mkdir()
    (out / "deployment.yaml").write_text("kind: Deployment\n")
    (out / KUSTOMIZATION).write_text("kind: Kustomization\nresources:\n- deployment.yaml\n")
    before = tree(out)
    result = preview("--stack", "dev", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 2, result.stderr
    assert f"--render-dir {out}: holds files (deployment.yaml, kustomization.yaml) and no {RENDER_MARK_FILE}" in (
        result.stderr
    )
    assert "name a new or empty folder" in result.stderr and result.stdout == ""
    assert tree(out) == before


def test_a_render_carries_its_mark_and_a_file_added_to_it_is_kept(rendered: Path, tmp_path: Path) -> None:
    mark = (rendered / RENDER_MARK_FILE).read_text().splitlines()
    assert mark[0] == RENDER_MARK and sorted(mark[1:]) == sorted(set(tree(rendered)) - {RENDER_MARK_FILE})
    out = tmp_path / "manifests"
    shutil.copytree(rendered, out)
    (out / "notes.md").write_text("mine\n")
    result = preview("--stack", "dev", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 2 and "holds files no render wrote (notes.md)" in result.stderr
    assert (out / "notes.md").read_text() == "mine\n"


def test_a_render_of_the_version_before_the_mark_file_is_still_replaced(rendered: Path, tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    shutil.copytree(rendered, out)
    (out / RENDER_MARK_FILE).unlink()
    result = preview("--stack", "dev", "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 0, result.stderr
    assert tree(out) == tree(rendered)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("a-file", "not a folder"),
        ("a-link", "a symbolic link; name the folder itself"),
        ("/proc/self/manifests", "cannot write in /proc/self"),
        ("has-other-files", f"holds files (notes.txt) and no {RENDER_MARK_FILE}"),
    ],
)
def test_a_render_dir_that_cannot_take_a_render_is_refused(tmp_path: Path, target: str, expected: str) -> None:
    (tmp_path / "a-file").write_text("mine\n")
    (tmp_path / "has-other-files").mkdir()
    (tmp_path / "has-other-files" / "notes.txt").write_text("mine\n")
    (tmp_path / "a-link").symlink_to(tmp_path / "has-other-files")
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    result = preview("--stack", "dev", "--render-dir", str(tmp_path / target), "--no-policy-pack")
    assert result.returncode == 2 and expected in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before


def test_a_full_disk_leaves_the_last_render_as_it_was(rendered: Path, tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    out.mkdir()
    for name, text in tree(rendered).items():
        (out / name).write_text(text)
    (out / "configmap-private-ai-llama-stack-config.yaml").write_text("# the last render\n")
    result = limited_preview("--render-dir", str(out), file_size=2000)  # the ConfigMap is larger
    assert result.returncode == 2, result.stderr
    assert "cannot write the render: File too large" in result.stderr and "nothing was changed" in result.stderr
    assert (out / "configmap-private-ai-llama-stack-config.yaml").read_text() == "# the last render\n"
    assert [path.name for path in tmp_path.iterdir()] == ["manifests"]
    assert result.stdout == ""


def test_json_to_a_full_stdout_is_an_error(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = limited_preview("--json", file_size=1 << 30, stdout=full)
    assert result.returncode == 2
    assert result.stderr == "error: cannot write the preview to stdout: No space left on device\n"


def test_json_to_a_file_on_a_full_disk_leaves_no_half_document(tmp_path: Path) -> None:
    path = tmp_path / "preview.json"
    path.write_text("")
    with path.open("a") as stream:
        result = limited_preview("--json", file_size=4096, stdout=stream)  # the document is larger
    assert result.returncode == 2 and "cannot write the preview to stdout: File too large" in result.stderr
    assert path.read_text() == ""
