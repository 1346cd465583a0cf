"""`--render-dir`: one manifest per Kubernetes object plus a kustomization.yaml, for GitOps users.

The folder is replaced whole, and only by a complete render: every file is written (and synced) in a new folder
beside it, which then takes the old one's place by rename. So a failed run, a full disk or a signal leaves the
previous render as it was, and a file of an object the stack no longer has does not linger. Only a folder this
tool rendered is ever replaced: a render leaves its mark (RENDER_MARK_FILE, listing the files it wrote), and a
folder without it, or with any file it does not list, is refused before the run.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import uuid
from pathlib import Path
from typing import Any

import yaml

from offline_preview.errors import OfflineRunError
from offline_preview.plan import PlannedStep, plain
from offline_preview.processes import cleanup_on_signal, signals_deferred
from offline_preview.safe_yaml import Limits, load_documents, read_bytes

KUSTOMIZATION = "kustomization.yaml"
# The mark a render leaves in its folder: the only proof that a folder is one this tool wrote, and may replace.
RENDER_MARK_FILE = ".offline-preview-render"
RENDER_MARK = "offline-preview render v1: this folder is replaced whole by `python -m offline_preview --render-dir`"
_MARK_MAX_BYTES = 1 << 20
_LEGACY_LIMITS = Limits(max_bytes=_MARK_MAX_BYTES, max_depth=8, max_values=100_000)
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
    files[RENDER_MARK_FILE] = "\n".join([RENDER_MARK, *sorted(files)]) + "\n"
    return files


def check_render_dir(directory: Path) -> None:
    """Fail before the run when `directory` cannot take a render: a file, a link, a folder this tool did not
    render (or holding files its render did not write), no write access."""
    if directory.is_symlink():
        raise OfflineRunError(f"--render-dir {directory}: a symbolic link; name the folder itself")
    if directory.is_dir():
        problem = _not_a_render(directory)
        if problem:
            raise OfflineRunError(
                f"--render-dir {directory}: {problem}; the folder is replaced whole on each render, so only a folder"
                " an earlier --render-dir wrote is replaced: name a new or empty folder (e.g."
                f" --render-dir {directory.name.rstrip('/') or 'render'}-rendered), or move your own files out"
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
    return [directory / name for name in files if name not in (KUSTOMIZATION, RENDER_MARK_FILE)]


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


def _not_a_render(directory: Path) -> str:
    """Why `directory` is not a folder an earlier render wrote ("" when it is empty or is one). A render carries
    its mark: the file RENDER_MARK_FILE, listing every file it wrote. An entry it does not list (or that is no
    longer a plain file) is the user's, and is never replaced."""
    entries = sorted(entry.name for entry in directory.iterdir())
    if not entries:
        return ""
    written = _marked_files(directory)
    if written is None:
        shown_entries = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
        return f"holds files ({shown_entries}) and no {RENDER_MARK_FILE} of an earlier render"
    foreign = [
        name
        for name in entries
        if name != RENDER_MARK_FILE and (name not in written or not stat.S_ISREG((directory / name).lstat().st_mode))
    ]
    if foreign:
        return f"holds files no render wrote ({', '.join(foreign[:5])}{' ...' if len(foreign) > 5 else ''})"
    return ""


def _marked_files(directory: Path) -> set[str] | None:
    """The files a render's mark lists, or None when the folder carries no mark of this tool's."""
    lines = _regular_file_lines(directory / RENDER_MARK_FILE)
    if lines and lines[0] == RENDER_MARK:
        return {line for line in lines[1:] if line and "/" not in line and line not in (".", "..")}
    # Renders before the mark file carried their mark as the first line of kustomization.yaml.
    kustomization = directory / KUSTOMIZATION
    lines = _regular_file_lines(kustomization)
    if not lines or lines[0] != RENDERED_MARK:
        return None
    try:
        [document] = load_documents("\n".join(lines), str(kustomization), _LEGACY_LIMITS)
    except (OfflineRunError, ValueError):
        return None
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list) or not all(isinstance(name, str) and "/" not in name for name in resources):
        return None
    return {KUSTOMIZATION, *resources}


def _regular_file_lines(path: Path) -> list[str] | None:
    """The lines of a regular file (never a link, FIFO or device), or None."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        return read_bytes(path, "render mark", _MARK_MAX_BYTES).decode("utf-8").splitlines()
    except (OSError, OfflineRunError, UnicodeDecodeError):
        return None


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
