"""Fuzz: mutated stack files, project files (Pulumi.yaml), snapshots, named pipes (FIFOs) in place of inputs
and terminal escape sequences in values, through the offline preview's command line.

Seeded and bounded by a case count. For every case: no exception escapes, no traceback and no internal error on
stderr, the run ends (a FIFO never blocks it), the exit code is 0, 1 or 2, no ciphertext is printed or written,
no control character but a newline reaches stderr or the text report, and
- exit 2: one `error:` message, nothing on stdout, nothing rendered;
- exit 1: a mandatory violation, and nothing rendered (a blocked render never reaches Git);
- exit 0: the render is a valid deployment of exactly the stack's models: every custom resource valid
  against its CRD, run.yaml loads with one vLLM provider and model per configured model, and no object is over
  a Kubernetes limit (a ConfigMap's 1 MiB, annotations' 256 KiB, int32 replicas).
The cases with the policy pack run as separate processes, where exit 1 (a mandatory violation) also occurs.
Run with `-s` to see the counts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from genai_playground.config import config_from_engine
from genai_playground.model_base import INT32_MAX
from offline_preview.cli import main
from offline_preview.render import RENDER_MARK_FILE
from offline_preview.stack_files import load_stack_files
from tests.conftest import REPO
from tests.support import crd_schema
from tests.support.isvc_snapshots import live_model

SEED = 1515
CASES = 200  # in-process, without the pack
PACK_CASES = 10  # separate processes, with the pack
PROGRAM_FILES = ["Pulumi.yaml", "__main__.py", "components", "genai_playground", "policies", "offline_preview"]
CIPHERTEXT = "v1:Q0lQSEVSVEVYVC1NQVJL"
ANNOTATIONS_MAX_BYTES = 256 * 1024
CONFIG_MAP_MAX_BYTES = 1 << 20

VALUES: list[Any] = [
    True, False, None, 0, -1, 1, 7, 4096, 16384, 2**31, 2**63, 1.5, 8192.0, "", " ", "x" * 300, "8192", "08",
    "true", "yes", "123", "Private-AI", "a-b", "${env.VLLM_API_TOKEN_X}", "Mistral 😀", "\u202eevil", "http://x/v1",
    "https://models.example.com/v1", "headed", "clusterip", [], {}, [1, [2, [3]]], {"secure": CIPHERTEXT},
    {"name": "s", "key": {"secure": CIPHERTEXT}}, {"name": "UPPER"}, {"cpu": "1", "memory": "1Gi"},
    {"enabled": True}, {"rag": False, "replicas": 2}, {"manage": True},
    # Terminal escapes: they must never reach a terminal raw.
    "\x1b[2J", "a\rb", "nul\x00", "\x1b]0;title\x07", "two\nlines", "\x9b31m", "x\u2028y",
]  # fmt: skip
SNIPPETS = [
    "x: 2024-01-01", "x: !!set {a, b}", "x: !!binary aGVsbG8=", "x: !!omap [a: 1]", "x: .inf", "x: &a [1, 2]",
    "y: *a", "y: *missing", "<<: {gpus: 2}", "x: " + "[" * 200 + "]" * 200, "\tx: 1", "x: [1, 2", "'x: 1",
    "name: duplicate", "maxTokens: 1", "---", "? [a]\n: 1", "x: !custom 1", "x: " + "9" * 5000, "x: {a: 1, a: 2}",
    'a: &a ["l","l","l","l","l","l","l","l","l"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
    'name: "\\e[2J\\a"', 'displayName: "\\x1b]0;owned\\x07"', 'x: "\\r\\0"',
]  # fmt: skip
# Pulumi.yaml as users write it, and as the engine refuses it (pulumi/pulumi sdk/go/common/workspace/project.go).
PROJECT_FILES = [
    "name: genai-playground\nruntime: python\n",
    "name: genai-playground\nruntime: {name: python, options: {virtualenv: venv}}\n"
    "config:\n  namespace: {default: from-project}\n",
    "name: genai-playground\nruntime: python\n"
    "config:\n  genai-playground:namespace: private-ai\n  kubernetes:enablePatchForce: 'true'\n",
    "name: genai-playground\nruntime: python\nmain: app\n",
    "name: genai-playground\nruntime: python\nmain: app/__main__.py\n",
    "name: genai-playground\nruntime: python\nstackConfigDir: stacks\n",
    "name: genai-playground\nruntime: nodejs\n",
    "name: genai-playground\n",
    "name: genai-playground\nruntime: python\nmain: /etc\n",
    "name: genai-playground\nruntime: python\nmain: ../\n",
    "name: genai-playground\nruntime: python\nmain: missing\n",
    "name: genai-playground\nruntime: python\nconfig:\n  namespace: {type: integer}\n",
    "name: genai-playground\nruntime: python\nconfig:\n  namespace: {default: a, value: b}\n",
    "name: genai-playground\nruntime: python\nconfig:\n  token: {type: string, secret: true}\n",
    "name: genai-playground\nruntime: python\nconfig:\n  kubernetes:context: {default: x}\n",
    "name: genai-playground\nruntime: python\nconfig: [x]\n",
    "name: genai-playground\nruntime: python\nconfig:\n  n: 1.5\n",
    'name: "\\e[2J"\nruntime: python\n',
]
# Where a named pipe with no writer takes an input's place.
FIFO_PLACES = ["snapshot", "policy-config", "state", "render-dir", "stack-file", "project-file"]
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
BYTES = [b"\xff", b"\xc3", b"\x00", b"\xef\xbb\xbf", b"\r", b"\x85", b"\xe2\x80\xae"]


# ------------------------------------------------------------------------------------------ mutations


def dev_config() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    return document


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replace_at(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return document


HOSTILE = ["replace", "replace", "drop", "add", "double", "tokens", "discover", "many"]
# For the cases with the pack: mostly valid stacks, so that its verdicts (exit 0 or 1) are reached too.
GENTLE = ["tokens", "tokens", "discover", "many", "replace"]


def structural(chooser: random.Random, document: Any, kinds: list[str]) -> Any:
    """Change the parsed stack file: a value replaced, a key dropped or added, a model doubled or broken."""
    models = model_entries(document)
    kind = chooser.choice(kinds if models else ["replace"])
    if kind == "replace":
        return replace_at(document, chooser.choice(paths(document)[1:]), chooser.choice(VALUES))
    if kind == "drop":
        path = chooser.choice([p for p in paths(document) if len(p) >= 2])
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        del parent[path[-1]]
    elif kind == "add":
        target = chooser.choice([document["config"], *models])
        key = chooser.choice(
            [
                "maxTokenz",
                "tlsVerify",
                "minReplicas",
                "url",
                "genai-playground:playground",
                "genai-playground:maas",
                "genai-playground:prerequisites",
            ]
        )
        target[key] = chooser.choice(VALUES)
    elif kind == "double":
        models.append(dict(chooser.choice(models)))
    elif kind == "tokens":  # a mandatory violation for the pack: max_tokens + the prompt reserve over the context
        chooser.choice(models)["maxTokens"] = 16384
    elif kind == "discover":
        chooser.choice(models)["discover"] = True
    else:
        models.extend({**models[0], "name": f"extra-{index}"} for index in range(chooser.randint(1, 40)))
    return document


def model_entries(document: Any) -> list[dict[str, Any]]:
    """The model mappings of a stack file still shaped like one (empty once a mutation broke that shape)."""
    config = document.get("config") if isinstance(document, dict) else None
    models = config.get("genai-playground:models") if isinstance(config, dict) else None
    return models if isinstance(models, list) and models and all(isinstance(m, dict) for m in models) else []


def textual(chooser: random.Random, text: bytes) -> bytes:
    """Change the YAML text: a snippet inserted, bytes flipped or inserted, the text cut."""
    lines = text.split(b"\n")
    kind = chooser.choice(["snippet", "snippet", "byte", "cut", "indent"])
    at = chooser.randrange(len(lines))
    if kind == "snippet":
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        snippet = chooser.choice(SNIPPETS).encode()
        lines.insert(at, b"\n".join(indent + line for line in snippet.split(b"\n")))
    elif kind == "byte":
        position = chooser.randrange(len(text))
        return text[:position] + chooser.choice(BYTES) + text[position + 1 :]
    elif kind == "cut":
        return text[: chooser.randrange(len(text))]
    else:
        lines[at] = b" " * chooser.randint(1, 5) + lines[at]
    return b"\n".join(lines)


def snapshot_text(chooser: random.Random, names: list[str]) -> bytes:
    lengths = [4096, 16384, 32768]
    items = [obj for name in names for obj in live_model(name, [f"--max-model-len={chooser.choice(lengths)}"])]
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}).encode()
    return textual(chooser, text) if chooser.random() < 0.4 else text


def case(chooser: random.Random, directory: Path, gentle: bool = False) -> list[str]:
    """Write one mutated project; the preview's arguments for it."""
    for name in PROGRAM_FILES:
        (directory / name).symlink_to(REPO / name)
    document = dev_config()
    for _ in range(1 if gentle else chooser.randint(1, 3)):
        document = structural(chooser, document, GENTLE if gentle else HOSTILE)
    stack_dir = directory
    if not gentle and chooser.random() < 0.3:
        project_text = chooser.choice(PROJECT_FILES)
        (directory / "Pulumi.yaml").unlink()
        (directory / "Pulumi.yaml").write_text(project_text)
        if "main: app" in project_text:
            (directory / "app").mkdir()
            (directory / "app" / "__main__.py").symlink_to(REPO / "__main__.py")
        if "stackConfigDir" in project_text:
            stack_dir = directory / "stacks"
            stack_dir.mkdir()
        if "namespace" in project_text and isinstance(document.get("config"), dict) and chooser.random() < 0.5:
            document["config"].pop("genai-playground:namespace", None)  # the project's default applies
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    if chooser.random() < (0.1 if gentle else 0.5):
        text = textual(chooser, text)
    (stack_dir / "Pulumi.fuzz.yaml").write_bytes(text)
    output = ["--json"] if gentle or chooser.random() < 0.7 else []  # else the text report
    args = ["--stack", "fuzz", "--project-dir", str(directory), *output, "--render-dir", str(directory / "out")]
    if b"discover" in text:
        snapshot = directory / "isvc.yaml"
        names = [entry.get("name") for entry in model_entries(document)]
        snapshot.write_bytes(snapshot_text(chooser, [name for name in names if isinstance(name, str)]))
        args += ["--snapshot", str(snapshot)]
    if not gentle and chooser.random() < 0.1:
        args += fifo(chooser.choice(FIFO_PLACES), directory, stack_dir)
    return args


