"""What a step does to the cluster beyond the object itself: pods it restarts, fields it takes over, what it waits for.

Every effect follows the upstream code a RHOAI 3.0 cluster runs:
- KServe (red-hat-data-services/kserve@rhoai-3.0): in RawDeployment mode (the only one on 3.0) the predictor's pod
  template gets every label of the InferenceService (components/predictor.go, buildObjectMeta: labels are not
  filtered) and every annotation not in serviceAnnotationDisallowedList (the constants of pkg/constants/constants.go,
  plus the list in the `inferenceService` key of ConfigMap `inferenceservice-config`,
  pkg/apis/serving/v1beta1/configmap.go; `security.opendatahub.io/enable-auth` is copied anyway). A changed pod
  template rolls the vLLM Deployment (reconcilers/deployment/deployment_reconciler.go: RollingUpdate 25%/25%
  unless spec.predictor.deploymentStrategy says otherwise), so the model is loaded onto GPUs again.
- llama-stack-k8s-operator (red-hat-data-services/llama-stack-k8s-operator@rhoai-3.0): a change of the user
  ConfigMap's data changes the pod-template annotation `configmap.hash/user-config` (pkg/deploy/kustomizer.go,
  controllers/llamastackdistribution_controller.go getConfigMapHash); a spec change updates the Deployment; phase
  is Ready while ReadyReplicas == replicas (updateDeploymentStatus), so the old pod keeps it Ready during a rollout.
- ogx-k8s-operator (ogx-ai/ogx-k8s-operator@v0.10.0, RHOAI 3.5): the pod-template hash of the override ConfigMap
  is `<resourceVersion>-<name>` (controllers/ogxserver_controller.go getConfigMapHash), so any change of the
  ConfigMap, labels included, rolls the pod; phase Ready follows ReadyReplicas as before (updateDeploymentStatus).
- pulumi-kubernetes (pulumi/pulumi-kubernetes, provider/pkg): see diff rules in offline_preview.plan and the
  await annotations in genai_playground.manifests.
Which kinds are server objects, and of which shape, the release profiles say (genai_contract.releases).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from genai_contract.names import REVISION_ENV
from genai_contract.releases import CONFIG_KEYS, PROFILES

from offline_preview import managed_fields
from offline_preview.diff import FieldChange, path_text, show
from offline_preview.snapshots import SnapshotIndex, type_token

ISVC_KIND = "InferenceService"
# Server object kind -> its shape, from every release profile (LlamaStackDistribution, OGXServer).
SERVER_SHAPES = {profile.server_kind.kind: profile.server_shape for profile in PROFILES.values()}
# Why a change of the server's ConfigMap rolls its pod, per shape.
CONFIG_MAP_ROLLS = {
    "llama-stack-distribution": "the operator's pod-template annotation configmap.hash/user-config follows this "
    "ConfigMap's data",
    "ogx-server": "the OGX operator's pod-template hash is this ConfigMap's resourceVersion, so any change of it "
    "(labels too) rolls the pod",
}
# The manager of the GitOps render and of stacks deployed with the old patchFieldManager annotation.
LEGACY_MANAGER = "genai-playground"
# kserve@rhoai-3.0 pkg/constants/constants.go ServiceAnnotationDisallowedList, without the enable-auth annotation
# that RawDeployment copies anyway (components/predictor.go, FilterList(..., ODHKserveRawAuth)).
KSERVE_DISALLOWED_ANNOTATIONS = frozenset(
    {
        "autoscaling.knative.dev/min-scale",
        "autoscaling.knative.dev/max-scale",
        "internal.serving.kserve.io/storage-initializer-sourceuri",
        "kubectl.kubernetes.io/last-applied-configuration",
    }
)
KSERVE_CONFIG = "inferenceservice-config"
OPERATOR_MANAGED_ANNOTATION = "opendatahub.io/managed"
KSERVE_CONFIG_NAMESPACES = ("redhat-ods-applications", "opendatahub", "kserve")  # RHOAI, ODH, upstream


@dataclass(frozen=True)
class Effect:
    kind: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class Subject:
    """One step as the effects see it."""

    op: str
    type: str
    custom: bool
    inputs: Mapping[str, Any] | None  # what the run applies (None for a delete)
    old: Mapping[str, Any] | None  # what the deployed side applied (None for a create)
    changes: Sequence[FieldChange]
    field_manager: str | None = None  # the patch's manager in the stack state
    retained: bool = False
    delete_first: bool = False  # a replace that deletes the old object first (deleteBeforeReplace)

    @property
    def kind(self) -> str:
        return self.type.rsplit(":", 1)[-1].removesuffix("Patch") if self.custom else ""

    @property
    def is_patch(self) -> bool:
        return self.custom and self.type.startswith("kubernetes:") and self.type.endswith("Patch")

    @property
    def manifest(self) -> Mapping[str, Any]:
        return self.inputs if self.inputs is not None else (self.old or {})


@dataclass
class Cluster:
    """What the effects know about the cluster: snapshots of live objects and the provider's config."""

    snapshots: SnapshotIndex
    provider_config: Mapping[str, str] = field(default_factory=dict)  # `kubernetes:` keys without the prefix
    # (namespace, ConfigMap name) -> the distribution that mounts it as run.yaml
    config_map_users: dict[tuple[str, str], str] = field(default_factory=dict)
    distribution_types: dict[str, str] = field(default_factory=dict)  # "<ns>/<name>" -> the distribution's type
    config_map_user_shapes: dict[str, str] = field(default_factory=dict)  # that server -> its shape
    disallowed_annotations: frozenset[str] = KSERVE_DISALLOWED_ANNOTATIONS
    warnings: list[str] = field(default_factory=list)

    def enabled(self, key: str) -> bool:
        return str(self.provider_config.get(key, "")).lower() == "true"

    def live(self, subject: Subject) -> Mapping[str, Any] | None:
        manifest = subject.manifest
        metadata = manifest.get("metadata") or {}
        api_version, kind = str(manifest.get("apiVersion", "")), str(manifest.get("kind", ""))
        if not api_version or not kind:
            return None
        namespace, name = metadata.get("namespace") or "", metadata.get("name") or ""
        return self.snapshots.find(type_token(api_version, kind), f"{namespace}/{name}" if namespace else str(name))


