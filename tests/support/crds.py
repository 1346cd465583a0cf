"""The upstream CRDs the tests validate rendered objects against: pinned by commit and sha256 in crd-pins.json.

Where they come from, first found wins: `$GENAI_PLAYGROUND_CRDS_DIR`, then a folder `shared/crds` beside the
repository (an offline mirror), then `.cache/crds`, which `make crds` (`python -m tests.support.crds`) fills
from the pinned upstream URLs. A folder is used only when every pinned file in it has its pinned sha256: the
tests never validate against CRDs other than the pinned ones.
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
PINS_FILE = Path(__file__).with_name("crd-pins.json")
CACHE_DIR = REPO / ".cache" / "crds"
ENV_VAR = "GENAI_PLAYGROUND_CRDS_DIR"
DOWNLOAD_TIMEOUT_SECONDS = 60


class CrdsNotFoundError(Exception):
    pass


@dataclass(frozen=True)
class Pin:
    file: str
    url: str
    sha256: str


def pins(path: Path = PINS_FILE) -> list[Pin]:
    return [Pin(entry["file"], entry["url"], entry["sha256"]) for entry in json.loads(path.read_text())["crds"]]


def candidates() -> list[Path]:
    configured = [Path(os.environ[ENV_VAR])] if os.environ.get(ENV_VAR) else []
    return [*configured, REPO.parent / "shared" / "crds", CACHE_DIR]


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


def find(pinned: list[Pin] | None = None) -> Path:
    """The first folder that holds the pinned CRDs; a folder that exists but differs is an error, not skipped."""
    pinned = pinned if pinned is not None else pins()
    for directory in candidates():
        if not directory.is_dir():
            continue
        problems = mismatches(directory, pinned)
        if problems:
            raise CrdsNotFoundError(
                f"{directory} does not hold the pinned CRDs ({PINS_FILE.name}): " + "; ".join(problems)
            )
        return directory
    raise CrdsNotFoundError(
        "no CRD schemas found (looked in: " + ", ".join(str(c) for c in candidates()) + "). Run `make crds` to "
        f"fetch the pinned upstream files into {CACHE_DIR}, or set {ENV_VAR} to a folder holding them."
    )


def fetch(destination: Path, pinned: list[Pin] | None = None) -> None:
    """Download every pinned file, check its sha256, and only then put the folder in place (all or nothing)."""
    pinned = pinned if pinned is not None else pins()
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".crds-", dir=destination.parent))
    try:
        for pin in pinned:
            with urllib.request.urlopen(pin.url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                data = response.read()
            digest = hashlib.sha256(data).hexdigest()
            if digest != pin.sha256:
                raise CrdsNotFoundError(f"{pin.url}: sha256 {digest}, pinned {pin.sha256}")
            (staging / pin.file).write_bytes(data)
        shutil.rmtree(destination, ignore_errors=True)
        staging.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main() -> int:
    """`make crds`: use a local copy when there is one, else fetch into the cache."""
    try:
        print(f"CRDs: {find()}")
        return 0
    except CrdsNotFoundError as error:
        if any(d.is_dir() for d in candidates()):
            print(f"error: {error}", file=sys.stderr)
            return 1
    try:
        fetch(CACHE_DIR)
    except (OSError, CrdsNotFoundError) as error:
        print(f"error: fetching the pinned CRDs failed: {error}", file=sys.stderr)
        return 1
    print(f"CRDs: fetched {len(pins())} pinned files into {CACHE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
