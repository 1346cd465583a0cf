"""Cluster-wide switches the playground needs: the dashboard's GenAI Studio and the Llama Stack operator."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from genai_contract.names import TYPE_PREFIX
from genai_contract.releases.profile import ReleaseProfile

from components._manifest import custom_resource_patch
from genai_playground.config import PrerequisitesConfig
from genai_playground.manifests import dashboard_config_patch, data_science_cluster_patch


@dataclass(frozen=True)
class PlaygroundPrerequisitesArgs:
    prerequisites: PrerequisitesConfig
    profile: ReleaseProfile  # which switches the cluster's release has
    declared_inputs: frozenset[str] = frozenset()  # stack keys with objects whose dashboard flags are set
    # What the patches wait for: the cluster's release check (components.cluster_release).
    after: Sequence[pulumi.Input[pulumi.Resource]] = ()


class PlaygroundPrerequisites(pulumi.ComponentResource):
    """Patches OdhDashboardConfig and the DataScienceCluster.

    The patches are retained on destroy: other projects on the cluster rely on these switches, and giving the
    fields back would turn GenAI Studio and the Llama Stack operator off for everyone.
    """

    def __init__(
        self, name: str, args: PlaygroundPrerequisitesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        settings, profile = args.prerequisites, args.profile
        props = {
            "release": profile.release,
            "dashboardConfig": f"{settings.dashboard_config_namespace}/{settings.dashboard_config_name}",
            "dataScienceCluster": settings.data_science_cluster_name,
        }
        super().__init__(f"{TYPE_PREFIX}:PlaygroundPrerequisites", name, props, opts)
        retained = pulumi.ResourceOptions(parent=self, retain_on_delete=True, depends_on=list(args.after) or None)
        dashboard = dashboard_config_patch(settings, profile, args.declared_inputs)
        custom_resource_patch(f"{name}-dashboard-config", dashboard, retained)
        custom_resource_patch(f"{name}-datasciencecluster", data_science_cluster_patch(settings, profile), retained)
        self.register_outputs(props)
