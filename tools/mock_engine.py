"""Run the real Pulumi program with no CLI and no cluster: Pulumi's own mock runtime, recording every resource.

Config is handed over as the engine would (`project:key` -> string, JSON for structured values, secure values
replaced by a marked placeholder). Reads of live objects (`.get`) are answered from `oc get -o yaml` snapshots.
"""

from __future__ import annotations

import asyncio
import json
import logging
import runpy
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

SECRET_PLACEHOLDER = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"


class OfflineRunError(Exception):
    """The program could not run: bad config, a failed read, or an error in the program. Message only."""


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    read: bool = False
    outputs: dict[str, Any] = field(default_factory=dict)
    retain_on_delete: bool = False


@dataclass
class ProgramRun:
    stack: str
    project: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    warnings: list[str]

    def by_type(self, type_token: str) -> list[RecordedResource]:
        return [resource for resource in self.resources if resource.type == type_token]

    def one(self, type_token: str, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.type == type_token and r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources of type {type_token} named {name}")
        return matches[0]


@dataclass(frozen=True)
class StackFiles:
    project: str
    config: dict[str, str]
    secret_keys: list[str]


def load_stack_files(project_dir: Path, stack: str) -> StackFiles:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml the way the engine hands config to a program."""
    project_file = project_dir / "Pulumi.yaml"
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    for path in (project_file, stack_file):
        if not path.is_file():
            raise OfflineRunError(f"{path}: no such file (is --project-dir the folder with Pulumi.yaml?)")
    project = str((yaml.safe_load(project_file.read_text()) or {}).get("name", ""))
    try:
        entries = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
    except yaml.YAMLError as error:
        raise OfflineRunError(f"{stack_file}: not valid YAML: {error}") from None
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in entries.items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, Mapping) and set(value) == {"secure"}:
            # Ciphertext can't be decrypted here; the program sees a marked placeholder, never a value.
            config[full_key] = SECRET_PLACEHOLDER
            secret_keys.append(full_key)
        else:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return StackFiles(project=project, config=config, secret_keys=secret_keys)


class SnapshotIndex:
    """Live objects exported with `oc get <kind> -n <ns> -o yaml` (a List or single objects)."""

    def __init__(self, objects: Iterable[Mapping[str, Any]] = ()) -> None:
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        for obj in objects:
            self.add(obj)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> SnapshotIndex:
        index = cls()
        for path in paths:
            try:
                documents = list(yaml.safe_load_all(path.read_text()))
            except (OSError, yaml.YAMLError) as error:
                raise OfflineRunError(f"snapshot {path}: cannot be read as YAML: {error}") from None
            for document in documents:
                for obj in _objects_in(document):
                    index.add(obj)
        return index

    def add(self, obj: Mapping[str, Any]) -> None:
        metadata = obj.get("metadata") or {}
        key = (
            _type_token(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))),
            metadata.get("namespace", ""),
            metadata.get("name", ""),
        )
        self._objects[(key[0], str(key[1]), str(key[2]))] = dict(obj)

    def find(self, type_token: str, object_id: str) -> dict[str, Any] | None:
        namespace, _, name = object_id.rpartition("/")
        return self._objects.get((type_token, namespace, name))


def missing_read_message(type_token: str, object_id: str) -> str:
    api_version, kind = _api_version_and_kind(type_token)
    namespace, _, name = object_id.rpartition("/")
    ns_flag = f" -n {namespace}" if namespace else ""
    hint = " Deploy the models first (the seed's step 05)," if kind == "InferenceService" else ""
    return (
        f"{kind} {object_id} ({api_version}) is read (or imported) by the program but no snapshot has it.{hint}"
        f" or export it: oc get {kind.lower()} {name}{ns_flag} -o yaml > {name}.yaml"
        f" and pass --snapshot {name}.yaml"
    )


class _RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, snapshots: SnapshotIndex) -> None:
        self.snapshots = snapshots
        self.read_failures: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        # An id means the object already exists on the cluster (a `.get` read, or an import): a snapshot answers.
        if args.resource_id:
            live = self.snapshots.find(args.typ, args.resource_id)
            if live is None:
                message = missing_read_message(args.typ, args.resource_id)
                self.read_failures.append(message)
                raise OfflineRunError(message)
            return args.resource_id, live
        # Created objects come back as they were asked for; Kubernetes objects keep their explicit names.
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class _RecordingMonitor(mocks.MockMonitor):
    """Keeps what the engine would see of each registration: parent, dependencies, custom, inputs, outputs."""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root Stack's type out of its children's URNs; the mock monitor does not.
        return super().make_urn("" if f"::{STACK_TYPE}::" in parent else parent, type_, name)

    def __init__(self, recorder: _RecordingMocks) -> None:
        super().__init__(recorder)
        self.recorded: dict[str, RecordedResource] = {}
        self.stack_outputs: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != STACK_TYPE:
            registration = self.resources[response.urn]
            self.recorded[response.urn] = RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                inputs=_deserialize(request.object),
                dependencies=list(request.dependencies),
                outputs=dict(registration.state) if request.custom else {},
                retain_on_delete=bool(request.retainOnDelete),
            )
        return response

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        state = self.resources[response.urn].state
        self.recorded[response.urn] = RecordedResource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=True,
            inputs={},
            dependencies=list(request.dependencies),
            read=True,
            outputs=dict(state),
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        outputs = _deserialize(request.outputs)
        if request.urn in self.recorded:
            self.recorded[request.urn].outputs = outputs
        elif f"::{STACK_TYPE}::" in request.urn:
            self.stack_outputs = outputs
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


class _WarningLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_program(project_dir: Path, stack: str, snapshots: SnapshotIndex | None = None) -> ProgramRun:
    """Run `<project_dir>/__main__.py` for `stack` and return every resource it registered."""
    project_dir = project_dir.resolve()
    files = load_stack_files(project_dir, stack)
    program = project_dir / "__main__.py"
    sys.path.insert(0, str(project_dir))
    try:
        return run_callable(lambda: runpy.run_path(str(program), run_name="__main__"), files, stack, snapshots)
    finally:
        sys.path.remove(str(project_dir))


def run_callable(
    program: Callable[[], object], files: StackFiles, stack: str, snapshots: SnapshotIndex | None = None
) -> ProgramRun:
    """Run any Pulumi program function (a whole program, or one component for a test) under the mocks."""
    recorder = _RecordingMocks(snapshots or SnapshotIndex())
    monitor = _RecordingMonitor(recorder)
    warnings = _WarningLog()
    logger = logging.getLogger(f"genai-playground.offline.{stack}")
    logger.propagate = False
    logger.handlers = [warnings]

    loop = _fresh_event_loop()
    settings.reset_options()  # a fresh root Stack: nothing leaks from an earlier run
    set_all_config(files.config, files.secret_keys)
    mocks.set_mocks(recorder, project=files.project, stack=stack, preview=False, logger=logger, monitor=monitor)
    try:
        _sync_await(run_pulumi_func(lambda: _run_in_stack(program)))
    except Exception as error:
        raise OfflineRunError(_root_message(error, recorder.read_failures)) from None
    finally:
        loop.close()
    return ProgramRun(
        stack=stack,
        project=files.project,
        resources=list(monitor.recorded.values()),
        outputs=monitor.stack_outputs,
        warnings=warnings.messages,
    )


def _fresh_event_loop() -> asyncio.AbstractEventLoop:
    """One event loop per run, closed after it: no state leaks between runs, and none is left for exit.

    A failed read is reported once, as a message; asyncio would print its traceback again later.
    """
    loop = asyncio.new_event_loop()

    def handler(event_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if not isinstance(context.get("exception"), OfflineRunError):
            event_loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    asyncio.set_event_loop(loop)
    return loop


def _run_in_stack(program: Callable[[], object]) -> None:
    """Run the program, then register the root Stack's exports, as the engine's run_in_stack does.

    `set_mocks` finishes the root Stack at once, so its outputs are reopened first.
    """
    root = settings.get_root_resource()
    assert isinstance(root, pulumi.runtime.stack.Stack)
    root._outputs_registered = False
    program()
    root._finish()


def _root_message(error: BaseException, read_failures: list[str]) -> str:
    if read_failures:
        return read_failures[0]
    if isinstance(error, pulumi.RunError | OfflineRunError):
        return str(error)
    return f"the program failed: {type(error).__name__}: {error}"


def _deserialize(struct: Any) -> dict[str, Any]:
    from pulumi.runtime import rpc

    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


def _objects_in(document: Any) -> Iterable[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    if str(document.get("kind", "")).endswith("List"):
        return [item for item in document.get("items") or [] if isinstance(item, Mapping)]
    return [document]


def _type_token(api_version: str, kind: str) -> str:
    """The type token pulumi-kubernetes registers for an object: core/v1 for the core group."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"


def _api_version_and_kind(type_token: str) -> tuple[str, str]:
    _, group_version, kind = type_token.split(":", 2)
    return group_version.removeprefix("core/"), kind