def with_kserve_config(cluster: Cluster) -> Cluster:
    """Add the cluster's own serviceAnnotationDisallowedList when a snapshot holds `inferenceservice-config` and
    the RHOAI operator leaves that ConfigMap alone.

    The operator deploys the ConfigMap from its KServe manifests and applies them again on every reconcile, so an
    edit of its `inferenceService` key is reverted, unless the live object carries `opendatahub.io/managed:
    "false"`, which makes the operator skip it for good (and so also freezes it against the operator's updates)
    (red-hat-data-services/rhods-operator, branches rhoai-3.0 … rhoai-3.5, pkg/controller/actions/deploy/
    action_deploy.go: the object is skipped when that annotation is "false"). The list the operator ships
    (prefetched-manifests/kserve/overlays/odh/patches/patch-inferenceservice-config.yaml) holds none of the
    annotations the stack writes, so without the annotation only KServe's own constants are counted on.
    """
    for namespace in KSERVE_CONFIG_NAMESPACES:
        config = cluster.snapshots.find("kubernetes:core/v1:ConfigMap", f"{namespace}/{KSERVE_CONFIG}")
        if config is None:
            continue
        annotations = (config.get("metadata") or {}).get("annotations") or {}
        if str(annotations.get(OPERATOR_MANAGED_ANNOTATION)) != "false":
            cluster.warnings.append(
                f"snapshot ConfigMap {namespace}/{KSERVE_CONFIG} has no annotation {OPERATOR_MANAGED_ANNOTATION}: "
                '"false": the RHOAI operator reverts an edit of its inferenceService key on its next reconcile, so '
                "the preview does not count on its serviceAnnotationDisallowedList (a restart it would avoid would "
                f"come back); annotate it (oc annotate configmap {KSERVE_CONFIG} -n {namespace} "
                f'{OPERATOR_MANAGED_ANNOTATION}="false"; this also keeps the operator\'s own updates of it out) to '
                "keep annotations out of the predictor pods"
            )
            return cluster
        raw = (config.get("data") or {}).get("inferenceService")
        try:
            listed = json.loads(raw).get("serviceAnnotationDisallowedList", []) if raw else []
        except (ValueError, TypeError, AttributeError):
            cluster.warnings.append(
                f"snapshot ConfigMap {namespace}/{KSERVE_CONFIG}: its inferenceService key is not the JSON KServe "
                "reads; assuming KServe's default serviceAnnotationDisallowedList"
            )
            return cluster
        if isinstance(listed, list):
            cluster.disallowed_annotations = cluster.disallowed_annotations | {str(key) for key in listed}
        return cluster
    return cluster


