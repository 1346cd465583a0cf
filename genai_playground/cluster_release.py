"""The RHOAI release a cluster runs, as its DataScienceCluster reports it, against the stack's `release`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_contract.releases import RELEASE_COMMAND, SUPPORTED, release_of_version
from genai_contract.releases.profile import ReleaseProfile


class ReleaseMismatchError(Exception):
    """The cluster runs another RHOAI release than the stack says: every object would have the wrong shape."""


def reported_version(dsc: Mapping[str, Any]) -> str | None:
    """status.release.version of a DataScienceCluster ("3.3.1"), written by the RHOAI operator once it reconciled
    (red-hat-data-services/rhods-operator@rhoai-3.x, api/common/types.go: Release{Name, Version})."""
    status = dsc.get("status") if isinstance(dsc.get("status"), Mapping) else {}
    release = status.get("release") if isinstance(status, Mapping) else None
    version = release.get("version") if isinstance(release, Mapping) else None
    return str(version) if version not in (None, "") else None


def check_cluster_release(profile: ReleaseProfile, dsc: Mapping[str, Any], stack_file: str) -> str | None:
    """Raise ReleaseMismatchError when the cluster's release is not the stack's; a warning when it reports none."""
    name = (dsc.get("metadata") or {}).get("name", "?")
    version = reported_version(dsc)
    if version is None:
        return (
            f"DataScienceCluster {name} reports no status.release.version yet: the stack's release "
            f"{profile.release} is not checked against the cluster ({RELEASE_COMMAND})"
        )
    cluster = release_of_version(version)
    if cluster == profile.release:
        return None
    if cluster is None:
        raise ReleaseMismatchError(
            f"{stack_file}: the cluster runs RHOAI {version} (DataScienceCluster {name}, status.release.version), "
            f"which this program does not support (supported: {', '.join(SUPPORTED)}); nothing was changed"
        )
    raise ReleaseMismatchError(
        f'{stack_file}: genai-playground:release is "{profile.release}" but the cluster runs RHOAI {version} '
        f"(DataScienceCluster {name}, status.release.version): every object would have the shape of "
        f'{profile.title}. Set genai-playground:release: "{cluster}" (README "Upgrading RHOAI"); nothing was '
        "changed"
    )
