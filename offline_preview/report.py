"""The summary a user reads: shaped like `pulumi preview`, or one JSON document for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from offline_preview.engine import ProgramRun
from offline_preview.plan import PlannedStep, counts, plain
from offline_preview.policy_pack import Violation

LEVEL_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2}


def json_report(run: ProgramRun, steps: list[PlannedStep], violations: Sequence[Violation]) -> str:
    document = {
        "stack": run.stack,
        "resources": [
            {
                "urn": step.resource.urn,
                "type": step.resource.type,
                "name": step.resource.name,
                "parent": step.resource.parent,
                "custom": step.resource.custom,
                "inputs": plain(step.resource.inputs),
            }
            for step in steps
        ],
        "outputs": plain(run.outputs),
        "violations": [violation_json(v) for v in sorted_violations(violations)],
        "summary": {**counts(steps), **violation_counts(violations)},
    }
    return json.dumps(document, indent=2, sort_keys=False)


def text_report(run: ProgramRun, steps: list[PlannedStep], violations: Sequence[Violation], pack_name: str) -> str:
    lines = [f"Previewing update ({run.stack}) offline: Pulumi mocks, no cluster, no CLI", ""]
    lines += _tree(run, steps)
    lines += ["", "Outputs:"]
    for key, value in sorted(run.outputs.items()):
        rendered = json.dumps(plain(value), sort_keys=True, indent=4).replace("\n", "\n    ")
        lines.append(f"    {key}: {rendered}")
    lines += _resource_counts(steps)
    for warning in run.warnings:
        lines.append(f"warning: {warning}")
    lines += ["", *_policy_lines(violations, pack_name, f"{run.project}-{run.stack}")]
    return "\n".join(lines)


def sorted_violations(violations: Sequence[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: (LEVEL_ORDER.get(v.enforcement_level, 3), v.policy, v.urn, v.message))


def violation_json(violation: Violation) -> dict[str, str]:
    return {
        "policy": violation.policy,
        "enforcementLevel": violation.enforcement_level,
        "message": violation.message,
        "urn": violation.urn,
    }


def violation_counts(violations: Sequence[Violation]) -> dict[str, int]:
    levels = [v.enforcement_level for v in violations]
    return {"mandatory": levels.count("mandatory"), "advisory": levels.count("advisory")}


def _tree(run: ProgramRun, steps: list[PlannedStep]) -> list[str]:
    rows = [("+", "pulumi:pulumi:Stack", f"{run.project}-{run.stack}", "create")]
    rows += [(s.symbol, s.branch + s.resource.type, s.resource.name, s.op) for s in steps]
    type_width = max(len(row[1]) for row in rows) + 2
    name_width = max(len(row[2]) for row in rows) + 2
    header = f"     {'Type':<{type_width}}{'Name':<{name_width}}Plan"
    return [header] + [f" {sym}   {typ:<{type_width}}{name:<{name_width}}{op}" for sym, typ, name, op in rows]


def _resource_counts(steps: list[PlannedStep]) -> list[str]:
    summary = counts(steps)
    lines = ["", "Resources:"]
    lines += [
        f"    {sym} {summary[op]} to {op}"
        for sym, op in (("+", "create"), ("~", "patch"), (">", "read"))
        if summary[op]
    ]
    lines += [f"      {kind}: {number}" for kind, number in summary["byKind"].items()]
    return lines


def _policy_lines(violations: Sequence[Violation], pack_name: str, stack_name: str) -> list[str]:
    if not violations:
        return ["Policies:", f"    {pack_name}: no violations" if pack_name else "    skipped (--no-policy-pack)"]
    lines = ["Policies:", f"    {pack_name} (local: policies)"]
    for violation in sorted_violations(violations):
        subject = _subject(violation.urn, stack_name)
        lines.append(f"        - [{violation.enforcement_level}]  {violation.policy}  ({subject})")
        lines += [f"          {line}" for line in violation.message.splitlines()]
    return lines


def _subject(urn: str, stack_name: str) -> str:
    """`type: name` of the resource a violation is about, as pulumi preview prints it."""
    if not urn:
        return f"pulumi:pulumi:Stack: {stack_name}"
    qualified_type, name = urn.split("::")[-2:]
    return f"{qualified_type.rsplit('$', 1)[-1]}: {name}"
