"""The summary a user reads: shaped like `pulumi preview --diff`, one JSON document for scripts, or Markdown for a
pull request's job summary (the text plus a Mermaid graph GitHub renders)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from offline_preview.engine import ProgramRun
from offline_preview.mermaid import graph
from offline_preview.plan import SUMMARY_OPS, SYMBOLS, Plan, Row, counts, plain
from offline_preview.policy_pack import Violation
from offline_preview.terminal import escaped

LEVEL_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2}


def json_report(run: ProgramRun, result: Plan, violations: Sequence[Violation]) -> str:
    document = {
        "stack": run.stack,
        "comparedTo": result.compared_to,
        "resources": [_row_json(row) for row in result.rows],
        "outputs": plain(run.outputs),
        "outputsDiff": [change.as_json() for change in result.outputs_diff],
        "warnings": warnings(run, result),
        "violations": [violation_json(v) for v in sorted_violations(violations)],
        "summary": {**counts(result.rows), **violation_counts(violations)},
    }
    return json.dumps(document, indent=2, sort_keys=False)


def _row_json(row: Row) -> dict[str, Any]:
    return {
        "urn": row.urn,
        "type": row.type,
        "name": row.name,
        "parent": row.parent,
        "custom": row.custom,
        "op": row.op,
        "diff": [change.path for change in row.diff],
        "replaces": list(row.replaces),
        "changes": [change.as_json() for change in row.diff],
        "effects": [effect.as_json() for effect in row.effects],
        "inputs": row.inputs,
    }


def warnings(run: ProgramRun, result: Plan) -> list[str]:
    return [*run.warnings, *result.warnings]


def text_report(run: ProgramRun, result: Plan, violations: Sequence[Violation], pack_name: str) -> str:
    lines = [f"Previewing update ({run.stack}) offline: Pulumi mocks, no cluster, no CLI"]
    lines.append(f"Compared with: {result.compared_to or 'nothing (a new stack)'}")
    lines += ["", *_tree(result.rows)]
    details = _details(result.rows)
    if details:
        lines += ["", "Changes:", *details]
    lines += ["", "Outputs:", *_outputs(run, result)]
    lines += _resource_counts(result.rows)
    notes = warnings(run, result)
    if notes:
        lines += ["", "Warnings:", *(f"    warning: {note}" for note in notes)]
    lines += ["", *_policy_lines(violations, pack_name, result.stack_name)]
    # Each entry is one line: names, URNs, values and messages from a stack export or a snapshot may hold
    # control characters (an ESC sequence, a CR, a newline that fakes a line), all shown escaped.
    return "\n".join(escaped(line) for line in lines)


def markdown_report(run: ProgramRun, result: Plan, text: str, exit_code: int) -> str:
    """A pull request's job summary: the preview as text and its resources as a graph coloured by op."""
    return "\n".join(
        [
            f"### Offline preview: `{run.stack}` (exit {exit_code})",
            "",
            "```",
            text,
            "```",
            "",
            "```mermaid",
            graph(result),
            "```",
            "",
        ]
    )


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


def _visible(rows: Sequence[Row]) -> list[Row]:
    """As `pulumi preview` shows them: unchanged resources only when something below them changes."""
    changed_parents = set()
    by_urn = {row.urn: row for row in rows}
    for row in rows:
        if row.op != "same":
            parent = row.parent
            while parent in by_urn:
                changed_parents.add(parent)
                parent = by_urn[parent].parent
    return [row for index, row in enumerate(rows) if index == 0 or row.op != "same" or row.urn in changed_parents]


def _tree(rows: Sequence[Row]) -> list[str]:
    shown = _visible(rows)
    table = [
        (row.symbol, row.branch + row.type, row.name, "" if row.op == "same" else row.op, row.info()) for row in shown
    ]
    type_width = max(len(entry[1]) for entry in table) + 2
    name_width = max(len(entry[2]) for entry in table) + 2
    header = f"     {'Type':<{type_width}}{'Name':<{name_width}}{'Plan':<9}Info"
    body = [
        f" {sym}  {typ:<{type_width}}{name:<{name_width}}{op:<9}{info}".rstrip() for sym, typ, name, op, info in table
    ]
    hidden = len(rows) - len(shown)
    return [header, *body, *([f"     ({hidden} unchanged not shown; --json lists every resource)"] if hidden else [])]


def _details(rows: Sequence[Row]) -> list[str]:
    """`pulumi preview --diff`: each changed resource, its changed fields (creates: their effects only)."""
    lines = []
    for row in rows:
        if row.op == "same" or (row.op in ("create", "read") and not row.effects):
            continue
        lines.append(f"  {row.symbol}{row.type}: ({row.op})")
        lines.append(f"        [urn={row.urn}]")
        if row.replaces:
            lines.append(f"        [replace: {', '.join(row.replaces)}]")
        lines += [f"      {change.text()}" for change in row.diff]
        lines += [f"      => {effect.message}" for effect in row.effects]
    return lines


def _outputs(run: ProgramRun, result: Plan) -> list[str]:
    changed = {str(change.segments[0]): change.symbol for change in result.outputs_diff if change.segments}
    lines = []
    for key, value in sorted(run.outputs.items()):
        first, *rest = json.dumps(plain(value), sort_keys=True, indent=4).split("\n")
        lines.append(f"  {changed.get(key, ' ')} {key}: {first}")
        lines += [f"      {line}" for line in rest]
    for key, symbol in changed.items():
        if symbol == "-":
            lines.append(f"  - {key}")
    return lines


def _resource_counts(rows: Sequence[Row]) -> list[str]:
    summary = counts(list(rows))
    lines = ["", "Resources:"]
    lines += [f"    {SYMBOLS[op]}{summary[op]} to {op}" for op in SUMMARY_OPS if summary[op]]
    pieces = []
    if sum(1 for op in SUMMARY_OPS if summary[op]) >= 2:
        pieces.append(f"{summary['changes']} changes")
    if summary["same"]:
        pieces.append(f"{summary['same']} unchanged")
    if pieces:
        lines.append("    " + ". ".join(pieces))
    return lines


def _policy_lines(violations: Sequence[Violation], pack_name: str, stack_name: str) -> list[str]:
    if not violations:
        return ["Policies:", f"    {pack_name}: no violations" if pack_name else "    skipped (--no-policy-pack)"]
    lines = ["Policies:", f"    {pack_name} (local: policies)"]
    for violation in sorted_violations(violations):
        subject = _subject(violation.urn, stack_name)
        lines.append(f"        - [{violation.enforcement_level}]  {violation.policy}  ({subject})")
        lines += [f"          {line}" for line in violation.message.split("\n")]
    return lines


def _subject(urn: str, stack_name: str) -> str:
    """`type: name` of the resource a violation is about, as pulumi preview prints it."""
    if not urn:
        return f"pulumi:pulumi:Stack: {stack_name}"
    qualified_type, name = urn.split("::")[-2:]
    return f"{qualified_type.rsplit('$', 1)[-1]}: {name}"
