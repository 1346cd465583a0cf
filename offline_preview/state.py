"""What is deployed, to compare a run with: a `pulumi stack export` (`--state`) or an earlier `--render-dir`
(`--compare-to`).

The export is the engine's checkpoint as pulumi/pulumi defines it (sdk/go/common/apitype/core.go):
`UntypedDeployment{version, features, deployment}` whose deployment is a `DeploymentV3{manifest, secrets_providers,
resources: [ResourceV3], pending_operations}`; schema versions 3 and 4 both unmarshal into DeploymentV3 (4 adds
`features`). Secret values stay encrypted in an export: `{"4dabf18193072939515e22adb298388d":
"1b47061264138c4ac30d75fd1eb44270", "ciphertext": ...}` (the engine's secret signature); they are compared as
`[secret]` and never printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_playground.model_base import shown
from offline_preview.errors import OfflineRunError
from offline_preview.safe_yaml import Limits, load_documents, read_json_object, read_text
from offline_preview.snapshots import type_token

SUPPORTED_VERSIONS = (3, 4)
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
# pulumi-kubernetes keeps these beside the live object in a resource's outputs (provider/pkg/provider/provider.go,
# checkpointObject): the inputs it applied, the first apiVersion and the server-side-apply field manager.
FIELD_MANAGER_KEY = "__fieldManager"
KUSTOMIZATION = "kustomization.yaml"
# An export and a render are inputs like any other: bounded (offline_preview/safe_yaml), and JSON values only.
PRIOR_LIMITS = Limits(max_bytes=256 << 20, max_depth=100, max_values=5_000_000)


@dataclass(frozen=True)
class PriorResource:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    external: bool = False  # a read: the engine does not manage it
    retain_on_delete: bool = False

    @property
    def field_manager(self) -> str | None:
        manager = self.outputs.get(FIELD_MANAGER_KEY)
        return manager if isinstance(manager, str) else None


@dataclass(frozen=True)
class Prior:
    """The deployed side of a comparison."""

    kind: str  # "state" (matched by URN) | "render-dir" (matched by Kubernetes object)
    source: str
    resources: dict[str, PriorResource]  # by URN, or by object_key for a render dir
    stack_outputs: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)


def object_key(manifest: Mapping[str, Any]) -> str:
    """A Kubernetes object's identity: apiVersion, kind, namespace and name."""
    metadata = manifest.get("metadata") or {}
    namespace = metadata.get("namespace") or ""
    return f"{manifest.get('apiVersion', '')}:{manifest.get('kind', '')}:{namespace}/{metadata.get('name', '')}"


def load_state(path: Path, project: str, stack: str) -> Prior:
    """Read a `pulumi stack export` of `project`/`stack`; any shape error names the file and the JSON path."""
    document = read_json_object(
        path, "--state", "stack export", PRIOR_LIMITS.max_bytes, "the JSON object `pulumi stack export` writes"
    )
    version = document.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise OfflineRunError(
            f"--state {path}: deployment version {version!r} is not supported; export the stack with "
            "`pulumi stack export --file FILE` (versions 3 and 4 of pulumi's apitype.UntypedDeployment)"
        )
    deployment = _mapping(document.get("deployment"), path, "deployment")
    manifest = _mapping(deployment.get("manifest"), path, "deployment.manifest")
    raw_resources = deployment.get("resources", [])
    if not isinstance(raw_resources, list):
        raise OfflineRunError(f"--state {path}: deployment.resources must be a list")
    resources: dict[str, PriorResource] = {}
    stack_outputs: dict[str, Any] | None = None
    for index, raw in enumerate(raw_resources):
        resource = _resource(_mapping(raw, path, f"deployment.resources[{index}]"), path, index)
        _check_stack(resource.urn, project, stack, path)
        if resource.type == STACK_TYPE:
            stack_outputs = resource.outputs
        elif not resource.type.startswith(PROVIDER_TYPE_PREFIX):
            resources[resource.urn] = resource
    warnings = []
    if deployment.get("pending_operations"):
        warnings.append(
            f"--state {path}: the stack has pending operations from an interrupted update; "
            "run `pulumi refresh` (or `pulumi cancel`) before `pulumi up`"
        )
    when = manifest.get("time", "unknown time")
    return Prior(
        kind="state",
        source=f"state {path} (pulumi stack export, {when})",
        resources=resources,
        stack_outputs=stack_outputs if stack_outputs is not None else {},
        warnings=warnings,
    )