def fifo(place: str, directory: Path, stack_dir: Path) -> list[str]:
    """A named pipe no one writes to in `place`; the arguments that name it."""
    path = directory / f"{place}.fifo"
    if place == "render-dir":
        (directory / "out").mkdir()
        os.mkfifo(directory / "out" / "kustomization.yaml")
        return []
    if place in ("stack-file", "project-file"):
        path = stack_dir / "Pulumi.fuzz.yaml" if place == "stack-file" else directory / "Pulumi.yaml"
        path.unlink()
        os.mkfifo(path)
        return []
    os.mkfifo(path)
    return [f"--{place}", str(path)]


# ------------------------------------------------------------------------------------------ checks


def check(directory: Path, code: int, stdout: str, stderr: str) -> None:
    assert code in (0, 1, 2), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    out = directory / "out"
    files = [path for path in out.glob("*") if stat.S_ISREG(path.lstat().st_mode)]  # a FIFO is never read
    written = "".join(path.read_text(errors="replace") for path in files)
    assert CIPHERTEXT not in stdout + stderr + written
    assert not _CONTROL.search(stderr), repr(stderr)
    if code == 2:
        assert stderr.startswith("error: ") and stdout == "", stderr
        assert not out.exists() or [path.name for path in out.iterdir()] == ["kustomization.yaml"], stderr
        return
    json_output = stdout.startswith("{")
    if not json_output:
        assert not _CONTROL.search(stdout), repr(stdout)
    if code == 1:
        if json_output:
            assert any(v["enforcementLevel"] == "mandatory" for v in json.loads(stdout)["violations"])
        else:
            assert "[mandatory]" in stdout
        assert not out.exists() and "a mandatory policy failed" in stderr
        return
    if json_output:
        json.loads(stdout)
    assert_valid_deployment(directory)


