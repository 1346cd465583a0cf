"""Command line: run the program and the policy pack offline, print the plan, exit 0 / 1 / 2.

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 any error (a message naming the file and key,
never a traceback), 128 + N when signal N stopped the run (see processes).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import stat
import sys
import traceback
from pathlib import Path
from typing import Any

from genai_playground.config import PROJECT, ConfigError, config_from_engine
from genai_playground.provider_requirements import engine_config_problems, provider_config
from offline_preview.effects import Cluster, with_kserve_config
from offline_preview.engine import ProgramRun, run_program
from offline_preview.errors import OfflineRunError
from offline_preview.plan import Plan, plan, preview_plan
from offline_preview.policy_check import PolicyCheck
from offline_preview.policy_pack import DEFAULT_CALL_TIMEOUT, PolicyPackError, PolicyPackProcess
from offline_preview.render import check_render_dir, write_render_dir
from offline_preview.report import json_report, markdown_report, text_report
from offline_preview.safe_yaml import read_json_object
from offline_preview.snapshots import SnapshotIndex
from offline_preview.stack_files import StackFiles, load_stack_files
from offline_preview.state import Prior, load_render_dir, load_state
from offline_preview.terminal import escaped

EXIT_OK, EXIT_MANDATORY, EXIT_ERROR = 0, 1, 2
POLICY_CONFIG_MAX_BYTES = 1 << 20
# Set to print the traceback of an internal error (a bug of the offline preview, not of the input).
TRACEBACK_ENV = "OFFLINE_PREVIEW_TRACEBACK"


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
    cli.add_argument(
        "--render-dir",
        type=Path,
        help="write one manifest per object plus kustomization.yaml (a new folder, or one an earlier render wrote:"
        " it is replaced whole; nothing is written when a mandatory policy fails)",
    )
    cli.add_argument("--policy-config", type=Path, help="policy config JSON, as `pulumi preview --policy-config`")
    cli.add_argument("--policy-pack", type=Path, help="policy pack folder (default: <project-dir>/policies)")
    cli.add_argument("--no-policy-pack", action="store_true", help="skip the policy pack (for timing the program)")
    cli.add_argument(
        "--policy-timeout",
        type=_seconds,
        default=DEFAULT_CALL_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline of each call to the policy pack (default: {DEFAULT_CALL_TIMEOUT:g})",
    )
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
        return fail(str(error))
    except Exception as error:  # a bug of ours: still exit 2, never a traceback the user has to read
        if os.environ.get(TRACEBACK_ENV):
            traceback.print_exc()
        return fail(
            f"internal error of the offline preview: {type(error).__name__}: {error}"
            f" (a bug, not your input: please report it; {TRACEBACK_ENV}=1 prints the traceback)"
        )


def run(args: argparse.Namespace) -> int:
    project_dir: Path = args.project_dir.resolve()
    if args.render_dir:
        check_render_dir(args.render_dir)
    policy_config = _read_policy_config(args.policy_config)
    files = load_stack_files(project_dir, args.stack)
    _check_stack_config(files)
    snapshots = SnapshotIndex.from_files(args.snapshot)
    pack = None if args.no_policy_pack else _launched_pack(args, project_dir, files)
    check = PolicyCheck(pack, policy_config) if pack is not None else None
    try:
        return _preview(args, project_dir, files, snapshots, check)
    finally:
        if pack is not None:
            pack.stop()
        if check is not None:
            check.close()


def _launched_pack(args: argparse.Namespace, project_dir: Path, files: StackFiles) -> PolicyPackProcess:
    """The policy pack's process, started before the program runs: it boots on another core meanwhile."""
    pack_dir = (args.policy_pack or project_dir / "policies").resolve()
    pack = PolicyPackProcess(pack_dir, project=files.project, stack=args.stack, call_timeout=args.policy_timeout)
    pack.launch()
    return pack


def _preview(
    args: argparse.Namespace, project_dir: Path, files: StackFiles, snapshots: SnapshotIndex, check: PolicyCheck | None
) -> int:
    result = run_program(project_dir, args.stack, snapshots, files, check.registered if check else None)
    steps = plan(result)
    changes = _compare(args, files, result, snapshots)
    pack_name, violations = ("", []) if check is None else check.finish(result)
    code = EXIT_MANDATORY if any(v.enforcement_level == "mandatory" for v in violations) else EXIT_OK
    text = text_report(result, changes, violations, pack_name)
    # Every output is written whole or not at all, the render first: stdout is only written when all went well.
    # A render is a deploy (GitOps applies what lands in Git): a mandatory violation writes none, and the last
    # render stays as it was.
    if args.render_dir and code == EXIT_MANDATORY:
        note(f"wrote nothing to {args.render_dir}: a mandatory policy failed (the last render there is unchanged)")
    elif args.render_dir:
        written = write_render_dir(args.render_dir, steps)
        note(f"wrote {len(written)} manifests and kustomization.yaml to {args.render_dir}")
    if args.markdown:
        _write(args.markdown, markdown_report(result, changes, text, code))
    write_stdout((json_report(result, changes, violations) if args.json else text) + "\n")
    return code


def _compare(args: argparse.Namespace, files: StackFiles, run: ProgramRun, snapshots: SnapshotIndex) -> Plan:
    """Ops, diffs and cluster effects against --state or --compare-to (or against nothing: a new stack)."""
    prior: Prior | None = None
    if args.state:
        prior = load_state(args.state, run.project, run.stack)
    elif args.compare_to:
        prior = load_render_dir(args.compare_to)
    return preview_plan(run, prior, with_kserve_config(Cluster(snapshots, provider_config(files.config))))


def _write(path: Path, text: str) -> None:
    """Written beside `path`, then renamed into place: never half a file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OfflineRunError(f"--markdown {path}: cannot be written: {error.strerror or error}") from None


def fail(message: str) -> int:
    note(f"error: {message}")
    return EXIT_ERROR


def note(message: str) -> None:
    """Lines on stderr, control characters from the input shown escaped; a closed stderr is no reason to fail."""
    with contextlib.suppress(OSError, ValueError):
        print("\n".join(escaped(line) for line in message.split("\n")), file=sys.stderr, flush=True)


def write_stdout(text: str) -> None:
    """All of `text` or none of it: a full disk (or /dev/full) is an error, and a regular file is cut back to
    where it was, so no half-written document is left."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        sys.stdout.write(text)  # a stream with no file behind it (tests)
        return
    data = text.encode()
    start = _file_position(descriptor)
    try:
        sys.stdout.flush()
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    except OSError as error:
        if start is not None:
            os.ftruncate(descriptor, start)
        raise OfflineRunError(f"cannot write the preview to stdout: {error.strerror or error}") from None


def _file_position(descriptor: int) -> int | None:
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            return os.lseek(descriptor, 0, os.SEEK_CUR)
    except OSError:
        pass
    return None


def _check_stack_config(files: StackFiles) -> None:
    """The program's own config check, run first so that every problem names the stack file. Offline a secret
    is already a placeholder, so every other value can be shown."""
    if files.project != PROJECT or files.stack_file is None:
        return
    try:
        config_from_engine(files.config, (), engine_config_problems(files.config, os.environ, files.stack_file.name))
    except ConfigError as error:
        raise OfflineRunError(f"{files.stack_file}: {error}") from None


def _read_policy_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    return read_json_object(
        path, "--policy-config", "policy config", POLICY_CONFIG_MAX_BYTES, "a JSON object of policy name -> config"
    )


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1
    if not 0 < seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds between 0 and 86400")
    return seconds
