"""Run the real policy pack over a program run, the way the engine drives it (gRPC Analyzer)."""

from __future__ import annotations

import queue
import threading
from typing import Any

from offline_preview.engine import ProgramRun, RecordedResource
from offline_preview.policy_pack import (
    AnalyzedResource,
    PolicyPackProcess,
    Violation,
    resolve_policy_config,
)


class PolicyCheck:
    """One `pulumi preview` of the pack, as the engine runs it: each resource is analyzed (its inputs) while the
    program is still registering others, the whole stack (every resource's outputs) once the program is done.

    A thread feeds registrations to the pack, so the pack (its own process) works beside the program. The pack
    is stopped by whoever launched it; `close` ends the thread whatever happened to the program.
    """

    _DONE = None

    def __init__(self, pack: PolicyPackProcess, user_config: dict[str, Any]) -> None:
        self.pack = pack
        self.user_config = user_config
        self._registered: queue.SimpleQueue[AnalyzedResource | None] = queue.SimpleQueue()
        self._found: list[Violation] = []
        self._error: BaseException | None = None
        self._worker = threading.Thread(target=self._analyze_registrations, name="policy-check", daemon=True)
        self._worker.start()

    def registered(self, resource: RecordedResource) -> None:
        """Called for each registration (reads are the cluster's own objects: the engine does not analyze them)."""
        if not resource.read:
            self._registered.put(_analyzed(resource, resource.inputs))

    def close(self) -> None:
        """No more registrations: the thread analyzes what it has, then ends (at once if it failed)."""
        self._registered.put(self._DONE)
        self._worker.join()

    def finish(self, run: ProgramRun) -> tuple[str, list[Violation]]:
        """The violations of the resources (in registration order), then of the stack; "name@vversion" of the pack."""
        self.close()
        if self._error is not None:
            raise self._error
        info = self.pack.info()
        stack = [_analyzed(r, r.outputs) for r in run.resources]
        return f"{info.name}@v{info.version}", self._found + self.pack.analyze_stack(stack)

    def _analyze_registrations(self) -> None:
        try:
            self.pack.configure(resolve_policy_config(self.pack.info(), self.user_config))
            self._found = self.pack.analyze_all(iter(self._registered.get, self._DONE))
        except BaseException as error:  # handed to finish(), which raises it in the main thread
            self._error = error  # later registrations stay in the queue, unread


def _analyzed(resource: RecordedResource, properties: dict[str, Any]) -> AnalyzedResource:
    return AnalyzedResource(
        type=resource.type,
        urn=resource.urn,
        name=resource.name,
        properties=properties,
        parent=resource.parent,
        dependencies=sorted(resource.dependencies),
    )
