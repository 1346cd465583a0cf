"""Command line: run the program and the policy pack offline, print the plan, exit 0 / 1 / 2."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path
from typing import Any

from offline_preview.effects import Cluster, with_kserve_config
from offline_preview.engine import ProgramRun, run_program
from offline_preview.errors import OfflineRunError
from offline_preview.plan import Plan, plan, preview_plan
from offline_preview.policy_check import check_policies
from offline_preview.policy_pack import PolicyConfigError, PolicyPackError
from offline_preview.render import write_render_dir
from offline_preview.report import json_report, markdown_report, text_report
from offline_preview.snapshots import SnapshotIndex
from offline_preview.stack_files import load_stack_files
from offline_preview.state import Prior, load_render_dir, load_state

EXIT_OK, EXIT_MANDATORY, EXIT_ERROR = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m offline_preview",
        description="Run the Pulumi program and its CrossGuard policy pack with no cluster and no Pulumi CLI.",
    )
    cli.add_argument("--stack", required=True, help="stack name: reads Pulumi.<STACK>.yaml")
    cli.add_argument("--project-dir", type=Path, default=Path.cwd(), help="folder with Pulumi.yaml (default: .)")
    cli.add_argument(
        "--snapshot",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="`oc get <kind> -n NS -o yaml` output that answers the program's reads (repeatable)",
    )
    cli.add_argument("--render-dir", type=Path, help="write one manifest per object plus kustomization.yaml")
    cli.add_argument("--policy-config", type=Path, help="policy config JSON, as `pulumi preview --policy-config`")
    cli.add_argument("--policy-pack", type=Path, help="policy pack folder (default: <project-dir>/policies)")
    cli.add_argument("--no-policy-pack", action="store_true", help="skip the policy pack (for timing the program)")
    cli.add_argument("--json", action="store_true", help="print one JSON document instead of the summary")
    deployed = cli.add_mutually_exclusive_group()
    deployed.add_argument(
        "--state", type=Path, metavar="FILE", help="compare with the deployed stack: `pulumi stack export` output"
    )
    deployed.add_argument(
        "--compare-to", type=Path, metavar="DIR", help="compare with an earlier --render-dir (e.g. of the base branch)"
    )
    cli.add_argument(
        "--markdown", type=Path, metavar="FILE", help="also write the preview and a Mermaid graph as Markdown"
    )
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # A short-lived process building one object graph: full collections over it only cost time (they made
    # 500 models twice as slow per model as 50).
    gc.set_threshold(100_000, 50, 100)
    try:
        return run(args)
    except (OfflineRunError, PolicyPackError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR


def run(args: argparse.Namespace) -> int:
    project_dir: Path = args.project_dir.resolve()
    snapshots = SnapshotIndex.from_files(args.snapshot)
    result = run_program(project_dir, args.stack, snapshots)
    steps = plan(result)
    changes = _compare(args, project_dir, result, snapshots)
    pack_dir = (args.policy_pack or project_dir / "policies").resolve()
    policy_config = _read_policy_config(args.policy_config)
    pack_name, violations = ("", []) if args.no_policy_pack else check_policies(pack_dir, result, policy_config)
    if args.render_dir:
        write_render_dir(args.render_dir, steps)
    code = EXIT_MANDATORY if any(v.enforcement_level == "mandatory" for v in violations) else EXIT_OK
    text = text_report(result, changes, violations, pack_name)
    if args.markdown:
        _write(args.markdown, markdown_report(result, changes, text, code))
    print(json_report(result, changes, violations) if args.json else text)
    return code


def _compare(args: argparse.Namespace, project_dir: Path, run: ProgramRun, snapshots: SnapshotIndex) -> Plan:
    """Ops, diffs and cluster effects against --state or --compare-to (or against nothing: a new stack)."""
    prior: Prior | None = None
    if args.state:
        prior = load_state(args.state, run.project, run.stack)
    elif args.compare_to:
        prior = load_render_dir(args.compare_to)
    config = load_stack_files(project_dir, args.stack).config
    prefix = "kubernetes:"  # the default provider's config, as the engine hands it to the provider
    provider = {key.removeprefix(prefix): value for key, value in config.items() if key.startswith(prefix)}
    return preview_plan(run, prior, with_kserve_config(Cluster(snapshots, provider)))


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError as error:
        raise OfflineRunError(f"--markdown {path}: cannot be written: {error}") from None


def _read_policy_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise PolicyConfigError(f"--policy-config {path}: not a readable JSON file: {error}") from None
    if not isinstance(config, dict):
        raise PolicyConfigError(f"--policy-config {path}: must be a JSON object of policy name -> config")
    return config