def check_live_playground(subject: Subject, cluster: Cluster) -> None:
    """Warn when the live distribution, or its absence, shows that the dashboard's own buttons replaced or removed
    the playground this stack made.

    The gen-ai BFF's "Configure playground -> Update" deletes the distribution and installs its own under the same
    names; "Delete" deletes only the distribution (red-hat-data-services/odh-dashboard, branches rhoai-3.0 …
    rhoai-3.5, packages/gen-ai/frontend/src/app/Chatbot/components/chatbotConfiguration/
    ChatbotConfigurationModal.tsx: deleteLSD, then installLSD; packages/gen-ai/bff/internal/integrations/
    kubernetes/token_k8s_client.go: InstallLlamaStackDistribution, DeleteLlamaStackDistribution). The stack's
    distribution carries its config revision in the env; the dashboard's never does.
    """
    if subject.op in ("delete", "create", "read", "discard") or not subject.custom or subject.inputs is None:
        return
    live = cluster.live(subject)
    name = _name(subject)
    ours = REVISION_ENV in json.dumps(subject.inputs.get("spec"))
    if subject.kind in SERVER_SHAPES and live is not None and ours and REVISION_ENV not in json.dumps(live.get("spec")):
        cluster.warnings.append(
            f"snapshot of {name}: it is not the distribution this stack made (no {REVISION_ENV} in its env): "
            "the dashboard's \"Configure playground -> Update\" replaced it with its own, which runs the stack's "
            "run.yaml without the stack's env (models behind their auth proxy get 401). Pulumi's state still "
            f"holds the old one: oc delete {subject.kind.lower()} {name.split('/')[-1]} "
            f"{_namespace_flag(subject)}, then `pulumi up --refresh` creates the stack's again"
        )
    if subject.kind == "ConfigMap" and live is not None:
        metadata = subject.inputs.get("metadata") or {}
        user = cluster.config_map_users.get((str(metadata.get("namespace", "")), str(metadata.get("name", ""))))
        if user is None:
            return
        lsd_type = cluster.distribution_types.get(user, "")
        if lsd_type and cluster.snapshots.find(lsd_type, user) is None:
            cluster.warnings.append(
                f"the snapshots hold ConfigMap {name} but no distribution {user}. If it is gone from the cluster, "
                'the playground was deleted from the dashboard ("Delete playground" deletes only the distribution '
                'and leaves the stack\'s ConfigMap; on RHOAI 3.4 and later "Update" does the same, as its own '
                "ConfigMap cannot be created beside the stack's): Pulumi's state still holds it, so `pulumi up` "
                "alone does not bring it back; `pulumi up --refresh` does. Otherwise export it too: oc get "
                f"{lsd_type.rsplit(':', 1)[-1].lower()} {user.partition('/')[2]} -n {user.partition('/')[0]} -o yaml"
            )


def _namespace_flag(subject: Subject) -> str:
    namespace = (subject.manifest.get("metadata") or {}).get("namespace")
    return f"-n {namespace}" if namespace else ""


def effects_of(subject: Subject, cluster: Cluster) -> list[Effect]:
    if subject.op in ("same", "read", "discard") or not subject.custom:
        return []
    result: list[Effect] = []
    if subject.op == "replace":
        result.append(_recreated(subject))
    if subject.kind == ISVC_KIND and subject.is_patch:
        if not (subject.op == "delete" and subject.retained):
            result += _predictor_pods(subject, cluster)
        if subject.op == "update":
            result += _dropped_fields(subject, cluster)
        if subject.op in ("create", "update", "replace"):
            result.append(_on_destroy(subject, cluster))
    if subject.kind == "ConfigMap":
        result += _run_config(subject, cluster)
        if subject.is_patch and subject.op in ("create", "update", "replace"):
            result.append(_config_map_keys_on_destroy(subject))
    if subject.kind in SERVER_SHAPES:
        result += _distribution(subject)
    if subject.op == "delete":
        result.append(_deleted(subject, cluster))
    elif subject.is_patch:
        result += _takeovers(subject, cluster)
    elif subject.op == "create":
        result += _existing(subject, cluster)
    return result


