"""The Llama Stack virtualenv is the 3.0 image's server: its version, and every pin the fork's uv.lock decides."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from tests.conftest import REPO

VERSION = "0.3.0rc3+rhai0"
REQUIREMENTS = REPO / "tests" / "support" / "server-requirements" / "3.0.txt"


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    lines = [line for line in REQUIREMENTS.read_text().splitlines() if line and not line.startswith("#")]
    return {normalized(name): version for name, version in (line.split("==") for line in lines)}


def uv_lock_versions(venv: Path) -> dict[str, set[str]]:
    """The tag's uv.lock, from the source `make llama-stack-venv` installed (the offline mirror or the git tag)."""
    lock = tomllib.loads((venv / "src" / "server" / "uv.lock").read_text())
    versions: dict[str, set[str]] = {}
    for package in lock["package"]:
        # uv.lock's torch is the PyTorch index's CPU build (2.8.0+cpu); PyPI has the same version without it.
        versions.setdefault(normalized(package["name"]), set()).add(package["version"].split("+")[0])
    return versions


def test_the_server_is_the_3_0_images_llama_stack(venv: Path) -> None:
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import importlib.metadata as m; print(m.version('llama_stack'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert installed == VERSION


def test_every_package_uv_lock_names_has_its_version(venv: Path) -> None:
    locked = uv_lock_versions(venv)
    differing = {
        name: (version, locked[name])
        for name, version in pins().items()
        if name in locked and version not in locked[name]
    }
    assert differing == {}
    assert {"fastapi", "openai", "pydantic", "mcp", "litellm", "pymilvus", "torch"} <= set(pins()) & set(locked)
