"""Every RHOAI release the program supports, one profile module each (see profile.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from genai_contract.names import RELEASE_ANNOTATION
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


# Every ConfigMap key a supported release's server reads its config from, oldest release first.
CONFIG_KEYS: tuple[str, ...] = tuple(dict.fromkeys(p.config_key for p in PROFILES.values()))


def annotated_profile(*annotations: Mapping[str, Any]) -> ReleaseProfile | None:
    """The release our program wrote on an object (RELEASE_ANNOTATION), the first that names a supported one."""
    for found in annotations:
        value = found.get(RELEASE_ANNOTATION) if isinstance(found, Mapping) else None
        if isinstance(value, str) and value in PROFILES:
            return PROFILES[value]
    return None


def inferred_profile(config_keys: Collection[str], document: Any) -> ReleaseProfile:
    """The release whose own data fits a config we did not render (no annotation) best: its ConfigMap key above
    all (the server reads no other), then the layout, the name key and the chat API. Ties go to the older."""
    config = document if isinstance(document, Mapping) else {}
    listed = config.get("providers")
    providers: Mapping[str, Any] = listed if isinstance(listed, Mapping) else {}
    layout = "storage" if "storage" in config or "registered_resources" in config else "flat"

    def fit(candidate: ReleaseProfile) -> int:
        return (
            4 * (candidate.config_key in config_keys)
            + 2 * (candidate.layout == layout)
            + (candidate.name_key in config)
            + (candidate.chat_api in providers)
        )

    return max(PROFILES.values(), key=fit)
