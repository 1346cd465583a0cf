"""`--render-dir`: one manifest per Kubernetes object plus a kustomization.yaml, for GitOps users.

The folder is replaced whole, and only by a complete render: every file is written (and synced) in a new folder
beside it, which then takes the old one's place by rename. So a failed run, a full disk or a signal leaves the
previous render as it was, and a file of an object the stack no longer has does not linger. A folder holding
files no render wrote is never replaced.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import yaml

from offline_preview.errors import OfflineRunError
from offline_preview.plan import PlannedStep, plain
from offline_preview.processes import cleanup_on_signal, signals_deferred

KUSTOMIZATION = "kustomization.yaml"
REDACTED = "<redacted: set from your secret store>"
RENDERED_MARK = "# Rendered by `python -m offline_preview --render-dir`: the folder is replaced whole on each render."
_UNSAFE_IN_FILE_NAME = re.compile(r"[^a-z0-9.-]+")


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
    parts = [obj.get("kind", "object"), metadata.get("namespace"), metadata.get("name")]
    return "-".join(_UNSAFE_IN_FILE_NAME.sub("-", str(part).lower()) for part in parts if part) + ".yaml"


def dump(obj: dict[str, Any]) -> str:
    """YAML a reviewer reads: keys in manifest order, text of several lines (run.yaml) as a `|` block."""
    return yaml.dump(obj, Dumper=_ManifestDumper, sort_keys=False, default_flow_style=False, width=120)


def rendered_files(steps: list[PlannedStep]) -> dict[str, str]:
    """File name -> content: one manifest per object, then kustomization.yaml listing them."""
    files: dict[str, str] = {}
    for obj in manifests(steps):
        name = file_name(obj)
        if name in files or name == KUSTOMIZATION:
            raise OfflineRunError(f"two rendered objects would share the file {name}")
        files[name] = dump(obj)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(files),
    }
    files[KUSTOMIZATION] = f"{RENDERED_MARK}\n{dump(kustomization)}"
    return files


def check_render_dir(directory: Path) -> None:
    """Fail before the run when `directory` cannot take a render: a file, a link, a folder of other files, no
    write access."""
    if directory.is_symlink():
        raise OfflineRunError(f"--render-dir {directory}: a symbolic link; name the folder itself")
    if directory.is_dir():
        foreign = _foreign_entries(directory)
        if foreign:
            raise OfflineRunError(
                f"--render-dir {directory}: holds files no render wrote ({', '.join(foreign[:5])}); the folder"
                " is replaced whole, so name a new or empty folder"
            )
    elif directory.exists():
        raise OfflineRunError(f"--render-dir {directory}: not a folder")
    parent = _existing_ancestor(directory.absolute().parent)
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OfflineRunError(f"--render-dir {directory}: cannot write in {parent} (read-only, or not a folder)")


def write_render_dir(directory: Path, steps: list[PlannedStep]) -> list[Path]:
    """Replace `directory` with the render, whole or not at all. Returns the manifests written."""
    check_render_dir(directory)
    files = rendered_files(steps)
    target = directory.absolute()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.rendering-", dir=target.parent))
    except OSError as error:
        raise _write_error(directory, error) from None

    def remove_staging() -> None:
        shutil.rmtree(staging, ignore_errors=True)

    try:
        with cleanup_on_signal(remove_staging):
            for name, text in files.items():
                with (staging / name).open("x", encoding="utf-8") as stream:
                    stream.write(text)
                    stream.flush()
                    os.fsync(stream.fileno())
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a render is an ordinary folder
            _replace(target, staging)
    except OSError as error:
        raise _write_error(directory, error) from None
    finally:
        remove_staging()  # still there only when the swap did not happen
    return [directory / name for name in files if name != KUSTOMIZATION]


def _replace(target: Path, staging: Path) -> None:
    """Rename `staging` to `target`; an old `target` is moved aside first and removed after. No signal
    lands between the two renames, and a failed second rename puts the old folder back."""
    with signals_deferred():
        if not target.exists():
            staging.rename(target)
            return
        old = target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex}")
        target.rename(old)
        try:
            staging.rename(target)
        except OSError:
            old.rename(target)
            raise
    shutil.rmtree(old, ignore_errors=True)


def _foreign_entries(directory: Path) -> list[str]:
    """Entries of `directory` a render did not write: empty when it is empty or holds a render."""
    entries = sorted(directory.iterdir())
    if not entries:
        return []
    kustomization = directory / KUSTOMIZATION
    listed = _listed_resources(kustomization)
    return [
        entry.name
        for entry in entries
        if entry.is_symlink() or not entry.is_file() or (entry != kustomization and entry.name not in listed)
    ]


def _listed_resources(kustomization: Path) -> set[str]:
    """The resources of a kustomization.yaml a render wrote (this version's mark, or an earlier render's shape)."""
    try:
        text = kustomization.read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError):
        return set()
    if not isinstance(document, dict) or document.get("kind") != "Kustomization":
        return set()
    resources = document.get("resources")
    if not isinstance(resources, list) or not all(isinstance(name, str) and "/" not in name for name in resources):
        return set()
    return set(resources)


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _write_error(directory: Path, error: OSError) -> OfflineRunError:
    where = f" ({error.filename})" if error.filename else ""
    return OfflineRunError(
        f"--render-dir {directory}: cannot write the render: {error.strerror or error}{where}; nothing was changed"
    )


class _ManifestDumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted scalar by itself when a block cannot hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_ManifestDumper.add_representer(str, _text)