def assert_valid_deployment(directory: Path) -> None:
    files = load_stack_files(directory, "fuzz")
    config = config_from_engine(files.config, files.secret_keys)
    out = directory / "out"
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    objects = [yaml.safe_load((out / name).read_text()) for name in kustomization["resources"]]
    listed = sorted(p.name for p in out.iterdir() if p.name not in ("kustomization.yaml", RENDER_MARK_FILE))
    assert sorted(kustomization["resources"]) == listed
    for obj in crd_schema.objects_with_crds(objects):
        if obj["kind"] != "InferenceService":  # a patch carries only labels and annotations
            assert crd_schema.validate(obj) == [], obj
        annotations = obj["metadata"].get("annotations", {})
        assert sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items()) <= ANNOTATIONS_MAX_BYTES
    [config_map] = [obj for obj in objects if obj["kind"] == "ConfigMap"]
    text = config_map["data"]["run.yaml"]
    assert len(text.encode()) <= CONFIG_MAP_MAX_BYTES
    run_yaml = yaml.safe_load(text)
    names = sorted(entry.name for entry in config.models)
    providers = sorted(f"vllm-{name}" for name in names)
    assert sorted(m["provider_id"] for m in run_yaml["models"] if m["model_type"] == "llm") == providers
    vllm = [p for p in run_yaml["providers"]["inference"] if p["provider_type"] == "remote::vllm"]
    assert sorted(p["provider_id"] for p in vllm) == providers
    for entry in run_yaml["models"]:
        assert "${" not in json.dumps([entry["provider_model_id"], entry["metadata"]])
    [distribution] = [obj for obj in objects if obj["kind"] == "LlamaStackDistribution"]
    assert 1 <= distribution["spec"]["replicas"] <= INT32_MAX
    patched = sorted(obj["metadata"]["name"] for obj in objects if obj["kind"] == "InferenceService")
    assert patched == names


