"""Each RHOAI release's own server (.venv-servers/<release>): the pinned version, pins that follow the release's
lock, the image's own default config loading in that server's checker, and a vLLM-only config served."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import profile

from tests.conftest import REPO
from tests.llama_stack_server.servers import (
    OFFLINE_ENV,
    RELEASES,
    SERVERS,
    VENDOR,
    ConfigCheckers,
    ServerVenvs,
    running_server,
)
from tests.llama_stack_server.vllm_standin import serving
from tests.support.compile_server_requirements import RELEASES as COMPILED
from tests.support.compile_server_requirements import SHARED

REQUIREMENTS = REPO / "tests" / "support" / "server-requirements"


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(release: str) -> dict[str, str]:
    lines = (REQUIREMENTS / f"{release}.txt").read_text().splitlines()
    pairs = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {normalized(name): version.strip() for name, version in pairs}


def installed(venv: Path) -> dict[str, str]:
    script = "import importlib.metadata as m, json; print(json.dumps({d.name: d.version for d in m.distributions()}))"
    out = subprocess.run([str(venv / "bin" / "python"), "-c", script], capture_output=True, text=True, check=True)
    return {normalized(name): version for name, version in json.loads(out.stdout).items()}


def makefile_pins(name: str) -> dict[str, str]:
    """The Makefile's `<name>_<release> := value` lines (VERSION, SHA256, COMMIT)."""
    return dict(re.findall(rf"^{name}_(\S+) := (\S+)$", (REPO / "Makefile").read_text(), re.MULTILINE))


@pytest.mark.parametrize("release", RELEASES)
def test_the_makefile_builds_the_server_the_profile_pins(release: str) -> None:
    pin = profile(release).server
    assert makefile_pins("VERSION")[release] == pin.version
    sha256 = makefile_pins("SHA256")
    if release in sha256:  # built from the mirrored source (3.5: PyPI's package, no source step)
        assert (sha256[release], makefile_pins("COMMIT")[release]) == (pin.sha256, pin.commit)
        assert pin.tarball == f"{pin.package}-{pin.version}.tar.gz"


def locked(release: str, venv: Path) -> dict[str, set[str]]:
    """The versions the release locks: the tag's uv.lock (in the venv's source), or the 3.5 image's lock."""
    versions: dict[str, set[str]] = {}
    lock_file = COMPILED[release].lock_file if release in COMPILED else ""
    if lock_file:
        for match in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)", (VENDOR / lock_file).read_text(), re.MULTILINE):
            versions.setdefault(normalized(match.group(1)), set()).add(match.group(2).split("+")[0])
        return versions
    for package in tomllib.loads((venv / "src" / "server" / "uv.lock").read_text())["package"]:
        if "registry" in package.get(
            "source", {}
        ):  # not the tag's own packages; uv.lock's torch is the PyTorch index's CPU build (2.8.0+cpu)
            versions.setdefault(normalized(package["name"]), set()).add(package["version"].split("+")[0])
    return versions


@pytest.mark.parametrize("release", RELEASES)
def test_the_venv_runs_the_releases_server(release: str, server_venvs: ServerVenvs) -> None:
    server = SERVERS[release]
    assert installed(server_venvs[release])[normalized(server.distribution)] == server.version


@pytest.mark.parametrize("release", RELEASES)
def test_the_venv_is_exactly_its_requirements_file(release: str, server_venvs: ServerVenvs) -> None:
    have = installed(server_venvs[release])
    assert {
        name: (version, have.get(name)) for name, version in pins(release).items() if have.get(name) != version
    } == {
        name: (version, have.get(name))
        for name, version in pins(release).items()
        # installed after the requirements, from the server's own source (as the 3.4 image's build does)
        if release == "3.4" and name == "llama-stack-api"
    }


@pytest.mark.parametrize("release", RELEASES)
def test_every_locked_package_has_the_locks_version(release: str, server_venvs: ServerVenvs) -> None:
    lock = locked(release, server_venvs[release])
    shared = {normalized(r.split("==")[0]) for r in SHARED}
    differing = {
        name: (version, lock[name])
        for name, version in pins(release).items()
        if name in lock and version not in lock[name] and name not in shared
    }
    assert differing == {}
    assert {"fastapi", "openai", "pydantic", "mcp", "torch", "sentence-transformers"} <= set(pins(release))
    assert pins(release)["torch"] == "2.8.0"  # one torch for all releases, shared on disk


# 3.5's default config leaves the database of its Postgres storage backends to the deployment (empty defaults).
POSTGRES = {"POSTGRES_DB": "playground", "POSTGRES_USER": "playground", "POSTGRES_PASSWORD": "playground"}


# What each image's default config needs to resolve (the env its operator or the dashboard sets), pointing the
# vLLM provider at `url`.
def image_env(vllm_url: str, model: str) -> dict[str, str]:
    return {"VLLM_URL": vllm_url, "INFERENCE_MODEL": model, "VLLM_TLS_VERIFY": "false", **POSTGRES}


