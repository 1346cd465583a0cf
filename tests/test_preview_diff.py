"""The offline preview against what is deployed: ops as Pulumi shows them, changed fields and cluster effects.

Deployed stacks are `pulumi stack export` files shaped as the engine writes them (tests/support/pulumi_state.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from offline_preview.effects import Cluster, with_kserve_config
from offline_preview.engine import ProgramRun
from offline_preview.errors import OfflineRunError
from offline_preview.plan import Plan, Row, preview_plan
from offline_preview.report import json_report, text_report
from offline_preview.snapshots import SnapshotIndex
from offline_preview.state import load_state
from tests.conftest import model, stack
from tests.support import pulumi_state
from tests.support.isvc_snapshots import live_isvc
from tests.support.program import run_main

MUTABLE = {"enablePatchForce": "true", "enableConfigMapMutable": "true"}
ISVC_PATCH = "kubernetes:serving.kserve.io/v1beta1:InferenceServicePatch"


def two_models(**changes: Any) -> dict[str, Any]:
    first = {"displayName": "Mistral", "maxTokens": 4096, **changes.pop("first", {})}
    return stack(model("mistral-3-int4", **first), model("granite-8b-agent", displayName="Granite"), **changes)


def deployed(tmp_path: Path, raw: dict[str, Any], **export: Any) -> Path:
    return pulumi_state.write(tmp_path / "stack.json", pulumi_state.export(run_main(raw), **export))


def deployed_with_patches_given_back(tmp_path: Path, raw: dict[str, Any]) -> Path:
    """A stack deployed by a release whose asset patches were not retained on delete."""
    document_ = pulumi_state.export(run_main(raw))
    for resource in document_["deployment"]["resources"]:
        if resource["type"] == ISVC_PATCH:
            resource.pop("retainOnDelete", None)
    return pulumi_state.write(tmp_path / "old.json", document_)


def preview(
    run: ProgramRun,
    state: Path | None,
    *,
    provider: dict[str, str] | None = None,
    snapshots: list[dict[str, Any]] | None = None,
) -> Plan:
    prior = load_state(state, run.project, run.stack) if state is not None else None
    cluster = with_kserve_config(Cluster(SnapshotIndex(snapshots or []), MUTABLE if provider is None else provider))
    return preview_plan(run, prior, cluster)


def row(result: Plan, name: str) -> Row:
    [found] = [r for r in result.rows if r.name == name]
    return found


def effects(found: Row) -> list[str]:
    return [effect.kind for effect in found.effects]


def document(run: ProgramRun, result: Plan) -> dict[str, Any]:
    return json.loads(json_report(run, result, []))


def test_a_new_stack_creates_everything_and_the_stack_itself() -> None:
    run = run_main(two_models())
    result = preview(run, None)
    assert {r.op for r in result.rows} == {"create"}
    assert result.rows[0].type == "pulumi:pulumi:Stack"
    summary = document(run, result)["summary"]
    # 2 endpoints + 2 patches + playground, ConfigMap, distribution + MaaS component + the Stack
    assert (summary["create"], summary["changes"], summary["same"]) == (9, 9, 0)
    assert "    + 9 to create" in text_report(run, result, [], "")


def test_the_deployed_stack_unchanged_is_all_same(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(two_models())
    result = preview(run, state)
    assert {r.op for r in result.rows} == {"same"}
    assert all(r.diff == () and r.effects == () for r in result.rows)
    text = text_report(run, result, [], "")
    assert "    9 unchanged" in text and "to create" not in text


def test_max_tokens_change_updates_the_config_and_rolls_only_the_llama_stack_pod(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(two_models(first={"maxTokens": 8192}))
    result = preview(run, state)
    config_map = row(result, "playground-run-config")
    assert config_map.op == "update"
    [change] = config_map.diff
    assert change.path == "data.run.yaml: providers.inference[vllm-mistral-3-int4].config.max_tokens"
    assert (change.old, change.new) == (
        "${env.VLLM_MAX_TOKENS_MISTRAL_3_INT4:=4096}",
        "${env.VLLM_MAX_TOKENS_MISTRAL_3_INT4:=8192}",
    )
    assert effects(config_map) == ["rolls-llama-stack-pod"]
    lsd = row(result, "playground-distribution")
    assert lsd.op == "update"
    paths = {c.path for c in lsd.diff}
    assert "spec.server.containerSpec.env[VLLM_MAX_TOKENS_MISTRAL_3_INT4].value" in paths
    assert 'metadata.annotations["pulumi.com/waitFor"]' in paths  # the new revision: this update waits again
    assert effects(lsd) == ["rolls-llama-stack-pod", "waits"]
    [waits] = [e.message for e in lsd.effects if e.kind == "waits"]
    assert "config revision r-" in waits and "Limit:" in waits
    # A timeout's likely causes, each with the command that tells it.
    assert "If `pulumi up` times out, the likely causes" in waits
    assert "oc get pods -l app.kubernetes.io/instance=lsd-genai-playground" in waits
    assert "failed to get provider info" in waits and "in phase Ready it reads again only on the next change" in waits
    assert (
        "oc annotate llamastackdistribution lsd-genai-playground" in waits
        and "llamastackoperator component is not Managed" in waits
    )
    # No asset patch changes: no GPU restart anywhere.
    assert {r.op for r in result.rows if r.type == ISVC_PATCH} == {"same"}
    assert not [e for r in result.rows for e in r.effects if e.kind == "restarts-predictor-pods"]
    assert row(result, "mistral-3-int4").op == "update"  # the component's props (maxTokens)
    assert document(run, result)["summary"]["update"] == 3  # ConfigMap, distribution, the model's component


def test_without_mutable_config_maps_a_run_yaml_change_replaces_the_config_map(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    result = preview(run_main(two_models(first={"maxTokens": 8192})), state, provider={"enablePatchForce": "true"})
    config_map = row(result, "playground-run-config")
    assert config_map.op == "replace" and config_map.replaces == (config_map.diff[0].path,)
    assert effects(config_map) == ["recreates", "rolls-llama-stack-pod"]
    assert "kubernetes:enableConfigMapMutable" in config_map.effects[0].message


def test_a_display_name_change_restarts_that_models_predictor_pods(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(two_models(first={"displayName": "Mistral 3"}))
    result = preview(run, state)
    patch = row(result, "mistral-3-int4-asset-patch")
    assert patch.op == "update"
    assert [c.text() for c in patch.diff] == [
        '~ metadata.annotations["openshift.io/display-name"]: "Mistral" => "Mistral 3"'
    ]
    [restart, on_destroy] = patch.effects
    assert restart.kind == "restarts-predictor-pods"
    assert restart.message.startswith("restarts the predictor pods of private-ai/mistral-3-int4")
    assert on_destroy.kind == "on-destroy" and "keeps every field (retainOnDelete" in on_destroy.message
    assert 'annotation openshift.io/display-name="Mistral 3"' in on_destroy.message
    assert row(result, "granite-8b-agent-asset-patch").op == "same"
    text = text_report(run, result, [], "")
    assert "restarts the predictor pods of private-ai/mistral-3-int4" in text


def test_removing_a_model_keeps_its_fields_and_restarts_nothing(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(stack(model("granite-8b-agent", displayName="Granite")))
    result = preview(run, state)
    patch = row(result, "mistral-3-int4-asset-patch")
    assert (patch.op, patch.inputs, patch.type) == ("delete", None, ISVC_PATCH)
    [kept] = patch.effects
    assert kept.kind == "kept" and "no predictor restart" in kept.message
    assert 'annotation openshift.io/display-name="Mistral"' in kept.message
    assert 'label opendatahub.io/genai-asset="true"' in kept.message
    assert row(result, "mistral-3-int4").op == "delete"
    assert document(run, result)["summary"]["delete"] == 2


def test_a_stack_deployed_before_retained_patches_gives_fields_back_once(tmp_path: Path) -> None:
    state = deployed_with_patches_given_back(tmp_path, two_models())
    run = run_main(stack(model("granite-8b-agent", displayName="Granite")))
    patch = row(preview(run, state), "mistral-3-int4-asset-patch")
    assert effects(patch) == ["restarts-predictor-pods", "gives-fields-back"]


def test_dropping_the_display_name_says_what_happens_to_the_field(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(stack(model("mistral-3-int4", maxTokens=4096), model("granite-8b-agent", displayName="Granite")))
    patch = row(preview(run, state), "mistral-3-int4-asset-patch")
    [dropped] = [e.message for e in patch.effects if e.kind == "drops-field"]
    assert "annotation openshift.io/display-name is deleted from the object" in dropped
    # The wizard also owns it (same value): it stays.
    live = managed_by_the_wizard("mistral-3-int4", "Mistral")
    live["metadata"]["annotations"]["opendatahub.io/genai-use-case"] = "chat assistant"
    patch = row(preview(run, state, snapshots=[live]), "mistral-3-int4-asset-patch")
    [dropped] = [e.message for e in patch.effects if e.kind == "drops-field"]
    assert "annotation openshift.io/display-name stays (also owned by Mozilla)" in dropped
    assert "restarts-predictor-pods" not in effects(patch)


def test_a_retained_object_is_deleted_from_the_stack_only(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models(playground={"retainOnDelete": True}, prerequisites={"manage": True}))
    result = preview(run_main(two_models()), state)
    dsc = row(result, "prerequisites-datasciencecluster")
    assert dsc.op == "delete" and effects(dsc) == ["kept"]


def test_a_patch_that_changes_nothing_on_the_live_object_restarts_nothing() -> None:
    """The dashboard's deploy wizard already wrote the same labels and annotations."""
    run = run_main(stack(model("granite-8b-agent", displayName="Granite")))
    live = live_isvc("granite-8b-agent", [])
    live["metadata"]["labels"] = {"opendatahub.io/genai-asset": "true", "opendatahub.io/dashboard": "true"}
    live["metadata"]["annotations"] = {
        "opendatahub.io/genai-use-case": "chat assistant",
        "opendatahub.io/model-type": "generative",
        "openshift.io/display-name": "Granite",
    }
    result = preview(run, None, snapshots=[live])
    patch = row(result, "granite-8b-agent-asset-patch")
    assert patch.op == "create"  # new to Pulumi all the same
    assert effects(patch) == ["no-change-on-cluster", "on-destroy"]
    live["metadata"]["annotations"]["openshift.io/display-name"] = "Granite 8B"
    [restart, _] = row(preview(run, None, snapshots=[live]), "granite-8b-agent-asset-patch").effects
    assert "annotations openshift.io/display-name)" in restart.message