def _name(subject: Subject) -> str:
    metadata = subject.manifest.get("metadata") or {}
    namespace, name = metadata.get("namespace"), metadata.get("name", "?")
    return f"{namespace}/{name}" if namespace else str(name)


def _ours(subject: Subject) -> set[str]:
    return {LEGACY_MANAGER, *([subject.field_manager] if subject.field_manager else [])}


def _metadata_fields(manifest: Mapping[str, Any] | None) -> dict[tuple[str, str], Any]:
    # pulumi.com/* annotations too: the provider applies them with the rest, so they are on the object.
    metadata = (manifest or {}).get("metadata") or {}
    return {
        (group, key): value for group in ("labels", "annotations") for key, value in (metadata.get(group) or {}).items()
    }


def _predictor_pods(subject: Subject, cluster: Cluster) -> list[Effect]:
    """Which labels/annotations change on the live InferenceService, and so in its predictor's pod template."""
    live = cluster.live(subject)
    live_fields = _metadata_fields(live) if live is not None else None
    applied = _metadata_fields(subject.inputs)
    before = _metadata_fields(subject.old)
    changed = set()
    for key, value in applied.items():
        if live_fields is not None:
            if live_fields.get(key) != value:
                changed.add(key)
        elif subject.op != "update" or before.get(key) != value:
            changed.add(key)
    for key in set(before) - set(applied):  # given back: gone unless another manager also owns it
        if live_fields is not None and key not in live_fields:
            continue
        if live is not None and managed_fields.co_owned(("metadata", *key), live, _ours(subject)):
            continue
        changed.add(key)
    # Labels are always copied in RawDeployment; annotations unless disallowed.
    labels = sorted(key for group, key in changed if group == "labels")
    annotations = sorted(
        key for group, key in changed if group == "annotations" and key not in cluster.disallowed_annotations
    )
    isvc = _name(subject)
    if labels or annotations:
        what = "; ".join(
            f"{group} {', '.join(keys)}" for group, keys in (("labels", labels), ("annotations", annotations)) if keys
        )
        return [
            Effect(
                "restarts-predictor-pods",
                f"restarts the predictor pods of {isvc}: KServe copies its labels and annotations into the pod "
                f"template and these change ({what}); vLLM loads the model onto GPUs again, and with RollingUpdate "
                "each new pod needs a spare GPU until the old one stops",
            )
        ]
    if changed:
        return [
            Effect(
                "no-restart",
                f"no predictor restart for {isvc}: the changed annotations are in KServe's "
                "serviceAnnotationDisallowedList",
            )
        ]
    if live is not None:
        return [
            Effect(
                "no-change-on-cluster",
                f"{isvc} already carries these labels and annotations (snapshot): nothing changes on it, "
                "no predictor restart",
            )
        ]
    return []


def _field_text(key: tuple[str, str], value: Any) -> str:
    return f"{key[0][:-1]} {key[1]}={show(value)}"


def _dropped_fields(subject: Subject, cluster: Cluster) -> list[Effect]:
    """A label or annotation the patch no longer sets (say, `displayName` left out of the stack file): server-side
    apply removes it from the object unless another manager also owns it."""
    gone = sorted(set(_metadata_fields(subject.old)) - set(_metadata_fields(subject.inputs)))
    if not gone:
        return []
    live = cluster.live(subject)
    known = live is not None and managed_fields.has_managed_fields(live)
    parts = []
    for key in gone:
        others = managed_fields.co_owned(("metadata", *key), live, _ours(subject)) if known and live else []
        if others:
            parts.append(f"{key[0][:-1]} {key[1]} stays (also owned by {', '.join(others)})")
        elif live is not None and key not in _metadata_fields(live):
            continue
        else:
            parts.append(
                f"{key[0][:-1]} {key[1]} is deleted from the object (the stack "
                f"{'is its only owner' if known else 'owns it; no snapshot with managedFields shows another'})"
            )
    if not parts:
        return []
    return [Effect("drops-field", f"no longer sets on {_name(subject)}: {'; '.join(parts)}")]