def load_render_dir(path: Path) -> Prior:
    """The objects of an earlier `--render-dir` (one manifest per file, listed in kustomization.yaml)."""
    kustomization = path / KUSTOMIZATION
    if not kustomization.is_file():
        raise OfflineRunError(f"--compare-to {path}: no {KUSTOMIZATION} (is it a --render-dir output?)")
    listing = _read_yaml(kustomization)
    names = listing.get("resources") if isinstance(listing, Mapping) else None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise OfflineRunError(f"--compare-to {kustomization}: `resources` must be a list of file names")
    resources: dict[str, PriorResource] = {}
    for name in names:
        if "/" in name or name in (".", ".."):
            raise OfflineRunError(f"--compare-to {kustomization}: {name!r} is not a file of the render")
        obj = _read_yaml(path / name)
        if not isinstance(obj, Mapping) or not isinstance(obj.get("metadata"), Mapping):
            raise OfflineRunError(f"--compare-to {path / name}: not a Kubernetes object")
        key = object_key(obj)
        metadata = obj["metadata"]
        resources[key] = PriorResource(
            urn="",
            type=type_token(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))),
            name=str(metadata.get("name", "")),
            parent="",
            custom=True,
            inputs=dict(obj),
        )
    return Prior(kind="render-dir", source=f"render dir {path}", resources=resources)


def without_secrets(value: Any) -> Any:
    """Encrypted secret values as the `[secret]` marker; everything else as it is."""
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return SECRET
        return {key: without_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_secrets(item) for item in value]
    return value


def _resource(raw: Mapping[str, Any], path: Path, index: int) -> PriorResource:
    where = f"deployment.resources[{index}]"
    urn, type_token = raw.get("urn"), raw.get("type")
    if not isinstance(urn, str) or urn.count("::") < 3:
        raise OfflineRunError(f"--state {path}: {where}.urn must be a Pulumi URN, got {urn!r}")
    if not isinstance(type_token, str) or not type_token:
        raise OfflineRunError(f"--state {path}: {where}.type must be a type token")
    parent = raw.get("parent") or ""
    if not isinstance(parent, str):
        raise OfflineRunError(f"--state {path}: {where}.parent must be a URN")
    return PriorResource(
        urn=urn,
        type=type_token,
        name=urn.rsplit("::", 1)[1],
        parent=parent,
        custom=bool(raw.get("custom")),
        inputs=without_secrets(_mapping(raw.get("inputs") or {}, path, f"{where}.inputs")),
        outputs=without_secrets(_mapping(raw.get("outputs") or {}, path, f"{where}.outputs")),
        external=bool(raw.get("external")),
        retain_on_delete=bool(raw.get("retainOnDelete")),
    )


def _check_stack(urn: str, project: str, stack: str, path: Path) -> None:
    # urn:pulumi:<stack>::<project>::<qualified type>::<name>
    head = urn.split("::", 2)
    urn_stack, urn_project = head[0].removeprefix("urn:pulumi:"), head[1]
    if (urn_stack, urn_project) != (stack, project):
        raise OfflineRunError(
            f"--state {path}: the export is of stack {shown(f'{urn_project}/{urn_stack}')}, the preview is of"
            f" {project}/{stack}"
        )


def _mapping(value: Any, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise OfflineRunError(f"--state {path}: {where} must be an object, got {type(value).__name__}")
    return dict(value)


def _read_yaml(path: Path) -> Any:
    try:
        documents = load_documents(read_text(path, "render", PRIOR_LIMITS.max_bytes), str(path), PRIOR_LIMITS)
    except OfflineRunError as error:
        raise OfflineRunError(f"--compare-to {error}") from None
    if len(documents) != 1:
        raise OfflineRunError(f"--compare-to {path}: holds {len(documents)} YAML documents; a render file holds one")
    return documents[0]