def managed_by_the_wizard(name: str, display_name: str) -> dict[str, Any]:
    live = live_isvc(name, [])
    live["metadata"]["annotations"] = {
        "openshift.io/display-name": display_name,
        "opendatahub.io/model-type": "generative",
    }
    live["metadata"]["labels"] = {"opendatahub.io/genai-asset": "true"}
    live["metadata"]["managedFields"] = [
        {
            "manager": "Mozilla",
            "operation": "Update",
            "apiVersion": "serving.kserve.io/v1beta1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {
                    "f:annotations": {".": {}, "f:openshift.io/display-name": {}, "f:opendatahub.io/model-type": {}},
                    "f:labels": {".": {}, "f:opendatahub.io/genai-asset": {}},
                },
                "f:spec": {"f:predictor": {"f:model": {"f:args": {}}}},
            },
        }
    ]
    return live


def test_fields_another_manager_owns_with_another_value_are_taken_over() -> None:
    run = run_main(stack(model("granite-8b-agent", displayName="Granite")))
    result = preview(run, None, snapshots=[managed_by_the_wizard("granite-8b-agent", "granite (wizard)")])
    patch = row(result, "granite-8b-agent-asset-patch")
    takes = [e.message for e in patch.effects if e.kind == "takes-field"]
    # Equal values (model-type, the asset label) are co-owned: only the display name is taken.
    assert takes == [
        'takes metadata.annotations["openshift.io/display-name"] from Mozilla ("granite (wizard)" => "Granite"; '
        "kubernetes:enablePatchForce)"
    ]


