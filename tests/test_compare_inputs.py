"""--state and --compare-to are inputs like any other: a hostile or broken one is exit 2 with its file named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_offline_preview import preview
from tests.test_safe_yaml import ALIAS_BOMB


def render_dir(tmp_path: Path, manifest: str, listed: str = "object.yaml") -> Path:
    directory = tmp_path / "base"
    directory.mkdir()
    (directory / "kustomization.yaml").write_text(f"kind: Kustomization\nresources: [{listed}]\n")
    (directory / "object.yaml").write_text(manifest)
    return directory


@pytest.mark.parametrize(
    ("manifest", "listed", "expected"),
    [
        (ALIAS_BOMB, "object.yaml", "once its aliases (*name) are expanded"),
        ("kind: ConfigMap\nmetadata: {name: a, created: 2024-01-01}\n", "object.yaml", "unquoted date"),
        ("kind: ConfigMap\n", "../../etc/passwd", "is not a file of the render"),
    ],
)
def test_a_hostile_render_to_compare_to_is_an_error(tmp_path: Path, manifest: str, listed: str, expected: str) -> None:
    directory = render_dir(tmp_path, manifest, listed)
    result = preview("--stack", "dev", "--compare-to", str(directory), "--no-policy-pack")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --compare-to ") and expected in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [("[" * 100_000 + "]" * 100_000, "not a readable JSON file"), (b"{\xff}", "not UTF-8 text")],
)
def test_a_broken_state_file_is_an_error(tmp_path: Path, content: str | bytes, expected: str) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = preview("--stack", "dev", "--state", str(state), "--no-policy-pack")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --state ") and expected in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
