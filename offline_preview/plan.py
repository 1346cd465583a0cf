"""What a recorded run would do to a cluster, in the order and words of `pulumi preview`.

Ops are the engine's (pulumi/pulumi pkg/resource/deploy/step.go): create, update, replace, delete, same, read and
discard (a read the program no longer does). Compared with nothing, everything is a create, Patch resources
included, and the root Stack is created too: what Pulumi shows for a new stack. Compared with a `pulumi stack
export`, resources are matched by URN; compared with an earlier `--render-dir`, Kubernetes objects are matched by
apiVersion, kind, namespace and name (components, which a render does not hold, are `same` unless new).

Whether a change replaces follows pulumi-kubernetes (provider/pkg/provider/provider.go Diff, diff.go
forceNewProperties): a new name or namespace always; a ConfigMap's data unless the provider's
enableConfigMapMutable is on and the ConfigMap is not immutable; a Secret's type/data/stringData unless
enableSecretMutable. Patch resources replace only on a new name or namespace. Replacing an object with an explicit
name deletes it first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from offline_preview.diff import FieldChange, diff
from offline_preview.effects import (
    SERVER_SHAPES,
    Cluster,
    Effect,
    Subject,
    check_live_playground,
    effects_of,
    is_server_type,
)
from offline_preview.engine import STACK_TYPE, ProgramRun, RecordedResource
from offline_preview.state import Prior, PriorResource, object_key

SYMBOLS = {
    "create": "+ ",
    "update": "~ ",
    "delete": "- ",
    "replace": "+-",
    "same": "  ",
    "read": "> ",
    "discard": "< ",
}
# The order of the summary lines (the engine's StepOps order).
SUMMARY_OPS = ("create", "update", "delete", "replace")
# Kinds the program only ever patches (objects the platform or the user owns): an object of these kinds that
# disappears from a render is a patch given back, never a deletion.
PATCHED_KINDS = frozenset({"InferenceService", "LLMInferenceService", "DataScienceCluster", "OdhDashboardConfig"})


@dataclass(frozen=True)
class PlannedStep:
    """One resource of the run (what `--render-dir` writes from)."""

    resource: RecordedResource
    depth: int
    op: str  # create | read: the run on its own, as for a new stack
    branch: str = ""


@dataclass(frozen=True)
class Row:
    """One line of the preview: a resource of the run or of the deployed side, with its op, diff and effects."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    op: str
    inputs: dict[str, Any] | None
    old: dict[str, Any] | None = None
    diff: tuple[FieldChange, ...] = ()
    replaces: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    delete_first: bool = False  # a replace that deletes the old object before creating the new one
    branch: str = ""  # the tree drawing, as `pulumi preview` prints it: "├─ ", "│  └─ "

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.op]

    def info(self) -> str:
        """Pulumi's Info column: the top-level fields that change."""
        tops: dict[str, str] = {}
        for change in self.diff:
            top = str(change.segments[0]) if change.segments else change.path
            tops[top] = "~" if top in tops and tops[top] != change.symbol else change.symbol
        return f"[diff: {','.join(symbol + top for top, symbol in tops.items())}]" if tops else ""


