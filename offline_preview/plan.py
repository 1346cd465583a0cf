"""What a recorded run would do to a cluster, in the order and words of `pulumi preview`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from offline_preview.engine import ProgramRun, RecordedResource


@dataclass(frozen=True)
class PlannedStep:
    resource: RecordedResource
    depth: int
    op: str  # create | patch | read
    branch: str = ""  # tree drawing, as `pulumi preview` prints it: "├─ ", "│  └─ "

    @property
    def symbol(self) -> str:
        return {"create": "+", "patch": "~", "read": ">"}[self.op]


def operation(resource: RecordedResource) -> str:
    if resource.read:
        return "read"
    # pulumi-kubernetes Patch resources apply fields to an object someone else owns.
    return "patch" if resource.custom and resource.type.endswith("Patch") else "create"


def plan(run: ProgramRun) -> list[PlannedStep]:
    """Depth-first over the parent tree, siblings by type and name: stable whatever the registration order."""
    known = {resource.urn for resource in run.resources}
    children: dict[str, list[RecordedResource]] = {}
    for resource in run.resources:
        parent = resource.parent if resource.parent in known else ""
        children.setdefault(parent, []).append(resource)

    def walk(parent: str, depth: int, indent: str) -> Iterator[PlannedStep]:
        siblings = sorted(children.get(parent, []), key=lambda r: (r.type, r.name))
        for index, resource in enumerate(siblings):
            last = index == len(siblings) - 1
            yield PlannedStep(resource, depth, operation(resource), indent + ("└─ " if last else "├─ "))
            yield from walk(resource.urn, depth + 1, indent + ("   " if last else "│  "))

    return list(walk("", 0, ""))


def counts(steps: list[PlannedStep]) -> dict[str, Any]:
    by_op = Counter(step.op for step in steps)
    by_kind = Counter(step.resource.type.rsplit(":", 1)[-1] for step in steps)
    return {
        "create": by_op["create"],
        "patch": by_op["patch"],
        "read": by_op["read"],
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