def test_destroy_keeps_a_display_name_taken_from_the_wizard_and_says_the_wizards_is_not_restored() -> None:
    run = run_main(stack(model("granite-8b-agent", displayName="Granite")))
    result = preview(run, None, snapshots=[managed_by_the_wizard("granite-8b-agent", "granite (wizard)")])
    [on_destroy] = [e.message for e in row(result, "granite-8b-agent-asset-patch").effects if e.kind == "on-destroy"]
    assert "keeps every field (retainOnDelete, no predictor restart)" in on_destroy
    assert 'annotation openshift.io/display-name="Granite"' in on_destroy
    assert 'the values it takes over are not restored: openshift.io/display-name was "granite (wizard)" (Mozilla)' in (
        on_destroy
    )


def test_giving_back_a_field_another_manager_also_owns_keeps_it(tmp_path: Path) -> None:
    state = deployed_with_patches_given_back(tmp_path, two_models())
    live = managed_by_the_wizard("mistral-3-int4", "Mistral")
    live["metadata"]["annotations"]["opendatahub.io/genai-use-case"] = "chat assistant"
    result = preview(run_main(stack(model("granite-8b-agent", displayName="Granite"))), state, snapshots=[live])
    patch = row(result, "mistral-3-int4-asset-patch")
    [restart, back] = patch.effects
    # The use case is ours alone and goes; the rest stays with the wizard.
    assert restart.message.startswith("restarts the predictor pods of private-ai/mistral-3-int4: ")
    assert "(annotations opendatahub.io/genai-use-case)" in restart.message and "display-name" not in restart.message
    assert "they stay" in back.message and 'metadata.labels["opendatahub.io/genai-asset"]' in back.message


