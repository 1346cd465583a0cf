"""Every RHOAI release the program supports, one profile module each (see profile.py)."""

from __future__ import annotations

from genai_contract.releases import rhoai_3_0, rhoai_3_2, rhoai_3_3, rhoai_3_4, rhoai_3_5
from genai_contract.releases.profile import ReleaseProfile

PROFILES: dict[str, ReleaseProfile] = {
    module.PROFILE.release: module.PROFILE for module in (rhoai_3_0, rhoai_3_2, rhoai_3_3, rhoai_3_4, rhoai_3_5)
}
SUPPORTED: tuple[str, ...] = tuple(PROFILES)
# How a platform engineer reads the release a cluster runs.
RELEASE_COMMAND = "oc get datasciencecluster -o jsonpath='{.items[0].status.release.version}'"


def profile(release: str) -> ReleaseProfile:
    """The profile of a supported release; KeyError for any other."""
    return PROFILES[release]


def release_of_version(version: str) -> str | None:
    """The supported release a DataScienceCluster's status.release.version (e.g. "3.3.1") belongs to."""
    major_minor = ".".join(version.strip().split(".")[:2])
    return major_minor if major_minor in PROFILES else None