# ------------------------------------------------------------------------------------------ the runs


def in_process(args: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main([*args, "--no-policy-pack"])
    return code, stdout.getvalue(), stderr.getvalue()


def as_process(args: list[str]) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "offline_preview", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    return result.returncode, result.stdout, result.stderr


def inputs(directory: Path) -> str:
    """The case's project and stack files, as a failure shows them."""
    shown = []
    for path in [directory / "Pulumi.yaml", *directory.glob("Pulumi.fuzz.yaml"), *directory.glob("*/Pulumi.fuzz.yaml")]:
        if stat.S_ISREG(path.lstat().st_mode):
            shown.append(f"--- {path.relative_to(directory)}:\n{path.read_bytes()[:4000]!r}")
        else:
            shown.append(f"--- {path.relative_to(directory)}: not a regular file")
    return "\n".join(shown)


def fuzz(
    runner: Callable[[list[str]], tuple[int, str, str]], count: int, seed: int, root: Path, gentle: bool = False
) -> Counter[int]:
    chooser = random.Random(seed)
    exits: Counter[int] = Counter()
    for index in range(count):
        directory = root / f"case-{index}"
        directory.mkdir()
        args = case(chooser, directory, gentle)
        code, stdout, stderr = runner(args)
        try:
            check(directory, code, stdout, stderr)
        except AssertionError as error:
            raise AssertionError(f"case {index} (exit {code}): {error}\n{inputs(directory)}") from None
        exits[code] += 1
    return exits


@pytest.mark.usefixtures("crds")
def test_fuzzed_stack_files_without_the_pack(tmp_path: Path) -> None:
    exits = fuzz(in_process, CASES, SEED, tmp_path)
    print(f"\nfuzz without the pack: {CASES} cases, exits {dict(sorted(exits.items()))}")
    assert exits[0] > 10 and exits[2] > 10  # the fuzzer reaches both outcomes


@pytest.mark.usefixtures("crds")
def test_fuzzed_stack_files_with_the_pack(tmp_path: Path) -> None:
    exits = fuzz(as_process, PACK_CASES, SEED + 1, tmp_path, gentle=True)
    print(f"\nfuzz with the pack: {PACK_CASES} cases, exits {dict(sorted(exits.items()))}")
    assert exits[0] > 0 and exits[1] > 0