def test_annotations_kserve_does_not_copy_restart_nothing(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models(first={"description": "old"}))
    run = run_main(two_models(first={"description": "new"}))
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "inferenceservice-config", "namespace": "redhat-ods-applications"},
        "data": {"inferenceService": json.dumps({"serviceAnnotationDisallowedList": ["openshift.io/description"]})},
    }
    assert effects(row(preview(run, state), "mistral-3-int4-asset-patch")) == ["restarts-predictor-pods", "on-destroy"]
    # The RHOAI operator reverts the edit unless the ConfigMap says it is not managed: the list is not counted on.
    reverted = preview(run, state, snapshots=[config])
    assert effects(row(reverted, "mistral-3-int4-asset-patch")) == ["restarts-predictor-pods", "on-destroy"]
    [warning] = [w for w in reverted.warnings if "inferenceservice-config" in w]
    assert 'has no annotation opendatahub.io/managed: "false"' in warning
    assert "reverts an edit of its inferenceService key" in warning and "oc annotate configmap" in warning
    config["metadata"]["annotations"] = {"opendatahub.io/managed": "false"}
    kept = preview(run, state, snapshots=[config])
    assert effects(row(kept, "mistral-3-int4-asset-patch")) == ["no-restart", "on-destroy"]
    assert not [w for w in kept.warnings if "inferenceservice-config" in w]


