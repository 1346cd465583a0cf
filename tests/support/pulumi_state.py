"""`pulumi stack export` files of a recorded run, shaped as the engine writes them.

Follows pulumi/pulumi: `pkg/cmd/pulumi/stack/stack_export.go` (JSON, 4-space indent) of an
`apitype.UntypedDeployment{version: 3, deployment}`, the deployment from `pkg/resource/stack/deployment.go`
(SerializeDeploymentWithMetadata, SerializeResource: the root Stack, the default provider, then each resource with
its provider reference `<provider urn>::<provider id>`, `omitempty` fields left out), secrets as
`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": ...}`
(sdk/go/common/resource/properties.go SecretSig, apitype.SecretV1). A Kubernetes resource's outputs are the live
object plus `__inputs`, `__initialApiVersion` and `__fieldManager` (pulumi/pulumi-kubernetes
provider/pkg/provider/provider.go, checkpointObject).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from offline_preview.engine import STACK_TYPE, ProgramRun, RecordedResource
from offline_preview.plan import plain

CLI_VERSION = "v3.272.0"
PROVIDER_VERSION = "4.34.2"
PROVIDER_ID = "8d5b2f4e-3c1a-4b7e-9f60-1d2c3b4a5e6f"
TIME = "2026-05-04T09:12:33.503112+02:00"
SIG_KEY, SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"


def secret(ciphertext: str) -> dict[str, str]:
    return {SIG_KEY: SECRET_SIG, "ciphertext": ciphertext}


def export(
    run: ProgramRun, *, field_manager: str = "pulumi-kubernetes-4e2d1f0a", stack_outputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    stack_urn = f"urn:pulumi:{run.stack}::{run.project}::{STACK_TYPE}::{run.project}-{run.stack}"
    provider_urn = f"urn:pulumi:{run.stack}::{run.project}::pulumi:providers:kubernetes::default_4_34_2"
    provider_ref = f"{provider_urn}::{PROVIDER_ID}"
    resources: list[dict[str, Any]] = [
        {
            "urn": stack_urn,
            "custom": False,
            "type": STACK_TYPE,
            "outputs": plain(run.outputs) if stack_outputs is None else stack_outputs,
            "created": TIME,
            "modified": TIME,
        },
        {
            "urn": provider_urn,
            "custom": True,
            "id": PROVIDER_ID,
            "type": "pulumi:providers:kubernetes",
            "inputs": {"__internal": {}, "version": PROVIDER_VERSION},
            "outputs": {"version": PROVIDER_VERSION},
            "created": TIME,
            "modified": TIME,
        },
    ]
    for resource in run.resources:
        resources.append(_resource(resource, stack_urn, provider_ref, field_manager))
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": TIME,
                "magic": hashlib.sha256(CLI_VERSION.encode()).hexdigest(),
                "version": CLI_VERSION,
                "plugins": [
                    {
                        "name": "python",
                        "path": "/usr/local/bin/pulumi-language-python",
                        "type": "language",
                        "version": CLI_VERSION.lstrip("v"),
                    },
                    {
                        "name": "kubernetes",
                        "path": "/root/.pulumi/plugins/resource-kubernetes-v4.34.2/pulumi-resource-kubernetes",
                        "type": "resource",
                        "version": PROVIDER_VERSION,
                    },
                ],
            },
            "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:3EXampleSalt:v1:Qm9ndXM=:AAAA"}},
            "resources": resources,
            "metadata": {},
        },
    }


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=4) + "\n")
    return path


def _resource(resource: RecordedResource, stack_urn: str, provider_ref: str, field_manager: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"urn": resource.urn, "custom": resource.custom}
    inputs = plain(resource.inputs)
    if resource.custom:
        metadata = plain(resource.outputs).get("metadata") or inputs.get("metadata") or {}
        namespace, name = metadata.get("namespace"), metadata.get("name", resource.name)
        entry["id"] = f"{namespace}/{name}" if namespace else name
    entry["type"] = resource.type
    if resource.read:
        entry["external"] = True
        entry["outputs"] = plain(resource.outputs)
    elif resource.custom:
        entry["inputs"] = inputs
        entry["outputs"] = _live(inputs, field_manager)
    else:
        entry["inputs"] = inputs
        entry["outputs"] = plain(resource.outputs)
    entry["parent"] = resource.parent or stack_urn
    if resource.dependencies:
        entry["dependencies"] = sorted(resource.dependencies)
    if resource.custom:
        entry["provider"] = provider_ref
        entry["propertyDependencies"] = {key: None for key in inputs}
    if resource.retain_on_delete:
        entry["retainOnDelete"] = True
    entry["created"] = TIME
    entry["modified"] = TIME
    return entry


def _live(inputs: dict[str, Any], field_manager: str) -> dict[str, Any]:
    """The object as the API server returned it after the apply."""
    live = json.loads(json.dumps(inputs))
    metadata = live.setdefault("metadata", {})
    metadata.update(
        {
            "creationTimestamp": "2026-05-04T07:12:31Z",
            "generation": 1,
            "resourceVersion": "482913",
            "uid": "6c0f9b8e-2d51-4f7a-8a43-0e1f4b2c9d77",
        }
    )
    return {
        **live,
        "__fieldManager": field_manager,
        "__initialApiVersion": inputs.get("apiVersion"),
        "__inputs": inputs,
    }
