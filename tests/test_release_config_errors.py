"""Bad `release` input through the real command: a config error naming key, release and what is allowed; exit 2,
no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES, RELEASE_COMMAND, SUPPORTED

from genai_playground.config import NETWORK_ALLOWED_FROM
from tests.conftest import model
from tests.support.program import PROVIDER_CONFIG
from tests.test_offline_preview import PROGRAM_FILES, preview

SUPPORTED_TEXT = ", ".join(SUPPORTED)


def project(tmp_path: Path, config: dict[str, Any]) -> Path:
    """The real program and one stack file written as given (no release added)."""
    folder = tmp_path / "project"
    folder.mkdir()
    for name in PROGRAM_FILES:
        (folder / name).symlink_to(Path(__file__).resolve().parent.parent / name)
    entries = {**PROVIDER_CONFIG, **{f"genai-playground:{key}": value for key, value in config.items()}}
    (folder / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": entries}))
    return folder


def refused(tmp_path: Path, config: dict[str, Any]) -> str:
    folder = project(tmp_path, {"namespace": "private-ai", "models": [model("a")], **config})
    out = tmp_path / "rendered"
    result = preview("--stack", "test", "--project-dir", str(folder), "--render-dir", str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == "" and not out.exists()
    return result.stderr


def test_a_stack_without_release_lists_the_supported_ones_and_how_to_read_the_clusters(tmp_path: Path) -> None:
    message = refused(tmp_path, {})
    assert "release" in message and SUPPORTED_TEXT in message and RELEASE_COMMAND in message


@pytest.mark.parametrize("value", ["3.1", "2.25", "4.0", "latest", "3"])
def test_an_unsupported_release_names_the_value_and_the_supported_ones(tmp_path: Path, value: str) -> None:
    message = refused(tmp_path, {"release": value})
    assert f'release: "{value}" is not allowed: must be one of {SUPPORTED_TEXT}, as text' in message
    assert "Pulumi.test.yaml: invalid stack config" in message


@pytest.mark.parametrize("release", [r for r in SUPPORTED if NETWORK_ALLOWED_FROM not in PROFILES[r].features])
def test_a_key_the_release_lacks_names_key_release_and_the_releases_that_have_it(tmp_path: Path, release: str) -> None:
    message = refused(tmp_path, {"release": release, "playground": {"allowedFromNamespaces": ["workbenches"]}})
    having = [r for r in SUPPORTED if NETWORK_ALLOWED_FROM in PROFILES[r].features]
    assert f"playground.allowedFromNamespaces: not available on RHOAI {release} (the stack's `release`)" in message
    assert f"it exists on RHOAI {', '.join(having)}" in message