def external_providers_dropped(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The image's config less its external (`module:`) eval/safety providers, whose packages the test venvs do
    not install (they are not the playground's); the names are returned so a test can say what it left out."""
    document = copy.deepcopy(document)
    dropped = []
    for api, entries in document["providers"].items():
        dropped += [f"{api}:{p['provider_type']}" for p in entries if "module" in p]
        document["providers"][api] = [p for p in entries if "module" not in p]
    return document, dropped


def vllm_url_field(loaded: dict[str, Any]) -> Any:
    """0.3.x: `url`; from 0.4.0 on `base_url` (a `url` key is dropped unread)."""
    return loaded.get("base_url", loaded.get("url"))


@pytest.mark.parametrize("release", RELEASES)
def test_the_images_default_config_loads(release: str, config_checkers: ConfigCheckers, tmp_path: Path) -> None:
    document, dropped = external_providers_dropped(yaml.safe_load((VENDOR / SERVERS[release].image_config).read_text()))
    path = tmp_path / SERVERS[release].config_key
    path.write_text(yaml.safe_dump(document))
    report = config_checkers[release].check(path, image_env("http://127.0.0.1:9/v1", "granite-8b-agent"))
    assert report["ok"], f"{report.get('error')} (left out: {dropped})"
    assert report["server_version"] == SERVERS[release].version
    assert vllm_url_field(report["provider_configs"]["inference"]["vllm-inference"]) == "http://127.0.0.1:9/v1"


def sqlite_storage(storage: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The image's storage with each Postgres backend replaced by SQLite of the same kind, in `folder`."""
    backends = {
        name: {"type": backend["type"].replace("postgres", "sqlite"), "db_path": str(folder / f"{name}.db")}
        for name, backend in storage["backends"].items()
    }
    return {**storage, "backends": backends}


def vllm_only(document: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The image's default config reduced to its vLLM inference provider, in the release's own layout."""
    reduced = copy.deepcopy(document)
    vllm = [p for p in document["providers"]["inference"] if "vllm-inference" in p["provider_id"]]
    reduced["apis"] = ["inference"]
    reduced["providers"] = {"inference": vllm}
    reduced.pop("vector_stores", None)
    reduced.pop("safety", None)
    if "storage" in reduced:
        reduced["storage"] = sqlite_storage(reduced["storage"], folder)
    if "registered_resources" in reduced:
        models = reduced["registered_resources"].get("models", [])
        reduced["registered_resources"] = {"models": [m for m in models if m["provider_id"] == "vllm-inference"]}
    if "models" in reduced:  # 3.0's flat layout: resources at the top level
        reduced["models"] = [m for m in reduced["models"] if m["provider_id"] == "vllm-inference"]
        for resources in ("shields", "vector_dbs", "datasets", "scoring_fns", "benchmarks", "tool_groups"):
            reduced.pop(resources, None)
    if isinstance(reduced.get("server"), dict):
        reduced["server"].pop("auth", None)
    return reduced


@pytest.mark.parametrize("release", RELEASES)
def test_a_vllm_only_config_serves_the_models_of_a_vllm_stand_in(
    release: str, server_venvs: ServerVenvs, tmp_path: Path
) -> None:
    document = yaml.safe_load((VENDOR / SERVERS[release].image_config).read_text())
    config = tmp_path / SERVERS[release].config_key
    config.write_text(yaml.safe_dump(vllm_only(document, tmp_path)))
    with serving("granite-8b-agent", 4096) as (_, url):
        env = {**image_env(url, "granite-8b-agent"), "VLLM_REFRESH_MODELS": "true"}
        with (
            running_server(release, config, tmp_path, env, server_venvs[release]) as server,
            urllib.request.urlopen(f"{server.url}/v1/models", timeout=30) as response,
        ):
            listed = json.loads(response.read())
    ids = [m.get("identifier", m.get("id")) for m in listed["data"]]
    assert "vllm-inference/granite-8b-agent" in ids or "granite-8b-agent" in ids, listed


def test_a_missing_server_venv_fails_the_test_that_needs_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SERVER_VENVS", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match=r"no RHOAI 3\.4 server virtualenv .*make server-venvs"):
        ServerVenvs()["3.4"]


@pytest.mark.parametrize("release", RELEASES)
def test_tiktoken_reads_cl100k_base_offline_as_the_images_pre_cache_gives_it(
    release: str, server_venvs: ServerVenvs
) -> None:
    """What the 3.4/3.5 Containerfiles run at build time; here from the cache `make server-venvs` fills."""
    script = "import tiktoken; print(tiktoken.get_encoding('cl100k_base').encode('hello world'))"
    env = {
        "PATH": "/usr/bin:/bin",
        "TIKTOKEN_CACHE_DIR": OFFLINE_ENV["TIKTOKEN_CACHE_DIR"],
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    out = subprocess.run(
        [str(server_venvs[release] / "bin" / "python"), "-c", script], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.strip() == "[15339, 1917]", out.stderr[-2000:]


@pytest.mark.parametrize("release", RELEASES)
def test_the_heavy_modules_are_compiled_to_bytecode(release: str, server_venvs: ServerVenvs) -> None:
    """The tests run with PYTHONDONTWRITEBYTECODE: a venv without .pyc files compiles torch at every start."""
    script = (
        "import importlib.util, pathlib; "
        "print(all(pathlib.Path(importlib.util.cache_from_source(importlib.util.find_spec(m).origin)).is_file() "
        "for m in ('torch', 'transformers', 'sentence_transformers', 'fastapi')))"
    )
    out = subprocess.run([str(server_venvs[release] / "bin" / "python"), "-c", script], capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr[-2000:]
