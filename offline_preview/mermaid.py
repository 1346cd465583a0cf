"""The preview as a Mermaid flowchart (GitHub renders it in a job summary): resources by parent, coloured by op.

Unchanged resources below a parent are folded into one node, so a 500-model stack with one change stays
readable; in a large graph, sibling subtrees of one kind and one op (500 new models) fold into one node too, which
keeps it within GitHub's Mermaid limits (500 edges).
"""

from __future__ import annotations

from collections import Counter

from offline_preview.plan import Plan, Row
from offline_preview.terminal import escaped

MAX_NODES = 60

# GitHub's diff colours: green added, amber changed, orange replaced, red removed, grey unchanged, blue read.
CLASSES = {
    "create": "fill:#dafbe1,stroke:#1a7f37,color:#1f2328",
    "update": "fill:#fff8c5,stroke:#9a6700,color:#1f2328",
    "replace": "fill:#ffe7d1,stroke:#bc4c00,color:#1f2328",
    "delete": "fill:#ffebe9,stroke:#cf222e,color:#1f2328",
    "same": "fill:#f6f8fa,stroke:#8c959f,color:#1f2328",
    "read": "fill:#ddf4ff,stroke:#0969da,color:#1f2328",
    "discard": "fill:#f6f8fa,stroke:#cf222e,color:#1f2328",
}


def graph(result: Plan) -> str:
    rows = result.rows
    ids = {row.urn: f"r{index}" for index, row in enumerate(rows)}
    by_urn = {row.urn: row for row in rows}
    keep = _kept(rows)

    def shown_parent(row: Row) -> str:
        """The nearest drawn ancestor (the root Stack at least)."""
        urn = row.parent
        while urn in by_urn and urn not in keep:
            urn = by_urn[urn].parent
        return ids.get(urn, "r0")

    groups = _groups(rows, keep) if len(keep) > MAX_NODES else {}
    members = {urn for group in groups.values() for urn in group}
    grouped = {row.urn for row in rows if _under(row, members, by_urn)}
    keep -= grouped
    lines = ["flowchart LR"]
    folded: Counter[str] = Counter()
    for index, row in enumerate(rows):
        if index and row.urn not in keep:
            folded[shown_parent(row)] += row.urn not in grouped
            continue
        lines.append(f'  {ids[row.urn]}["{_label(row)}"]:::{row.op}')
        if index:
            lines.append(f"  {shown_parent(row)} --> {ids[row.urn]}")
    for number, ((parent, kind, op), members) in enumerate(groups.items()):
        node = f"g{number}"
        lines.append(f'  {node}["{len(members)} x {kind}<br/>(with what they hold)<br/><i>{op}</i>"]:::{op}')
        lines.append(f"  {ids.get(parent, 'r0')} --> {node}")
    for parent, count in folded.items():
        if count:
            lines.append(f'  {parent}_same["{count} unchanged"]:::same')
            lines.append(f"  {parent} -.-> {parent}_same")
    lines += [f"  classDef {op} {style}" for op, style in CLASSES.items()]
    return "\n".join(lines)


def _kept(rows: list[Row]) -> set[str]:
    """The root, every changed resource and its ancestors."""
    by_urn = {row.urn: row for row in rows}
    keep = {rows[0].urn} if rows else set()
    for row in rows:
        urn = row.urn if row.op != "same" else ""
        while urn in by_urn and urn not in keep:
            keep.add(urn)
            urn = by_urn[urn].parent
    return keep


def _groups(rows: list[Row], keep: set[str]) -> dict[tuple[str, str, str], set[str]]:
    """Top-most subtrees whose resources all share one op, grouped by parent, kind and op (two or more)."""
    children: dict[str, list[Row]] = {}
    for row in rows[1:]:
        children.setdefault(row.parent, []).append(row)

    def uniform(row: Row) -> bool:
        return all(child.op == row.op and uniform(child) for child in children.get(row.urn, []))

    by_urn = {row.urn: row for row in rows[1:]}
    candidates: dict[tuple[str, str, str], set[str]] = {}
    for row in rows[1:]:
        parent = by_urn.get(row.parent)
        if parent is not None and parent.op == row.op and uniform(parent):
            continue  # the parent's subtree holds this one
        if row.urn in keep and uniform(row):
            key = (row.parent, row.type.rsplit(":", 1)[-1], row.op)
            candidates.setdefault(key, set()).add(row.urn)
    return {key: members for key, members in candidates.items() if len(members) > 1}


def _under(row: Row, members: set[str], by_urn: dict[str, Row]) -> bool:
    """The row is a group member or below one."""
    urn = row.urn
    while urn in by_urn:
        if urn in members:
            return True
        urn = by_urn[urn].parent
    return False


def _label(row: Row) -> str:
    kind = row.type.rsplit(":", 1)[-1]
    text = f"{kind}<br/>{row.name}" + ("" if row.op == "same" else f"<br/><i>{row.op}</i>")
    return escaped(text).replace('"', "#quot;")
