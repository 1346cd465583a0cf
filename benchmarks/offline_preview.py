"""Benchmark: wall time and peak memory of the offline preview for generated stacks of 5, 50 and 500 models.

Run: .venv/bin/python benchmarks/offline_preview.py [--sizes 5 50 500] [--repeat 5] [--releases 3.0 3.4]
Each run is a fresh `python -m offline_preview` process, measured from outside: wall clock, and the peak
RSS of the largest process of the run (the preview or the policy pack it starts), with the policy pack and
without it (--no-policy-pack).

Targets: the 5-model dev stack with the pack, and a 5-model stack of every supported RHOAI release with the pack,
each at most 1.5x a bare `python -c "import pulumi_kubernetes.core.v1, pulumi_kubernetes.apiextensions"` (what
any program using these resources imports), measured in the same run, interleaved, best of --repeat; 500 models
with the pack <= 3 s (RHOAI 3.0).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PROGRAM_FILES = ["Pulumi.yaml", "__main__.py", "components", "genai_playground", "policies", "offline_preview"]


def stack_file(models: int, release: str = "3.0") -> dict[str, object]:
    """A stack of `models` vLLM models that the policy pack passes (every check has work to do)."""
    entries = [
        {
            "name": f"model-{index:04d}",
            "displayName": f"Model {index}",
            "useCase": "chat assistant",
            "gpus": 1,
            "contextLength": 16384,
            "maxTokens": 4096,
        }
        for index in range(models)
    ]
    return {
        "config": {
            "kubernetes:enablePatchForce": "true",
            "genai-playground:release": release,
            "genai-playground:namespace": "bench",
            "genai-playground:models": entries,
        }
    }


def project(directory: Path, models: int, releases: tuple[str, ...] = ("3.0",)) -> str:
    """The program and one stack per release (`bench<models>`, then `bench<models>-<release>`); the first's name."""
    for name in PROGRAM_FILES:
        (directory / name).symlink_to(REPO / name)
    stacks = [f"bench{models}" if index == 0 else f"bench{models}-{r}" for index, r in enumerate(releases)]
    for stack, release in zip(stacks, releases, strict=True):
        (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(stack_file(models, release)))
    return stacks[0]


# Runs the command and prints the peak RSS (KiB) of its largest process: RUSAGE_CHILDREN covers every
# descendant that was waited for, the policy pack included.
PEAK_RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def measure(directory: Path, stack: str, with_pack: bool) -> tuple[float, float, int]:
    command = [
        sys.executable,
        "-m",
        "offline_preview",
        "--stack",
        stack,
        "--project-dir",
        str(directory),
        "--json",
    ]
    if not with_pack:
        command.append("--no-policy-pack")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_WRAPPER, *command], cwd=REPO, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    peak_kib, code = (int(part) for part in result.stdout.split())
    if code not in (0, 1):
        raise SystemExit(f"{stack}: offline preview exited {code}: {result.stderr}")
    return wall, peak_kib / 1024, code


BARE_IMPORT = "import pulumi_kubernetes.core.v1, pulumi_kubernetes.apiextensions"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def dev_stack_ratio(repeat: int) -> None:
    """The dev stack with the pack against the bare import, interleaved so both see the same machine."""
    preview = [sys.executable, "-m", "offline_preview", "--stack", "dev", "--project-dir", str(REPO)]
    bare, full = [], []
    for _ in range(repeat):
        bare.append(timed([sys.executable, "-c", BARE_IMPORT]))
        full.append(timed(preview))
    ratio = min(full) / min(bare)
    print(f"bare import {min(bare):.2f} s; dev preview with the pack {min(full):.2f} s", end="; ")
    print(f"ratio {ratio:.2f} (target <= 1.5)")


def release_ratios(repeat: int, releases: list[str]) -> None:
    """A 5-model stack of each release with the pack against the bare import, interleaved in one loop."""
    directory = Path(tempfile.mkdtemp(prefix="genai-bench-"))
    try:
        for name in PROGRAM_FILES:
            (directory / name).symlink_to(REPO / name)
        for release in releases:
            (directory / f"Pulumi.rhoai-{release}.yaml").write_text(yaml.safe_dump(stack_file(5, release)))
        bare: list[float] = []
        full: dict[str, list[float]] = {release: [] for release in releases}
        for _ in range(repeat):
            bare.append(timed([sys.executable, "-c", BARE_IMPORT]))
            for release in releases:
                preview = [sys.executable, "-m", "offline_preview", "--stack", f"rhoai-{release}"]
                full[release].append(timed([*preview, "--project-dir", str(directory)]))
        print(f"bare import {min(bare):.2f} s; 5 models with the pack, per release:")
        for release in releases:
            print(f"  RHOAI {release}: {min(full[release]):.2f} s, ratio {min(full[release]) / min(bare):.2f}")
    finally:
        shutil.rmtree(directory)


def main() -> None:
    from genai_contract.releases import SUPPORTED

    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--sizes", type=int, nargs="+", default=[5, 50, 500])
    cli.add_argument("--repeat", type=int, default=5, help="runs per case; the best wall time is reported")
    cli.add_argument("--releases", nargs="+", default=list(SUPPORTED), help="RHOAI releases of the 5-model ratio")
    args = cli.parse_args()
    dev_stack_ratio(args.repeat)
    release_ratios(args.repeat, args.releases)
    print(f"{'models':>7} {'policy pack':>12} {'wall s (best)':>14} {'peak RSS MB':>12} {'ms/model':>9} {'exit':>5}")
    for models in args.sizes:
        directory = Path(tempfile.mkdtemp(prefix="genai-bench-"))
        try:
            stack = project(directory, models)
            for with_pack in (True, False):
                runs = [measure(directory, stack, with_pack) for _ in range(args.repeat)]
                wall = min(run[0] for run in runs)
                peak = max(run[1] for run in runs)
                print(
                    f"{models:>7} {'with' if with_pack else 'without':>12} {wall:>14.2f} {peak:>12.0f}"
                    f" {1000 * wall / models:>9.1f} {runs[-1][2]:>5}"
                )
        finally:
            shutil.rmtree(directory)


if __name__ == "__main__":
    main()
