"""Benchmark: the offline preview with a whole cluster's export as `--snapshot`.

Run: .venv/bin/python benchmarks/large_snapshot.py [--megabytes 75] [--repeat 3]
(the default, 75 "megabytes" of objects, writes a file of about 84 MB: YAML's own indentation and quoting).
Writes an `oc get all -A -o yaml`-shaped List of that size (Pods with labels, env and conditions, then the
InferenceService, predictor Service and ServingRuntime the stack reads), then times fresh preview processes
that read it (best of `--repeat`; peak RSS of the run), without the policy pack: the snapshot is measured.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.offline_preview import PEAK_RSS_WRAPPER, PROGRAM_FILES  # noqa: E402
from tests.support.isvc_snapshots import live_model  # noqa: E402

STACK = {
    "config": {
        "kubernetes:enablePatchForce": "true",
        "genai-playground:release": "3.0",
        "genai-playground:namespace": "private-ai",
        "genai-playground:models": [{"name": "devstral-2", "useCase": "agentic coding", "discover": True}],
    }
}


def pod(index: int) -> dict[str, Any]:
    container = {
        "name": "server",
        "image": "quay.io/example/server:1.0",
        "args": [f"--flag-{flag}=value" for flag in range(20)],
        "env": [{"name": f"VARIABLE_{variable}", "value": "v" * 30} for variable in range(20)],
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"pod-{index}",
            "namespace": f"team-{index % 50}",
            "labels": {f"label-{label}": "value" for label in range(10)},
            "annotations": {"note": "x" * 400},
        },
        "spec": {"containers": [container] * 3},
        "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]},
    }


def write_snapshot(path: Path, megabytes: int) -> int:
    """About `megabytes` of YAML; returns the size written."""
    per_pod = len(yaml.safe_dump(pod(0)))
    items = [pod(index) for index in range(megabytes * 1024 * 1024 // per_pod)]
    items.extend(live_model("devstral-2", ["--max-model-len=32768"]))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w") as stream:
        yaml.dump({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {}}, stream, Dumper=dumper)
    return path.stat().st_size


def measure(project: Path, snapshot: Path) -> tuple[float, float]:
    command = [sys.executable, "-m", "offline_preview", "--stack", "bench", "--project-dir", str(project)]
    command += ["--snapshot", str(snapshot), "--no-policy-pack", "--json"]
    started = time.perf_counter()
    wrapped = [sys.executable, "-c", PEAK_RSS_WRAPPER, *command]
    result = subprocess.run(wrapped, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak_kib, code = (int(part) for part in result.stdout.split())
    if code != 0:
        raise SystemExit(f"offline preview exited {code}: {result.stderr}")
    return wall, peak_kib / 1024


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--megabytes", type=int, default=75)
    cli.add_argument("--repeat", type=int, default=3)
    args = cli.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="genai-bench-snapshot-"))
    try:
        for name in PROGRAM_FILES:
            (directory / name).symlink_to(REPO / name)
        (directory / "Pulumi.bench.yaml").write_text(yaml.safe_dump(STACK))
        snapshot = directory / "cluster.yaml"
        size = write_snapshot(snapshot, args.megabytes)
        runs = [measure(directory, snapshot) for _ in range(args.repeat)]
        wall, peak = min(run[0] for run in runs), max(run[1] for run in runs)
        print(f"snapshot {size / 1e6:.1f} MB: best {wall:.2f} s, peak RSS {peak:.0f} MB")
    finally:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
