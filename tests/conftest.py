"""Shared fixtures: the repo root and small config builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.upstream_files import CRDS, LLAMA_STACK_DISTRIBUTION, PinnedSet, UpstreamFilesNotFoundError

REPO = Path(__file__).resolve().parent.parent


def model(name: str = "mistral-3-int4", **overrides: Any) -> dict[str, Any]:
    """A model entry as it stands in a stack file."""
    return {"name": name, "useCase": "chat assistant", "contextLength": 16384, **overrides}


def stack(*models: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {"release": "3.0", "namespace": "private-ai", "models": list(models) or [model()], **overrides}


@pytest.fixture(scope="session")
def crds() -> Path:
    """The upstream CRD schemas (outside the project); a test that needs them fails, never skips, without them."""
    return pinned_folder(CRDS)


@pytest.fixture(scope="session")
def llama_stack_distribution() -> Path:
    """The pinned files of the RHOAI 3.0 Llama Stack image (its default run.yaml); fails, never skips, without them."""
    return pinned_folder(LLAMA_STACK_DISTRIBUTION)


def pinned_folder(pinned_set: PinnedSet) -> Path:
    try:
        return pinned_set.find()
    except UpstreamFilesNotFoundError as error:
        pytest.fail(str(error))
