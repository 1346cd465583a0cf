""".ci/render-base renders the base branch with the base's own program and packages (the PR diff depends on it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO

BASE_FILES = ["Pulumi.yaml", "__main__.py", "components", "genai_playground", "policies", "environments"]


def test_the_base_is_rendered_with_its_own_genai_playground(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    for name in BASE_FILES:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, base / name)
    for stack_file in REPO.glob("Pulumi.*.yaml"):
        shutil.copy(stack_file, base / stack_file.name)
    run_config = base / "genai_playground" / "run_config.py"
    run_config.write_text(run_config.read_text().replace('profile.name_key: "rh",', 'profile.name_key: "rh-base",'))

    result = subprocess.run(
        [str(REPO / ".ci" / "render-base"), str(base), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard
    )

    assert result.returncode == 0 and "::warning::" not in result.stdout, result.stdout + result.stderr
    stacks = sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in REPO.glob("Pulumi.*.yaml"))
    assert sorted(path.name for path in (tmp_path / "out").iterdir() if path.is_dir()) == stacks
    for stack in stacks:
        [config_map] = (tmp_path / "out" / stack).glob("configmap-*llama-stack-config.yaml")
        assert "_name: rh-base\n" in config_map.read_text()  # the base's run.yaml builder, not this one's
