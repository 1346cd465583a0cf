"""Moving a deployed RHOAI 3.4 stack to 3.5: the preview against its `pulumi stack export` (--state)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genai_contract.releases import profile

from offline_preview.effects import Cluster
from offline_preview.plan import Plan, Row, preview_plan
from offline_preview.snapshots import SnapshotIndex
from offline_preview.state import load_state
from tests.conftest import model, stack
from tests.support import pulumi_state
from tests.support.isvc_snapshots import data_science_cluster
from tests.support.program import run_main

MUTABLE = {"enableConfigMapMutable": "true"}


def playground(release: str, **settings: Any) -> dict[str, Any]:
    return stack(
        model("a", contextLength=8192),
        release=release,
        playground={"storageSize": "5Gi", **settings},
        prerequisites={"manage": True},
    )


def cluster_at(release: str, version: str) -> SnapshotIndex:
    """The DataScienceCluster the program reads (prerequisites.manage) as the release's API version serves it."""
    dsc = data_science_cluster(version)
    dsc["apiVersion"] = profile(release).dsc_api_version
    return SnapshotIndex([dsc])


def preview_move(tmp_path: Path, new: dict[str, Any]) -> Plan:
    before = run_main(playground("3.4"), cluster_at("3.4", "3.4.1"))
    deployed = pulumi_state.write(tmp_path / "stack.json", pulumi_state.export(before))
    run = run_main(new, cluster_at("3.5", "3.5.0"))
    prior = load_state(deployed, run.project, run.stack)
    return preview_plan(run, prior, Cluster(SnapshotIndex([]), MUTABLE))


def server_row(result: Plan) -> Row:
    [found] = [r for r in result.rows if r.type.endswith((":LlamaStackDistribution", ":OGXServer"))]
    return found


def test_the_same_name_deletes_the_distribution_then_creates_the_ogx_server(tmp_path: Path) -> None:
    result = preview_move(tmp_path, playground("3.5"))
    row = server_row(result)
    assert row.op == "replace" and row.delete_first
    assert row.type.endswith(":OGXServer") and row.replaces[-1] == "kind"
    assert (row.old or {})["kind"] == "LlamaStackDistribution"
    assert (row.inputs or {})["metadata"]["name"] == (row.old or {})["metadata"]["name"] == "lsd-genai-playground"
    [recreated] = [e for e in row.effects if e.kind == "recreates"]
    assert recreated.message.startswith(
        "deletes LlamaStackDistribution private-ai/lsd-genai-playground, then creates OGXServer "
        "private-ai/lsd-genai-playground"
    )
    assert "PVC go with it" in recreated.message
    [waits] = [e for e in row.effects if e.kind == "waits"]
    assert "config revision" in waits.message
    # The old distribution is not deleted a second time: the alias matched it.
    assert not [r for r in result.rows if r.op == "delete" and r.type.endswith(":LlamaStackDistribution")]


def test_the_config_map_is_relabelled_for_the_ogx_operator(tmp_path: Path) -> None:
    result = preview_move(tmp_path, playground("3.5"))
    [config_map] = [r for r in result.rows if r.type == "kubernetes:core/v1:ConfigMap"]
    changed = {change.path for change in config_map.diff}
    assert any("ogx.io/watch" in path for path in changed)
    assert any("ogx.io/server" in path for path in changed)
    assert any("llamastack.io/distribution" in path for path in changed)
    rolls = [e.message for e in config_map.effects if e.kind == "rolls-llama-stack-pod"]
    assert rolls and "resourceVersion" in rolls[0]


def test_the_cluster_switches_flip(tmp_path: Path) -> None:
    """components.ogx is in the v2 API only: the v1 patch is forgotten (its fields stay, retainOnDelete) and a v2
    patch takes llamastackoperator over (patchForce) and switches OGX on, in one object."""
    result = preview_move(tmp_path, playground("3.5"))
    patches = {r.type.split(":")[1]: r for r in result.rows if r.type.endswith(":DataScienceClusterPatch")}
    new, old = patches["datasciencecluster.opendatahub.io/v2"], patches["datasciencecluster.opendatahub.io/v1"]
    assert new.op == "create"
    assert (new.inputs or {})["spec"]["components"] == {
        "llamastackoperator": {"managementState": "Removed"},
        "ogx": {"managementState": "Managed"},
    }
    assert old.op == "delete" and [e.kind for e in old.effects] == ["kept"]
    assert (old.old or {})["spec"]["components"] == {"llamastackoperator": {"managementState": "Managed"}}


def test_adopting_under_a_new_name_creates_first_so_the_files_stay(tmp_path: Path) -> None:
    result = preview_move(tmp_path, playground("3.5", name="genai-playground", adoptStorageFrom="lsd-genai-playground"))
    row = server_row(result)
    assert row.op == "replace" and not row.delete_first
    [recreated] = [e for e in row.effects if e.kind == "recreates"]
    assert recreated.message.startswith("creates OGXServer private-ai/genai-playground, then deletes")
    annotations = (row.inputs or {})["metadata"]["annotations"]
    assert annotations["ogx.io/adopt-storage"] == "lsd-genai-playground"
