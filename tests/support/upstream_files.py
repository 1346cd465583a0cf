"""Upstream files the tests check the project against, pinned by commit and sha256 in upstream-pins.json.

Each set (the CRD schemas of RHOAI 3.0, and per later release those it changes; files of the RHOAI 3.0 Llama
Stack image) is looked for, first found wins, in its environment variable's folder, then in an offline mirror
beside the repository (`../shared/...`), then in `.cache/<set>`, which `make upstream` (`python -m
tests.support.upstream_files`) fills from the pinned URLs. A folder is used only when every pinned file in it has
its pinned sha256: the tests never check against other files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PINS_FILE = Path(__file__).with_name("upstream-pins.json")
DOWNLOAD_TIMEOUT_SECONDS = 60


class UpstreamFilesNotFoundError(Exception):
    pass


@dataclass(frozen=True)
class Pin:
    file: str
    url: str
    sha256: str


@dataclass(frozen=True)
class PinnedSet:
    name: str  # the key in upstream-pins.json, and the cache folder's name
    what: str
    env_var: str
    mirror: str  # beside the repository

    def pins(self) -> list[Pin]:
        entries = json.loads(PINS_FILE.read_text())[self.name]["files"]
        return [Pin(entry["file"], entry["url"], entry["sha256"]) for entry in entries]

    @property
    def cache_dir(self) -> Path:
        return REPO / ".cache" / self.name

    def candidates(self) -> list[Path]:
        configured = [Path(os.environ[self.env_var])] if os.environ.get(self.env_var) else []
        return [*configured, REPO.parent / self.mirror, self.cache_dir]

    def find(self, pinned: list[Pin] | None = None) -> Path:
        """The first folder holding the pinned files; a folder that exists but differs is an error, not skipped."""
        pinned = pinned if pinned is not None else self.pins()
        for directory in self.candidates():
            if not directory.is_dir():
                continue
            problems = mismatches(directory, pinned)
            if problems:
                raise UpstreamFilesNotFoundError(
                    f"{directory} does not hold the pinned {self.what} ({PINS_FILE.name}): " + "; ".join(problems)
                )
            return directory
        raise UpstreamFilesNotFoundError(
            f"no {self.what} found (looked in: " + ", ".join(str(c) for c in self.candidates()) + "). Run `make "
            f"upstream` to fetch the pinned upstream files into {self.cache_dir}, or set {self.env_var} to a folder "
            "holding them."
        )

    def file(self, name: str) -> Path:
        return self.find() / name


def _set(name: str) -> PinnedSet:
    entry = json.loads(PINS_FILE.read_text())[name]
    return PinnedSet(name, entry["what"], entry["env"], entry["mirror"])


CRDS = _set("crds")
# The CRDs a later RHOAI release changes, by the release profile's crd_folder ("rhoai-3.2", ...): each folder holds
# only the files that differ from the 3.0 set, under the same names (genai_contract.releases, ReleaseProfile).
RELEASE_CRDS: dict[str, PinnedSet] = {
    name.removeprefix("crds-"): _set(name) for name in json.loads(PINS_FILE.read_text()) if name.startswith("crds-")
}
LLAMA_STACK_DISTRIBUTION = _set("llama-stack-distribution")
SETS = (CRDS, *RELEASE_CRDS.values(), LLAMA_STACK_DISTRIBUTION)


def mismatches(directory: Path, pinned: list[Pin]) -> list[str]:
    """What in `directory` is not as pinned: missing files, or files with another sha256."""
    problems = []
    for pin in pinned:
        path = directory / pin.file
        if not path.is_file():
            problems.append(f"{pin.file}: missing")
        elif (digest := hashlib.sha256(path.read_bytes()).hexdigest()) != pin.sha256:
            problems.append(f"{pin.file}: sha256 {digest}, pinned {pin.sha256}")
    return problems


def fetch(destination: Path, pinned: list[Pin]) -> None:
    """Download every pinned file, check its sha256, and only then put the folder in place (all or nothing)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=destination.parent))
    try:
        for pin in pinned:
            with urllib.request.urlopen(pin.url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                data = response.read()
            digest = hashlib.sha256(data).hexdigest()
            if digest != pin.sha256:
                raise UpstreamFilesNotFoundError(f"{pin.url}: sha256 {digest}, pinned {pin.sha256}")
            (staging / pin.file).write_bytes(data)
        shutil.rmtree(destination, ignore_errors=True)
        staging.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure(pinned_set: PinnedSet) -> str:
    """A folder holding the set: a local one when there is one, else fetched into the cache."""
    try:
        return f"{pinned_set.what}: {pinned_set.find()}"
    except UpstreamFilesNotFoundError:
        if any(d.is_dir() for d in pinned_set.candidates()):
            raise  # a folder with other files: say so rather than fetch around it
    fetch(pinned_set.cache_dir, pinned_set.pins())
    return f"{pinned_set.what}: fetched {len(pinned_set.pins())} pinned files into {pinned_set.cache_dir}"


def main() -> int:
    """`make upstream`."""
    for pinned_set in SETS:
        try:
            print(ensure(pinned_set))
        except (OSError, UpstreamFilesNotFoundError) as error:
            print(f"error: {pinned_set.what}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