def test_a_stack_deployed_with_the_field_manager_annotation_loses_it_once(tmp_path: Path) -> None:
    document_ = pulumi_state.export(run_main(two_models()), field_manager="genai-playground")
    for resource in document_["deployment"]["resources"]:
        if resource["type"] == ISVC_PATCH:
            resource["inputs"]["metadata"]["annotations"]["pulumi.com/patchFieldManager"] = "genai-playground"
    state = pulumi_state.write(tmp_path / "old.json", document_)
    result = preview(run_main(two_models()), state)
    patch = row(result, "granite-8b-agent-asset-patch")
    assert patch.op == "update"
    assert [c.path for c in patch.diff] == ['metadata.annotations["pulumi.com/patchFieldManager"]']
    # The provider applied the annotation to the object, so KServe copied it: removing it rolls the pods once.
    assert effects(patch) == ["restarts-predictor-pods", "drops-field", "on-destroy"]
    assert "(annotations pulumi.com/patchFieldManager)" in patch.effects[0].message


def test_wait_timeout_zero_does_not_wait() -> None:
    result = preview(run_main(two_models(playground={"waitTimeoutSeconds": 0})), None)
    [effect] = row(result, "playground-distribution").effects
    assert effect.kind == "no-wait" and "skipAwait" in effect.message


