"""Every private piece of the Pulumi Python SDK the offline engine relies on, in one place.

The SDK's mock runtime is public (`pulumi.runtime.set_mocks`, `Mocks`, `MockMonitor`), but running a whole
program under it the way the engine does needs a few internals: resetting the runtime between runs, driving the
program's coroutine to completion, reopening the root Stack (set_mocks finishes it at once) and decoding the
wire structs a registration carries. They are named here only; `check()` says which is gone after an upgrade
(tests/test_pulumi_sdk_adapter.py runs it, so an upgrade that breaks one fails loudly, by name).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

MockMonitor = mocks.MockMonitor

# (what, how to find it): each must exist in the installed SDK.
_REQUIRED: tuple[tuple[str, Callable[[], object]], ...] = (
    ("pulumi.runtime.settings.reset_options", lambda: settings.reset_options),
    ("pulumi.runtime.settings.get_root_resource", lambda: settings.get_root_resource),
    ("pulumi.runtime.sync_await._sync_await", lambda: _sync_await),
    ("pulumi.runtime.stack.run_pulumi_func", lambda: run_pulumi_func),
    ("pulumi.runtime.stack.Stack._finish", lambda: Stack._finish),
    ("pulumi.runtime.rpc.deserialize_properties", lambda: rpc.deserialize_properties),
    ("pulumi.runtime.mocks.MockMonitor.RegisterResource", lambda: MockMonitor.RegisterResource),
    ("pulumi.runtime.mocks.MockMonitor.ReadResource", lambda: MockMonitor.ReadResource),
    ("pulumi.runtime.mocks.MockMonitor.RegisterResourceOutputs", lambda: MockMonitor.RegisterResourceOutputs),
    ("pulumi.runtime.mocks.MockMonitor.make_urn", lambda: MockMonitor.make_urn),
    ("pulumi.runtime.resource._get_stack_trace", lambda: sdk_resource._get_stack_trace),
)


def check() -> list[str]:
    """The internals missing from the installed SDK (empty when the engine can run)."""
    missing = []
    for name, find in _REQUIRED:
        try:
            find()
        except AttributeError:
            missing.append(name)
    return missing


def install_mocks(
    recorder: pulumi.runtime.Mocks,
    monitor: mocks.MockMonitor,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    logger: Any,
) -> None:
    """A fresh runtime (no root Stack or exports left from an earlier run), the config, then the mocks."""
    settings.reset_options()
    set_all_config(config, secret_keys)
    mocks.set_mocks(recorder, project=project, stack=stack, preview=False, logger=logger, monitor=monitor)


def run_in_stack(program: Callable[[], object]) -> None:
    """Run the program to completion, then register the root Stack's exports, as the engine's run does.

    `set_mocks` finishes the root Stack at once, so its outputs are reopened first. The SDK walks the Python stack
    at every registration to tell the engine where in the source the resource was made; no engine reads that
    here, and the walk was a quarter of a 500-model run, so it is left out for the run.
    """

    def body() -> None:
        root = settings.get_root_resource()
        assert isinstance(root, Stack)
        root._outputs_registered = False
        program()
        root._finish()

    source_positions = sdk_resource._get_stack_trace
    sdk_resource._get_stack_trace = source_pb2.StackTrace
    try:
        _sync_await(run_pulumi_func(body))
    finally:
        sdk_resource._get_stack_trace = source_positions


def deserialize(struct: Any) -> dict[str, Any]:
    """A registration's wire struct as plain values (unknowns kept as the SDK's Unknown)."""
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))