def _on_destroy(subject: Subject, cluster: Cluster) -> Effect:
    """What `pulumi destroy` (or the model leaving the stack file) will do to each field the patch sets."""
    applied = _metadata_fields(subject.inputs)
    if not subject.retained:
        return Effect(
            "on-destroy",
            f"on destroy gives back from {_name(subject)}: "
            + ", ".join(_field_text(key, value) for key, value in sorted(applied.items()))
            + " (each is deleted unless another manager also owns it)",
        )
    message = (
        f"on destroy, or when the model leaves the stack file, {_name(subject)} keeps every field (retainOnDelete, "
        "no predictor restart): " + ", ".join(_field_text(key, value) for key, value in sorted(applied.items()))
    )
    live = cluster.live(subject)
    if live is not None and subject.inputs is not None and managed_fields.has_managed_fields(live):
        taken = [
            f"{path[-1]} was {show(t.live)} ({', '.join(t.managers)})"
            for t in managed_fields.takeovers(subject.inputs, live, _ours(subject))
            for path in [t.path]
            if path[:1] == ("metadata",)
        ]
        if taken:
            message += "; the values it takes over are not restored: " + "; ".join(taken)
    return Effect("on-destroy", message)


def _config_map_keys_on_destroy(subject: Subject) -> Effect:
    """A ConfigMap shared with others (gen-ai-aa-mcp-servers): the patch applies only its data keys, and destroy
    gives back only those (pulumi-kubernetes >= 4.16, provider/pkg/await/await.go Deletion: ssa.Relinquish)."""
    keys = sorted(str(key) for key in ((subject.inputs or {}).get("data") or {}))
    return Effect(
        "on-destroy",
        f"on destroy gives back from {_name(subject)}: data keys {', '.join(keys) or '(none)'}; other keys, and "
        "the ConfigMap, stay",
    )


def _run_config(subject: Subject, cluster: Cluster) -> list[Effect]:
    metadata = subject.manifest.get("metadata") or {}
    user = cluster.config_map_users.get((str(metadata.get("namespace", "")), str(metadata.get("name", ""))))
    if user is None or subject.op == "create":
        return []
    if subject.op == "delete":
        return [Effect("breaks-server", f"the distribution {user} loses its run.yaml: the operator reports Failed")]
    if not any(change.segments[:1] in (("data",), ("binaryData",)) for change in subject.changes):
        return []
    shape = cluster.config_map_user_shapes.get(user, "llama-stack-distribution")
    result = [Effect("rolls-llama-stack-pod", f"rolls the server pod of {user}: {CONFIG_MAP_ROLLS[shape]}")]
    moved = _config_key_move(subject)
    if moved is not None and shape == "llama-stack-distribution":
        old, new = moved
        result.append(
            Effect(
                "interim-pod-fails",
                f"the server config moves from key {old} to {new} (a move between RHOAI releases): the pod this "
                f"rolls still runs the distribution's old command on /etc/llama-stack/{old}, which is gone, and "
                f"exits; the old pod keeps serving (RollingUpdate) until {user}'s own update, next (it depends on "
                f"this ConfigMap), points the server at /etc/llama-stack/{new} and `pulumi up` waits for that pod",
            )
        )
    return result


def _config_key_move(subject: Subject) -> tuple[str, str] | None:
    """(old key, new key) when an update moves the server config between the keys of two releases."""
    if subject.op != "update" or subject.old is None or subject.inputs is None:
        return None
    before = [key for key in CONFIG_KEYS if key in (subject.old.get("data") or {})]
    after = [key for key in CONFIG_KEYS if key in (subject.inputs.get("data") or {})]
    if len(before) == 1 and len(after) == 1 and before != after:
        return before[0], after[0]
    return None


def _distribution(subject: Subject) -> list[Effect]:
    if subject.op == "delete":
        return []
    result = []
    if subject.op == "update":
        spec_changes = [c for c in subject.changes if c.segments[:1] == ("spec",)]
        if any(c.segments[:2] != ("spec", "replicas") for c in spec_changes):
            result.append(
                Effect(
                    "rolls-llama-stack-pod",
                    f"rolls the Llama Stack pod of {_name(subject)}: the operator updates its Deployment "
                    "(RollingUpdate: the old pod serves until the new one is Ready)",
                )
            )
    result.append(_wait(subject))
    return result