def test_stack_outputs_changes_are_listed(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(two_models(first={"maxTokens": 8192}))
    result = preview(run, state)
    assert [c.path for c in result.outputs_diff] == ["models.mistral-3-int4.maxTokens"]
    assert "  ~ models: {" in text_report(run, result, [], "")


def test_secrets_in_the_state_are_compared_and_never_printed(tmp_path: Path) -> None:
    run = run_main(two_models())
    exported = pulumi_state.export(run, stack_outputs={"token": pulumi_state.secret("djE6c2VjcmV0LWNpcGhlcg==")})
    result = preview(run, pulumi_state.write(tmp_path / "s.json", exported))
    printed = json_report(run, result, []) + text_report(run, result, [], "")
    assert "djE6c2VjcmV0LWNpcGhlcg" not in printed
    assert [(c.kind, c.old) for c in result.outputs_diff if c.path == "token"] == [("delete", "[secret]")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON file"),
        ("[1]", "must be the JSON object"),
        ('{"version": 2, "deployment": {}}', "deployment version 2 is not supported"),
        ('{"version": 3, "deployment": {"manifest": {}, "resources": {}}}', "deployment.resources must be a list"),
        ('{"version": 3, "deployment": {"manifest": {}, "resources": [{"urn": "x"}]}}', "resources[0].urn"),
        ('{"version": 3}', "deployment must be an object"),
    ],
)
def test_a_broken_state_file_names_the_file_and_the_path(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(OfflineRunError, match=re.escape(message)) as caught:
        load_state(path, "genai-playground", "test")
    assert str(path) in str(caught.value)


def test_a_state_of_another_stack_is_refused(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    with pytest.raises(OfflineRunError, match='the export is of stack "genai-playground/test", the preview is of'):
        load_state(state, "genai-playground", "prod")


def test_pending_operations_are_a_warning(tmp_path: Path) -> None:
    exported = pulumi_state.export(run_main(two_models()))
    exported["deployment"]["pending_operations"] = [
        {"resource": exported["deployment"]["resources"][3], "type": "updating"}
    ]
    run = run_main(two_models())
    result = preview(run, pulumi_state.write(tmp_path / "s.json", exported))
    assert any("pending operations" in warning for warning in document(run, result)["warnings"])


def test_every_json_resource_has_op_and_diff(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(two_models(first={"displayName": "Other"}))
    resources = document(run, preview(run, state))["resources"]
    assert all({"op", "diff", "effects"} <= set(resource) for resource in resources)
    [patch] = [r for r in resources if r["name"] == "mistral-3-int4-asset-patch"]
    assert patch["diff"] == ['metadata.annotations["openshift.io/display-name"]']
    assert patch["effects"][0]["kind"] == "restarts-predictor-pods"


def dashboards_own_config_map() -> dict[str, Any]:
    """The dashboard's own playground uses the same names (llama-stack-config, lsd-genai-playground)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "llama-stack-config",
            "namespace": "private-ai",
            "labels": {"opendatahub.io/dashboard": "true"},
            "managedFields": [
                {
                    "manager": "bff",
                    "operation": "Update",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:data": {".": {}, "f:run.yaml": {}},
                        "f:metadata": {"f:labels": {"f:opendatahub.io/dashboard": {}}},
                    },
                }
            ],
        },
        "data": {"run.yaml": "version: '2'\n"},
    }


def test_creating_an_object_that_exists_fails_unless_adopted() -> None:
    run = run_main(two_models())
    found = row(preview(run, None, snapshots=[dashboards_own_config_map()]), "playground-run-config")
    assert effects(found) == ["already-exists"]
    assert "fails with AlreadyExists" in found.effects[0].message
    adopting = preview(
        run, None, provider={**MUTABLE, "upsertExistingObjects": "true"}, snapshots=[dashboards_own_config_map()]
    )
    adopted = row(adopting, "playground-run-config")
    assert effects(adopted) == ["adopts", "takes-field"]
    assert adopted.effects[1].message.startswith("takes data.run.yaml from bff")


def the_dashboards_distribution(namespace: str = "private-ai") -> dict[str, Any]:
    """What the gen-ai BFF installs on "Configure playground -> Update" (red-hat-data-services/odh-dashboard@rhoai-3.0
    packages/gen-ai/bff/internal/integrations/kubernetes/token_k8s_client.go InstallLlamaStackDistribution)."""
    return {
        "apiVersion": "llamastack.io/v1alpha1",
        "kind": "LlamaStackDistribution",
        "metadata": {
            "name": "lsd-genai-playground",
            "namespace": namespace,
            "labels": {"opendatahub.io/dashboard": "true"},
            "annotations": {"openshift.io/display-name": "lsd-genai-playground"},
        },
        "spec": {
            "replicas": 1,
            "server": {
                "distribution": {"name": "rh-dev"},
                "containerSpec": {
                    "name": "llama-stack",
                    "port": 8321,
                    "env": [
                        {"name": "VLLM_TLS_VERIFY", "value": "false"},
                        {"name": "VLLM_MAX_TOKENS", "value": "4096"},
                        {"name": "VLLM_API_TOKEN_1", "value": "fake"},
                    ],
                },
                "userConfig": {"configMapName": "llama-stack-config"},
            },
        },
    }


def test_a_distribution_the_dashboards_update_button_replaced_is_named(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(two_models())
    assert not [w for w in preview(run, state).warnings if "not the distribution this stack made" in w]
    result = preview(run, state, snapshots=[the_dashboards_distribution()])
    [warning] = [w for w in result.warnings if "not the distribution this stack made" in w]
    assert "snapshot of private-ai/lsd-genai-playground" in warning
    assert "Configure playground -> Update" in warning and "401" in warning
    assert "oc delete llamastackdistribution lsd-genai-playground -n private-ai" in warning
    assert "`pulumi up --refresh`" in warning
    # The stack's own distribution, exported as the cluster holds it, is no stranger.
    ours = next(r.inputs for r in run.resources if r.type.endswith(":LlamaStackDistribution"))
    assert not [w for w in preview(run, state, snapshots=[ours]).warnings if "not the distribution" in w]


def test_a_playground_deleted_from_the_dashboard_leaves_the_config_map_and_says_how_to_repair(tmp_path: Path) -> None:
    state = deployed(tmp_path, two_models())
    run = run_main(two_models())
    config_map = next(r.inputs for r in run.resources if r.type == "kubernetes:core/v1:ConfigMap")
    result = preview(run, state, snapshots=[config_map])
    [warning] = [w for w in result.warnings if "no distribution" in w]
    assert (
        "the snapshots hold ConfigMap private-ai/llama-stack-config but no distribution private-ai/lsd-genai-playground"
        in (warning)
    )
    assert "Delete playground" in warning and "`pulumi up --refresh` does" in warning
    ours = next(r.inputs for r in run.resources if r.type.endswith(":LlamaStackDistribution"))
    assert not [w for w in preview(run, state, snapshots=[config_map, ours]).warnings if "no distribution" in w]
