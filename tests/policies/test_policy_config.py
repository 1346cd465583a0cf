"""The per-stack policy config: an unknown policy name or key is an error listing what is allowed.

The Pulumi engine lets both through (its schema check sees only each policy's properties and required keys),
so the pack's own Configure refuses them, and the offline preview refuses them before the pack starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from genai_policies import ALL_POLICIES
from genai_policies._config import config_problems

from offline_preview.policy_pack import (
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    ResolvedPolicyConfig,
    resolve_policy_config,
)
from tests.conftest import REPO

POLICY_NAMES = ", ".join(sorted(policy.name for policy in ALL_POLICIES))


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(REPO / "policies", stack="dev") as process:
        yield process


def test_the_pack_refuses_what_the_engine_lets_through(pack: PolicyPackProcess) -> None:
    """The engine sends every name of the file and unknown keys alike: Configure answers INVALID_ARGUMENT."""
    resolved = resolve_policy_config(pack.info(), {})
    typo = {**resolved, "gpu-budgt": ResolvedPolicyConfig("mandatory")}
    with pytest.raises(PolicyPackError) as caught:
        pack.configure(typo)
    assert f"gpu-budgt: no policy of this pack has this name; policies: {POLICY_NAMES} (or all)" in str(caught.value)
    extra = {**resolved, "gpu-budget": ResolvedPolicyConfig("advisory", {"maxAlwaysOnGpus": 8, "maxGpus": 4})}
    with pytest.raises(PolicyPackError) as caught:
        pack.configure(extra)
    assert "gpu-budget: unknown key maxGpus; allowed: enforcementLevel, maxAlwaysOnGpus" in str(caught.value)
    pack.configure(resolved)  # a valid config still goes through


def test_the_offline_preview_refuses_them_before_the_pack_runs(pack: PolicyPackProcess) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        resolve_policy_config(pack.info(), {"gpu-budgt": "advisory", "gpu-budget": {"maxGpus": 4}, "all": {"x": 1}})
    assert str(caught.value).splitlines() == [
        "invalid policy config:",
        f"  - gpu-budgt: no policy of this pack has this name; policies: {POLICY_NAMES} (or all)",
        "  - gpu-budget: unknown key maxGpus; allowed: enforcementLevel, maxAlwaysOnGpus",
        "  - all: sets only the enforcement level; unknown keys x",
    ]


def test_a_policy_without_properties_takes_only_its_level() -> None:
    assert config_problems(ALL_POLICIES, {"scaled-to-zero-models": {"threshold": 1}}) == [
        "scaled-to-zero-models: unknown key threshold; allowed: enforcementLevel"
    ]
    assert config_problems(ALL_POLICIES, {"all": {}, "gpu-budget": {"maxAlwaysOnGpus": 1}}) == []


def test_the_offline_preview_exits_2_on_an_unknown_policy_name(tmp_path: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"gpu-budgt": "mandatory"}))
    result = subprocess.run(
        [sys.executable, "-m", "offline_preview", "--stack", "dev", "--policy-config", str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "gpu-budgt: no policy of this pack has this name; policies: " in result.stderr
