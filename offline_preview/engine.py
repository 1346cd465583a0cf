"""Run the real Pulumi program with no CLI and no cluster: Pulumi's own mock runtime, recording every resource.

Config is handed over as the engine would (see stack_files). Reads of live objects (`.get`, imports) are answered
from `oc get -o yaml` snapshots (see snapshots). The SDK internals this needs sit behind pulumi_sdk.
"""

from __future__ import annotations

import asyncio
import logging
import runpy
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from offline_preview import pulumi_sdk
from offline_preview.errors import OfflineRunError
from offline_preview.project_file import check_program
from offline_preview.snapshots import SnapshotIndex, missing_read_message
from offline_preview.stack_files import StackFiles, load_stack_files

STACK_TYPE = "pulumi:pulumi:Stack"


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
    aliases: list[str] = field(default_factory=list)  # URNs this resource had before (Pulumi aliases)
    delete_before_replace: bool = False


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


SECRET_TYPE = "kubernetes:core/v1:Secret"


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
            if args.typ == SECRET_TYPE:
                # A token never enters the preview: the program reads a Secret's type and metadata only.
                live = {key: value for key, value in live.items() if key not in ("data", "stringData")}
            return args.resource_id, live
        # Created objects come back as they were asked for; Kubernetes objects keep their explicit names.
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class _RecordingMonitor(pulumi_sdk.MockMonitor):
    """Keeps what the engine would see of each registration: parent, dependencies, custom, inputs, outputs."""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root Stack's type out of its children's URNs; the mock monitor does not.
        return super().make_urn("" if f"::{STACK_TYPE}::" in parent else parent, type_, name)

    def __init__(self, recorder: _RecordingMocks, on_register: Callable[[RecordedResource], None] | None) -> None:
        super().__init__(recorder)
        self.on_register = on_register
        self.recorded: dict[str, RecordedResource] = {}
        self.stack_outputs: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != STACK_TYPE:
            registration = self.resources[response.urn]
            recorded = RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                inputs=pulumi_sdk.deserialize(request.object),
                dependencies=list(request.dependencies),
                outputs=dict(registration.state) if request.custom else {},
                retain_on_delete=bool(request.retainOnDelete),
                aliases=_alias_urns(request, response.urn),
                delete_before_replace=bool(request.deleteBeforeReplace),
            )
            self.recorded[response.urn] = recorded
            if self.on_register is not None:
                self.on_register(recorded)
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
        outputs = pulumi_sdk.deserialize(request.outputs)
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


def _alias_urns(request: Any, urn: str) -> list[str]:
    """The URNs a registration names as its former selves: computed by the SDK (aliasURNs), or a spec giving
    another type (the engine computes those: same stack, project, parent and name)."""
    found = [str(alias) for alias in request.aliasURNs]
    for alias in request.aliases:
        if alias.HasField("urn"):
            found.append(alias.urn)
        elif alias.HasField("spec") and alias.spec.type:
            head, _, name = urn.rpartition("::")
            prefix, _, qualified = head.rpartition("::")
            types = qualified.split("$")  # the parents' types, then the resource's own
            found.append(f"{prefix}::{'$'.join([*types[:-1], alias.spec.type])}::{alias.spec.name or name}")
    return found


def run_program(
    project_dir: Path,
    stack: str,
    snapshots: SnapshotIndex | None = None,
    files: StackFiles | None = None,
    on_register: Callable[[RecordedResource], None] | None = None,
) -> ProgramRun:
    """Run the project's program (`<project_dir>/__main__.py`, or Pulumi.yaml's `main:`) for `stack` and return
    every resource it registered; `on_register` sees each registration as it happens (from the SDK's worker
    threads), as the engine's analyzers do."""
    project_dir = project_dir.resolve()
    files = files or load_stack_files(project_dir, stack)
    # Pulumi.yaml's `main:` (a folder's __main__.py, or a file), else the project folder's __main__.py, with its
    # folder on the path as the language host runs it (runpy.run_path).
    program = files.program or project_dir / "__main__.py"
    check_program(program, str(project_dir))
    folder = str(program.parent)
    sys.path.insert(0, folder)
    try:
        return run_callable(
            lambda: runpy.run_path(str(program), run_name="__main__"), files, stack, snapshots, on_register
        )
    finally:
        sys.path.remove(folder)


def run_callable(
    program: Callable[[], object],
    files: StackFiles,
    stack: str,
    snapshots: SnapshotIndex | None = None,
    on_register: Callable[[RecordedResource], None] | None = None,
) -> ProgramRun:
    """Run any Pulumi program function (a whole program, or one component for a test) under the mocks."""
    recorder = _RecordingMocks(snapshots or SnapshotIndex())
    monitor = _RecordingMonitor(recorder, on_register)
    warnings = _WarningLog()
    logger = logging.getLogger(f"genai-playground.offline.{stack}")
    logger.propagate = False
    logger.handlers = [warnings]

    loop = _fresh_event_loop()
    pulumi_sdk.install_mocks(
        recorder,
        monitor,
        project=files.project,
        stack=stack,
        config=files.config,
        secret_keys=files.secret_keys,
        logger=logger,
    )
    try:
        pulumi_sdk.run_in_stack(program)
    except Exception as error:
        _abandon(loop)
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


def _abandon(loop: asyncio.AbstractEventLoop) -> None:
    """End what a failed run leaves behind (pending tasks, futures holding the error), quietly. Otherwise each
    reports the error again when collected, and that report, made in the middle of a later `compile`, breaks
    CPython 3.11's AST builder ("AST constructor recursion depth mismatch")."""
    loop.set_exception_handler(lambda _loop, _context: None)
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.wait(pending, timeout=5))


def _root_message(error: BaseException, read_failures: list[str]) -> str:
    if read_failures:
        return read_failures[0]
    if isinstance(error, pulumi.RunError | OfflineRunError):
        return str(error)
    return f"the program failed: {type(error).__name__}: {error}"
