"""The pack publishes on its own: a copy of `policies/` runs with only what its requirements.txt installs.

`pulumi policy publish` uploads the folder, and Pulumi Cloud runs it for stacks of any project: nothing of the
program (genai_playground, components, offline_preview, tests) may be needed, and the contract it shares with
the program must come from the folder itself.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_preview.policy_pack import PolicyPackProcess
from tests.conftest import REPO
from tests.policies.fixtures import foreign_stack

PACK = REPO / "policies"
# Modules the pack may import besides its own and the standard library, and the requirement bringing each.
THIRD_PARTY = {
    "pulumi": "pulumi",
    "pulumi_policy": "pulumi-policy",
    "yaml": "PyYAML",
    "grpc": "pulumi",
    "google": "pulumi",
}


def pack_imports() -> set[str]:
    roots = set()
    for path in PACK.rglob("*.py"):
        if "venv" in path.relative_to(PACK).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
    return roots - set(sys.stdlib_module_names)


def test_the_pack_imports_only_itself_and_its_requirements() -> None:
    own = {"genai_policies", "genai_contract"}
    imported = pack_imports()
    assert imported - own <= set(THIRD_PARTY), imported - own - set(THIRD_PARTY)
    required = {line.split("==")[0] for line in (PACK / "requirements.txt").read_text().split() if line}
    assert {THIRD_PARTY[name] for name in imported - own} <= required


@pytest.fixture(scope="module")
def lone_pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A copy of the pack folder and a Python that sees its requirements but nothing of this project.

    The interpreter is a fresh virtualenv whose one `.pth` line adds the test environment's site-packages as a
    plain path: the packages of requirements.txt resolve, while the `.pth` files inside it (such as the editable
    install of the contract from this repository) are not processed.
    """
    root = tmp_path_factory.mktemp("lone")
    copy = root / "pack"
    shutil.copytree(PACK, copy, ignore=shutil.ignore_patterns("venv", "__pycache__", "*.egg-info"))
    env_dir = root / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "requirements.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    yield copy, str(python)


def test_the_copy_resolves_nothing_from_the_project(lone_pack: tuple[Path, str]) -> None:
    copy, python = lone_pack
    probe = (
        "import importlib.util as u, genai_contract, genai_policies;"
        "print(genai_contract.__file__); print(genai_policies.__file__);"
        "print(u.find_spec('genai_playground'), u.find_spec('offline_preview'), u.find_spec('components'))"
    )
    # As the engine starts it: the pack folder as the working directory and first on sys.path.
    result = subprocess.run([python, "-c", probe], cwd=copy, check=True, capture_output=True, text=True)
    contract, policies, missing = result.stdout.splitlines()
    assert Path(contract).is_relative_to(copy) and Path(policies).is_relative_to(copy)
    assert missing == "None None None"


def test_the_copy_serves_the_pack(lone_pack: tuple[Path, str]) -> None:
    copy, python = lone_pack
    stack = foreign_stack(max_tokens="16000")
    with PolicyPackProcess(copy, python=python) as pack:
        assert pack.info().version == "0.1.0"
        violations = pack.preview({}, stack.analyzed(), stack.resources)
        problems = pack.stderr()
    assert [(v.policy, v.enforcement_level) for v in violations] == [("max-tokens-within-context", "mandatory")]
    assert "Traceback" not in problems


def test_the_copy_reads_its_recorded_provider_configs(lone_pack: tuple[Path, str]) -> None:
    copy, python = lone_pack
    stack = foreign_stack()
    stack.edit_run_yaml(lambda doc: doc["providers"]["inference"][0]["config"].update(base_url="x"), "run-config")
    with PolicyPackProcess(copy, python=python) as pack:
        violations = pack.preview({}, stack.analyzed(), stack.resources)
    assert [v.policy for v in violations] == ["llama-stack-config-valid"]
    assert "has no config key base_url" in violations[0].message