@dataclass
class Plan:
    stack_name: str
    rows: list[Row]  # tree order, the root Stack first
    compared_to: str | None = None
    outputs_diff: list[FieldChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def operation(resource: RecordedResource) -> str:
    return "read" if resource.read else "create"


def plan(run: ProgramRun) -> list[PlannedStep]:
    """Depth-first over the parent tree, siblings by type and name: stable whatever the registration order."""
    ordered = tree((r.urn, r.parent, r.type, r.name) for r in run.resources)
    by_urn = {r.urn: r for r in run.resources}
    return [PlannedStep(by_urn[urn], depth, operation(by_urn[urn]), branch) for urn, depth, branch in ordered]


def tree(nodes: Iterable[tuple[str, str, str, str]]) -> list[tuple[str, int, str]]:
    """(urn, parent, type, name) -> (urn, depth, branch drawing as `pulumi preview` prints it)."""
    items = list(nodes)
    known = {urn for urn, *_ in items}
    children: dict[str, list[tuple[str, str, str, str]]] = {}
    for item in items:
        parent = item[1] if item[1] in known else ""
        children.setdefault(parent, []).append(item)

    def walk(parent: str, depth: int, indent: str) -> Iterator[tuple[str, int, str]]:
        siblings = sorted(children.get(parent, []), key=lambda item: (item[2], item[3]))
        for index, (urn, _, _, _) in enumerate(siblings):
            last = index == len(siblings) - 1
            yield urn, depth, indent + ("└─ " if last else "├─ ")
            yield from walk(urn, depth + 1, indent + ("   " if last else "│  "))

    return list(walk("", 0, ""))


def preview_plan(run: ProgramRun, prior: Prior | None, cluster: Cluster) -> Plan:
    """Every resource of the run and every deployed resource it drops, with op, changed fields and effects."""
    rows: dict[str, Row] = {}
    matched: set[str] = set()
    for resource in run.resources:
        row, key = _row_of(resource, prior, cluster)
        rows[row.urn] = row
        if key is not None:
            matched.add(key)
    if prior is not None:
        for key, old in prior.resources.items():
            if key not in matched:
                row = _dropped(old, key, prior, run)
                rows[row.urn] = row
    if prior is not None and prior.kind == "render-dir":
        _components_from_children(rows)
    cluster.config_map_users.update(_config_map_users(rows.values()))
    cluster.distribution_types.update(_distribution_types(rows.values()))
    cluster.config_map_user_shapes.update(_server_shapes(rows.values()))
    retained = {r.urn for r in run.resources if r.retain_on_delete}
    if prior is not None and prior.kind == "state":
        retained |= {urn for urn, old in prior.resources.items() if old.retain_on_delete}
    stack_name = f"{run.project}-{run.stack}"
    root = Row(
        urn=f"urn:pulumi:{run.stack}::{run.project}::{STACK_TYPE}::{stack_name}",
        type=STACK_TYPE,
        name=stack_name,
        parent="",
        custom=False,
        op="create" if prior is None else "same",
        inputs={},
    )
    ordered = [root]
    for urn, _, branch in tree((r.urn, r.parent, r.type, r.name) for r in rows.values()):
        row = rows[urn]
        subject = Subject(
            op=row.op,
            type=row.type,
            custom=row.custom,
            inputs=row.inputs,
            old=row.old,
            changes=row.diff,
            field_manager=_field_manager(prior, urn),
            retained=urn in retained,
            delete_first=row.delete_first,
        )
        check_live_playground(subject, cluster)
        effects = tuple(effects_of(subject, cluster))
        ordered.append(replace(row, branch=branch, effects=effects))
    outputs_diff = diff(prior.stack_outputs, run.outputs) if prior and prior.stack_outputs is not None else []
    warnings = [*(prior.warnings if prior else []), *cluster.warnings]
    return Plan(stack_name, ordered, prior.source if prior else None, outputs_diff, warnings)


def _row_of(resource: RecordedResource, prior: Prior | None, cluster: Cluster) -> tuple[Row, str | None]:
    kubernetes_object = resource.custom and resource.type.startswith("kubernetes:") and not resource.read
    new = plain(resource.inputs)
    base = Row(resource.urn, resource.type, resource.name, resource.parent, resource.custom, "create", new)
    if resource.read:
        return replace(base, op="read", inputs=plain(resource.outputs)), None
    if prior is None:
        return base, None
    # A render holds objects as `oc apply` takes them (no Pulumi annotations); a state holds the engine's inputs.
    by_object = prior.kind == "render-dir"
    compared = _rendered(resource.inputs) if by_object and kubernetes_object else new
    key = (object_key(compared) if kubernetes_object else None) if by_object else resource.urn
    old = prior.resources.get(key) if key is not None else None
    if old is None and not by_object:
        # A resource registered under another type before (an alias): the engine diffs it against that one.
        key = next((alias for alias in resource.aliases if alias in prior.resources), None)
        old = prior.resources.get(key) if key is not None else None
    if old is None:
        return base, None
    before = plain(old.inputs)
    changes = tuple(diff(before, compared))
    replaces = tuple(_replace_reasons(resource.type, new, changes, cluster)) if resource.custom else ()
    old_kind, new_kind = as_kind(before), as_kind(compared)
    if old_kind and new_kind and old_kind != new_kind and resource.custom:
        # replaceOnChanges on apiVersion/kind: pulumi-kubernetes itself would update the object in place.
        replaces = (*replaces, "kind")
    op = "same" if not changes else ("replace" if replaces else "update")
    row = replace(base, op=op, old=before, diff=changes, replaces=replaces)
    return replace(row, delete_first=resource.delete_before_replace and op == "replace"), key


def as_kind(manifest: Any) -> str:
    return str(manifest.get("kind") or "") if isinstance(manifest, Mapping) else ""


def _replace_reasons(
    type_token: str, inputs: Mapping[str, Any], changes: Iterable[FieldChange], cluster: Cluster
) -> list[str]:
    forcing: list[tuple[str, ...]] = [("metadata", "name"), ("metadata", "namespace")]
    kind = type_token.rsplit(":", 1)[-1]
    immutable = bool(inputs.get("immutable"))
    if kind == "ConfigMap" and (not cluster.enabled("enableConfigMapMutable") or immutable):
        forcing += [("data",), ("binaryData",)]
    if kind == "Secret" and (not cluster.enabled("enableSecretMutable") or immutable):
        forcing += [("type",), ("stringData",), ("data",)]
    reasons = []
    for change in changes:
        if any(tuple(change.segments[: len(prefix)]) == prefix for prefix in forcing):
            reasons.append(change.path)
    return reasons


def _dropped(old: PriorResource, key: str, prior: Prior, run: ProgramRun) -> Row:
    """A deployed resource the run no longer has: deleted (or, for a read, discarded)."""
    type_token = old.type
    if prior.kind == "render-dir":
        kind = type_token.rsplit(":", 1)[-1]
        patched = {r.type for r in run.resources if r.type.endswith("Patch")}
        if f"{type_token}Patch" in patched or kind in PATCHED_KINDS:
            type_token += "Patch"
        urn = f"render:{key}"
    else:
        urn = old.urn
    op = "discard" if old.external else "delete"
    return Row(urn, type_token, old.name, old.parent, old.custom, op, None, old=plain(old.inputs))


def _components_from_children(rows: dict[str, Row]) -> None:
    """A render holds no components: one is `create` when it holds objects and none of them is deployed, else
    `same` (a component without objects, like a disabled MaaS, cannot be told apart)."""
    by_parent: dict[str, list[Row]] = {}
    for row in rows.values():
        by_parent.setdefault(row.parent, []).append(row)

    def objects(urn: str) -> list[Row]:
        children = by_parent.get(urn, [])
        return [c for c in children if c.custom] + [o for c in children if not c.custom for o in objects(c.urn)]

    for urn, row in list(rows.items()):
        below = objects(urn)
        if not row.custom and not (below and all(child.op == "create" for child in below)):
            rows[urn] = replace(row, op="same")


def _config_map_users(rows: Iterable[Row]) -> dict[tuple[str, str], str]:
    users = {}
    for row in rows:
        obj = row.inputs or row.old or {}
        if is_server_type(row.type):
            metadata = obj.get("metadata") or {}
            spec = obj.get("spec") or {}
            user_config = (spec.get("server") or {}).get("userConfig") or {}  # LlamaStackDistribution
            override = spec.get("overrideConfig") or {}  # OGXServer: always its own namespace
            namespace = user_config.get("configMapNamespace") or metadata.get("namespace", "")
            name = user_config.get("configMapName") or override.get("name")
            if name:
                users[(namespace, name)] = f"{metadata.get('namespace')}/{metadata.get('name')}"
    return users


def _distribution_types(rows: Iterable[Row]) -> dict[str, str]:
    found = {}
    for row in rows:
        if is_server_type(row.type):
            metadata = (row.inputs or row.old or {}).get("metadata") or {}
            found[f"{metadata.get('namespace')}/{metadata.get('name')}"] = row.type
    return found


def _server_shapes(rows: Iterable[Row]) -> dict[str, str]:
    shapes: dict[str, str] = {}
    for row in rows:
        obj = row.inputs or row.old or {}
        kind = str(obj.get("kind", ""))
        if is_server_type(row.type) and kind in SERVER_SHAPES:
            metadata = obj.get("metadata") or {}
            shapes[f"{metadata.get('namespace')}/{metadata.get('name')}"] = SERVER_SHAPES[kind]
    return shapes


def _field_manager(prior: Prior | None, urn: str) -> str | None:
    old = prior.resources.get(urn) if prior is not None and prior.kind == "state" else None
    return old.field_manager if old is not None else None


def _rendered(inputs: dict[str, Any]) -> dict[str, Any]:
    """An object as `--render-dir` writes it (imported here: offline_preview.render builds on this module)."""
    from offline_preview.render import manifest

    return manifest(inputs)


def counts(rows: list[Row]) -> dict[str, Any]:
    """The summary `pulumi preview` prints: changes by op; sames (the Stack included) as unchanged; reads apart."""
    by_op = Counter(row.op for row in rows)
    by_kind = Counter(row.type.rsplit(":", 1)[-1] for row in rows if row.type != STACK_TYPE)
    return {
        **{op: by_op[op] for op in (*SUMMARY_OPS, "same", "read")},
        "changes": sum(by_op[op] for op in SUMMARY_OPS),
        "byKind": dict(sorted(by_kind.items())),
    }


def plain(value: Any) -> Any:
    """Wire values as a user wrote them: the engine's numbers are floats, 4096.0 is shown as 4096."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
