"""The release check: the cluster's DataScienceCluster read beside the playground when the stack reads the cluster."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
from genai_contract.names import type_token

from components.vllm_model_endpoint import LiveObject
from genai_playground.cluster_release import ReleaseMismatchError, check_cluster_release
from genai_playground.config import StackConfig

READ_NAME = "cluster-release"


def release_gate(stack: StackConfig, stack_file: str) -> Sequence[pulumi.Input[pulumi.Resource]]:
    """What every object the stack writes depends on: the DataScienceCluster read, resolved only once its
    status.release.version is the stack's release (a mismatch stops the run before anything is written).

    Only a stack that reads the cluster anyway (`discover` on a model, or `prerequisites.manage`) reads it: a
    stack of declared models stays a render of its file, as the offline preview and GitOps use it.
    """
    if not stack.reads_cluster:
        return []
    profile = stack.profile
    dsc = LiveObject(
        READ_NAME,
        type_token(profile.dsc_api_version, "DataScienceCluster"),
        stack.prerequisites.data_science_cluster_name,
        fields=("apiVersion", "kind", "metadata", "status"),
    )

    def checked(live: dict[str, object]) -> pulumi.Resource:
        try:
            warning = check_cluster_release(profile, live, stack_file)
        except ReleaseMismatchError as error:
            raise pulumi.RunError(str(error)) from None
        if warning:
            pulumi.log.warn(warning, resource=dsc)
        return dsc

    return [dsc.object().apply(checked)]
