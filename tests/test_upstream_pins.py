"""The upstream files the tests check against are the pinned ones, found locally or fetched (all or nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import upstream_files
from tests.support.upstream_files import CRDS, SETS, Pin, PinnedSet, UpstreamFilesNotFoundError


@pytest.mark.parametrize("pinned_set", SETS, ids=lambda s: s.name)
def test_the_folder_in_use_holds_every_pinned_file_with_its_sha256(pinned_set: PinnedSet) -> None:
    assert upstream_files.mismatches(pinned_set.find(), pinned_set.pins()) == []


def test_every_pin_names_an_upstream_commit() -> None:
    document = json.loads(upstream_files.PINS_FILE.read_text())
    entries = [entry for pinned_set in SETS for entry in document[pinned_set.name]["files"]]
    assert entries
    for entry in entries:
        assert entry["url"] == (
            f"https://raw.githubusercontent.com/{entry['repository']}/{entry['commit']}/{entry['path']}"
        )
        assert len(entry["commit"]) == 40 and len(entry["sha256"]) == 64


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No configured folder and no mirror beside the repository: only the cache counts."""
    monkeypatch.delenv(CRDS.env_var, raising=False)
    monkeypatch.setattr(upstream_files, "REPO", tmp_path / "repo")
    return tmp_path


def mirror_pins(source: Path) -> list[Pin]:
    """The real pins, downloaded from a local folder instead of GitHub."""
    return [Pin(pin.file, (source / pin.file).as_uri(), pin.sha256) for pin in CRDS.pins()]


def test_fetch_checks_every_sha256_then_puts_the_folder_in_place(crds: Path, isolated: Path) -> None:
    upstream_files.fetch(CRDS.cache_dir, mirror_pins(crds))
    assert CRDS.find() == CRDS.cache_dir == isolated / "repo" / ".cache" / "crds"
    assert sorted(p.name for p in CRDS.cache_dir.iterdir()) == sorted(pin.file for pin in CRDS.pins())


def test_a_wrong_download_leaves_nothing_behind(crds: Path, isolated: Path) -> None:
    pinned = mirror_pins(crds)
    pinned[-1] = Pin(pinned[-1].file, pinned[0].url, pinned[-1].sha256)  # another file's bytes
    with pytest.raises(UpstreamFilesNotFoundError, match="sha256"):
        upstream_files.fetch(CRDS.cache_dir, pinned)
    assert not CRDS.cache_dir.exists()
    assert list(CRDS.cache_dir.parent.iterdir()) == []  # no staging folder left either


def test_a_folder_with_other_files_is_an_error_not_a_fallback(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = isolated / "other"
    other.mkdir()
    (other / "inferenceservices.serving.kserve.io.yaml").write_text("{}")
    monkeypatch.setenv(CRDS.env_var, str(other))
    with pytest.raises(UpstreamFilesNotFoundError) as caught:
        CRDS.find()
    assert "inferenceservices.serving.kserve.io.yaml: sha256" in str(caught.value)
    assert "llamastackdistributions.llamastack.io.yaml: missing" in str(caught.value)
    with pytest.raises(UpstreamFilesNotFoundError):
        upstream_files.ensure(CRDS)  # and `make upstream` says so instead of fetching around it


def test_without_any_folder_the_error_says_how_to_get_them(isolated: Path) -> None:
    with pytest.raises(UpstreamFilesNotFoundError) as caught:
        CRDS.find()
    assert "make upstream" in str(caught.value) and CRDS.env_var in str(caught.value)
