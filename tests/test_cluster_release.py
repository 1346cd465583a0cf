"""The release check: a stack that reads the cluster compares the DataScienceCluster's release with its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES, SUPPORTED

from genai_playground.cluster_release import ReleaseMismatchError, check_cluster_release
from tests.conftest import model
from tests.support.isvc_snapshots import data_science_cluster, live_model
from tests.support.stack_files import run_stack
from tests.test_offline_preview import preview, project_with

READ = "cluster-release"


@pytest.mark.parametrize("release", SUPPORTED)
def test_every_z_stream_of_the_stacks_release_passes(release: str) -> None:
    for version in (f"{release}.0", f"{release}.3"):
        assert check_cluster_release(PROFILES[release], data_science_cluster(version), "Pulumi.x.yaml") is None


def test_another_release_stops_naming_both_releases_and_the_key_to_set() -> None:
    with pytest.raises(ReleaseMismatchError) as caught:
        check_cluster_release(PROFILES["3.0"], data_science_cluster("3.3.1"), "Pulumi.x.yaml")
    message = str(caught.value)
    assert message.startswith('Pulumi.x.yaml: genai-playground:release is "3.0" but the cluster runs RHOAI 3.3.1')
    assert "DataScienceCluster default-dsc" in message and 'genai-playground:release: "3.3"' in message


def test_an_unsupported_cluster_release_lists_the_supported_ones() -> None:
    with pytest.raises(ReleaseMismatchError) as caught:
        check_cluster_release(PROFILES["3.4"], data_science_cluster("2.25.0"), "Pulumi.x.yaml")
    assert "RHOAI 2.25.0" in str(caught.value) and f"supported: {', '.join(SUPPORTED)}" in str(caught.value)


def test_a_cluster_that_reports_no_release_yet_is_a_warning() -> None:
    dsc = data_science_cluster()
    del dsc["status"]
    warning = check_cluster_release(PROFILES["3.2"], dsc, "Pulumi.x.yaml")
    assert warning is not None and "no status.release.version" in warning and "3.2 is not checked" in warning


def snapshot_file(tmp_path: Path, objects: list[dict[str, Any]]) -> Path:
    path = tmp_path / "snapshot.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objects}))
    return path


def discover_project(tmp_path: Path, release: str, **config: Any) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return project_with(
        project, {"release": release, "namespace": "private-ai", "models": [model("a", discover=True)], **config}
    )


def test_a_mismatch_exits_2_through_the_cli_and_writes_nothing(tmp_path: Path) -> None:
    project = discover_project(tmp_path, "3.0")
    snapshot = snapshot_file(tmp_path, live_model("a", ["--max-model-len=4096"], cluster_release="3.4.0"))
    render_dir = tmp_path / "rendered"
    result = preview(
        "--stack", "test", "--project-dir", str(project), "--snapshot", str(snapshot), "--render-dir", str(render_dir)
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert 'genai-playground:release is "3.0" but the cluster runs RHOAI 3.4.0' in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not render_dir.exists()


@pytest.mark.parametrize("release", SUPPORTED)
def test_the_matching_release_is_read_and_passes(tmp_path: Path, release: str) -> None:
    project = discover_project(tmp_path, release)
    cluster = data_science_cluster(f"{release}.1", api_version=PROFILES[release].dsc_api_version)
    objects = [*live_model("a", ["--max-model-len=16384"]), cluster]
    snapshot = snapshot_file(tmp_path, objects)
    # With the policy pack: it judges each release's objects as that release's server reads them.
    result = preview("--stack", "test", "--project-dir", str(project), "--snapshot", str(snapshot), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    reads = [r for r in json.loads(result.stdout)["resources"] if r["op"] == "read"]
    assert READ in {r["name"] for r in reads}


def test_prerequisites_alone_read_the_cluster_and_a_missing_dsc_names_the_oc_command(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    project_with(project, {"namespace": "private-ai", "models": [model("a")], "prerequisites": {"manage": True}})
    result = preview("--stack", "test", "--project-dir", str(project), "--no-policy-pack")
    assert result.returncode == 2
    assert "oc get datasciencecluster default-dsc -o yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_write_waits_for_the_check_and_a_declared_stack_does_not_read() -> None:
    prod = run_stack("prod")
    [check] = [r for r in prod.resources if r.name == READ]
    writes = [r for r in prod.resources if r.custom and not r.read]
    assert writes and all(check.urn in r.dependencies for r in writes)
    assert READ not in {r.name for r in run_stack("dev").resources}
