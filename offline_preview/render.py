"""`--render-dir`: one manifest per Kubernetes object plus a kustomization.yaml, for GitOps users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from offline_preview.plan import PlannedStep, plain

KUSTOMIZATION = "kustomization.yaml"
REDACTED = "<redacted: set from your secret store>"


def manifests(steps: list[PlannedStep]) -> list[dict[str, Any]]:
    """The Kubernetes objects the run creates or patches (reads are the cluster's own)."""
    return [
        manifest(step.resource.inputs)
        for step in steps
        if step.op != "read" and step.resource.custom and step.resource.type.startswith("kubernetes:")
    ]


def manifest(inputs: dict[str, Any]) -> dict[str, Any]:
    obj = plain(inputs)
    metadata = dict(obj.get("metadata") or {})
    # pulumi.com/* annotations steer the Pulumi provider only; they mean nothing to `oc apply`.
    annotations = {k: v for k, v in (metadata.get("annotations") or {}).items() if not k.startswith("pulumi.com/")}
    if annotations:
        metadata["annotations"] = annotations
    else:
        metadata.pop("annotations", None)
    obj["metadata"] = metadata
    if obj.get("kind") == "Secret":
        # No secret value is ever written to disk.
        for field in ("data", "stringData"):
            if field in obj:
                obj[field] = {key: REDACTED for key in obj[field]}
    ordered = {key: obj[key] for key in ("apiVersion", "kind", "metadata") if key in obj}
    ordered.update({key: value for key, value in obj.items() if key not in ordered})
    return ordered


def file_name(obj: dict[str, Any]) -> str:
    metadata = obj.get("metadata") or {}
    parts = [obj.get("kind", "object").lower(), metadata.get("namespace"), metadata.get("name")]
    return "-".join(str(part) for part in parts if part) + ".yaml"


def write_render_dir(directory: Path, steps: list[PlannedStep]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for obj in manifests(steps):
        path = directory / file_name(obj)
        path.write_text(yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, width=120))
        written.append(path)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(path.name for path in written),
    }
    (directory / KUSTOMIZATION).write_text(yaml.safe_dump(kustomization, sort_keys=False))
    return written
