"""The CRDs the tests validate against are the pinned upstream files, found locally or fetched (all or nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import crds as pinned_crds


def test_the_folder_in_use_holds_every_pinned_file_with_its_sha256(crds: Path) -> None:
    assert pinned_crds.mismatches(crds, pinned_crds.pins()) == []


def test_every_pin_names_an_upstream_commit() -> None:
    for entry in json.loads(pinned_crds.PINS_FILE.read_text())["crds"]:
        assert entry["url"] == (
            f"https://raw.githubusercontent.com/{entry['repository']}/{entry['commit']}/{entry['path']}"
        )
        assert len(entry["commit"]) == 40 and len(entry["sha256"]) == 64


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No configured folder and no mirror beside the repository: only the cache counts."""
    monkeypatch.delenv(pinned_crds.ENV_VAR, raising=False)
    monkeypatch.setattr(pinned_crds, "REPO", tmp_path / "repo")
    monkeypatch.setattr(pinned_crds, "CACHE_DIR", tmp_path / "repo" / ".cache" / "crds")
    return tmp_path


def mirror_pins(source: Path) -> list[pinned_crds.Pin]:
    """The real pins, downloaded from a local folder instead of GitHub."""
    return [pinned_crds.Pin(pin.file, (source / pin.file).as_uri(), pin.sha256) for pin in pinned_crds.pins()]


def test_fetch_checks_every_sha256_then_puts_the_folder_in_place(crds: Path, isolated: Path) -> None:
    pinned_crds.fetch(pinned_crds.CACHE_DIR, mirror_pins(crds))
    assert pinned_crds.find() == pinned_crds.CACHE_DIR
    assert sorted(p.name for p in pinned_crds.CACHE_DIR.iterdir()) == sorted(pin.file for pin in pinned_crds.pins())


def test_a_wrong_download_leaves_nothing_behind(crds: Path, isolated: Path) -> None:
    pinned = mirror_pins(crds)
    pinned[-1] = pinned_crds.Pin(pinned[-1].file, pinned[0].url, pinned[-1].sha256)  # another file's bytes
    with pytest.raises(pinned_crds.CrdsNotFoundError, match="sha256"):
        pinned_crds.fetch(pinned_crds.CACHE_DIR, pinned)
    assert not pinned_crds.CACHE_DIR.exists()
    assert list(pinned_crds.CACHE_DIR.parent.iterdir()) == []  # no staging folder left either


def test_a_folder_with_other_crds_is_an_error_not_a_fallback(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = isolated / "other"
    other.mkdir()
    (other / "inferenceservices.serving.kserve.io.yaml").write_text("{}")
    monkeypatch.setenv(pinned_crds.ENV_VAR, str(other))
    with pytest.raises(pinned_crds.CrdsNotFoundError) as caught:
        pinned_crds.find()
    assert "inferenceservices.serving.kserve.io.yaml: sha256" in str(caught.value)
    assert "llamastackdistributions.llamastack.io.yaml: missing" in str(caught.value)


def test_without_any_folder_the_error_says_how_to_get_them(isolated: Path) -> None:
    with pytest.raises(pinned_crds.CrdsNotFoundError) as caught:
        pinned_crds.find()
    assert "make crds" in str(caught.value) and pinned_crds.ENV_VAR in str(caught.value)