def _wait(subject: Subject) -> Effect:
    annotations = (subject.manifest.get("metadata") or {}).get("annotations") or {}
    if str(annotations.get("pulumi.com/skipAwait", "")).lower() == "true":
        return Effect("no-wait", "does not wait for the server (waitTimeoutSeconds 0: pulumi.com/skipAwait)")
    raw = annotations.get("pulumi.com/waitFor")
    if not raw:
        return Effect("no-wait", "does not wait for the server: no pulumi.com/waitFor on it")
    try:
        conditions = json.loads(raw)
    except ValueError:
        conditions = [raw]
    if not isinstance(conditions, list):
        conditions = [str(conditions)]
    timeout = annotations.get("pulumi.com/timeoutSeconds", "600 (the provider's default)")
    revision = [c for c in conditions if "distributionConfig.providers" in str(c)]
    what = " and ".join(_condition_text(str(c)) for c in conditions)
    message = f"waits up to {timeout} s for {what}"
    if revision:
        metadata = subject.manifest.get("metadata") or {}
        message += (
            ". Limit: this proves that the pod answering the operator's GET /v1/providers loaded the new config, "
            "not that every replica did or that the models answer. "
            + timeout_causes(str(metadata.get("namespace", "")), str(metadata.get("name", "")), subject.kind)
        )
    elif subject.op == "update":
        message += (
            ". Limit: during a rollout the operator keeps phase Ready from the old pod, so this passes before the "
            "new config is served"
        )
    return Effect("waits", message)


def timeout_causes(namespace: str, name: str, kind: str = "LlamaStackDistribution") -> str:
    """What a timeout of the distribution's wait most likely means, and how to tell; Pulumi's own message names
    only the condition.

    llama-stack-k8s-operator (red-hat-data-services, branches rhoai-3.0, -3.2, -3.3, -3.4,
    controllers/llamastackdistribution_controller.go): `Reconcile` requeues after 10 s only in phase Initializing
    (ReadyReplicas below replicas); in phase Ready it returns without a requeue on 3.0-3.3 (3.4: after 5 minutes),
    so `updateStatus` reads GET /v1/providers again only on the next event (a change of the distribution, its
    status included, of its Deployment, Service, PVC or ConfigMap); `getProviderInfo` failing makes it clear the
    list ("failed to get provider info, clearing provider list"). That change of the status is itself an event, so
    an error that has passed is retried at once; one that lasts through that pass leaves the list empty. The same
    on RHOAI 3.5's OGX operator (ogx-ai/ogx-k8s-operator@v0.10.0 controllers/ogxserver_controller.go: Reconcile
    requeues after 5 minutes in phase Ready; updateStatus clears the providers on an error).
    """
    ns = f" -n {namespace}" if namespace else ""
    resource = kind.lower()
    managed = [
        component
        for profile in PROFILES.values()
        if profile.server_kind.kind == kind
        for component, state in profile.dsc_components.items()
        if state == "Managed"
    ]
    component = managed[0] if managed else "llamastackoperator"
    return (
        "If `pulumi up` times out, the likely causes, in order: (1) the new pod never gets Ready (a run.yaml the "
        "server refuses, a Secret of the env that does not exist, a state volume the old pod still holds): the old "
        f"pod keeps serving the previous config; look with oc get pods -l app.kubernetes.io/instance={name}{ns}, "
        "oc describe pod, oc logs; (2) the operator's GET /v1/providers failed and it cleared the list "
        f"(oc get {resource} {name}{ns} -o jsonpath='{{.status.distributionConfig.providers}}' is empty; operator log "
        '"failed to get provider info"): in phase Ready it reads again only on the next change of the distribution '
        f"or its Deployment (3.4 and 3.5: also every 5 minutes); oc annotate {resource} {name}{ns} "
        'genai-playground/retry="$(date +%s)" --overwrite makes it read now, then run `pulumi up` again; '
        "(3) the operator does not run or does not manage the distribution (phase stays empty): the "
        f"DataScienceCluster's {component} component is not Managed"
    )


def _condition_text(condition: str) -> str:
    path, _, value = condition.removeprefix("jsonpath=").partition("}=")
    if "distributionConfig.providers" in path:
        return f"the server to report config revision {value} (status.distributionConfig.providers)"
    return f"{path.strip('{}').lstrip('.')} {value}" if value else path


