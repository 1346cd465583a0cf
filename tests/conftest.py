"""Shared fixtures: the repo root and small config builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def model(name: str = "mistral-3-int4", **overrides: Any) -> dict[str, Any]:
    """A model entry as it stands in a stack file."""
    return {"name": name, "useCase": "chat assistant", "contextLength": 16384, **overrides}


def stack(*models: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {"namespace": "private-ai", "models": list(models) or [model()], **overrides}


@pytest.fixture(scope="session")
def crds() -> Path:
    """The upstream CRD schemas (outside the project); a test that needs them fails, never skips, without them."""
    from tests.support import crd_schema

    try:
        return crd_schema.crds_dir()
    except crd_schema.CrdsNotFoundError as error:
        pytest.fail(str(error))
