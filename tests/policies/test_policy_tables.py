"""The policy table is written twice (the project README and the pack's own, published with it): both say the same,
and both list every policy of the pack with its default level and kind."""

from __future__ import annotations

from genai_policies import ALL_POLICIES
from pulumi_policy import StackValidationPolicy

from tests.conftest import REPO


def policy_rows(readme: str) -> dict[str, list[str]]:
    """Policy name -> the other cells of its row, for rows whose third cell is a policy kind."""
    rows = [line.split(" | ") for line in readme.splitlines() if line.startswith("| `")]
    return {
        row[0].removeprefix("| `").removesuffix("`"): [cell.strip(" |") for cell in row[1:]]
        for row in rows
        if len(row) > 2 and row[2] in ("stack", "resource")
    }


def test_both_readmes_have_the_same_policy_table() -> None:
    project = policy_rows((REPO / "README.md").read_text())
    pack = policy_rows((REPO / "policies" / "README.md").read_text())
    assert project == pack


def test_the_table_lists_every_policy_with_its_level_and_kind() -> None:
    rows = policy_rows((REPO / "policies" / "README.md").read_text())
    expected = {
        policy.name: [
            str(policy.enforcement_level.value),
            "stack" if isinstance(policy, StackValidationPolicy) else "resource",
        ]
        for policy in ALL_POLICIES
    }
    assert {name: cells[:2] for name, cells in rows.items()} == expected