def is_server_type(type_token: str) -> bool:
    return type_token.rsplit(":", 1)[-1] in SERVER_SHAPES


def _recreated(subject: Subject) -> Effect:
    old_kind = str((subject.old or {}).get("kind", ""))
    new_kind = str((subject.inputs or {}).get("kind", ""))
    if old_kind and new_kind and old_kind != new_kind:
        old_name = f"{old_kind} {_name(Subject('delete', subject.type, True, None, subject.old, ()))}"
        new_name = f"{new_kind} {_name(subject)}"
        if subject.delete_first:
            return Effect(
                "recreates",
                f"deletes {old_name}, then creates {new_name} (another kind: replaceOnChanges, delete first); "
                "the playground serves nothing in between; the old server's Deployment, Service and PVC go with it "
                "(owner references) unless the PVC was detached first",
            )
        return Effect(
            "recreates",
            f"creates {new_name}, then deletes {old_name} (another kind, another name: the new one adopts the old "
            "one's PVC and Service first, so its files and vector stores stay)",
        )
    message = f"deletes {_name(subject)}, then creates it again (an explicit name: delete-before-replace)"
    if subject.kind == "ConfigMap":
        message += (
            "; until it exists again the operator reports phase Failed; set kubernetes:enableConfigMapMutable "
            "to update it in place"
        )
    return Effect("recreates", message)


def _deleted(subject: Subject, cluster: Cluster) -> Effect:
    name = _name(subject)
    if subject.retained:
        if subject.kind == ISVC_KIND and subject.is_patch:
            kept = ", ".join(_field_text(k, v) for k, v in sorted(_metadata_fields(subject.manifest).items()))
            return Effect(
                "kept",
                f"{name} keeps every field the patch set, with the stack's values (retainOnDelete: Pulumi only "
                f"forgets the patch, nothing changes on the object, no predictor restart): {kept}",
            )
        return Effect("kept", f"{name} stays on the cluster (retainOnDelete): Pulumi only forgets it")
    if subject.is_patch:
        live = cluster.live(subject)
        stays = []
        if live is not None:
            ours = _ours(subject)
            stays = [
                path_text(path)
                for path in managed_fields.applied_fields(subject.manifest)
                if managed_fields.co_owned(path, live, ours)
            ]
        message = f"gives its fields back; {name} itself stays"
        if stays:
            message += f" (co-owned by another manager, so they stay: {', '.join(stays)})"
        return Effect("gives-fields-back", message)
    if subject.kind in SERVER_SHAPES:
        return Effect("deletes-server", f"deletes {name}: the operator removes the server's Deployment and Service")
    return Effect("deletes", f"deletes {name}")


def _takeovers(subject: Subject, cluster: Cluster) -> list[Effect]:
    live = cluster.live(subject)
    if live is None or subject.inputs is None:
        return []
    if not managed_fields.has_managed_fields(live):
        cluster.warnings.append(
            f"snapshot of {_name(subject)} has no metadata.managedFields: export it with "
            "`oc get ... -o yaml --show-managed-fields` to see which fields the stack would take over"
        )
        return []
    return [_takeover_effect(t) for t in managed_fields.takeovers(subject.inputs, live, _ours(subject))]


def _takeover_effect(takeover: managed_fields.Takeover) -> Effect:
    return Effect(
        "takes-field",
        f"takes {path_text(takeover.path)} from {', '.join(takeover.managers)} "
        f"({show(takeover.live)} => {show(takeover.applied)}; kubernetes:enablePatchForce)",
    )


def _existing(subject: Subject, cluster: Cluster) -> list[Effect]:
    """A created object that a snapshot shows already exists (e.g. upstream's MaaS install)."""
    live = cluster.live(subject)
    if live is None or subject.inputs is None:
        return []
    name = _name(subject)
    if not cluster.enabled("upsertExistingObjects"):
        return [
            Effect(
                "already-exists",
                f"{name} already exists: `pulumi up` fails with AlreadyExists (pulumi-kubernetes >= 4.29 creates "
                "client-side); delete it first or set kubernetes:upsertExistingObjects",
            )
        ]
    result = [Effect("adopts", f"adopts the existing {name} (kubernetes:upsertExistingObjects)")]
    for t in managed_fields.takeovers(subject.inputs, live, _ours(subject)):
        result.append(_takeover_effect(t))
    return result
