"""Models-as-a-Service as the stack's release ships it: the gateway, what the stack (not the operator) deploys
for access and limits, the DataScienceCluster switch where the operator deploys MaaS, and the enrolled models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from genai_contract.names import TYPE_PREFIX
from genai_contract.releases.profile import ReleaseProfile
from pulumi_kubernetes.core.v1 import ConfigMap

from components._manifest import custom_resource, custom_resource_patch
from genai_playground import maas
from genai_playground.maas import MaasConfig


@dataclass(frozen=True)
class MaasGatewayPlaceholderArgs:
    maas: MaasConfig
    namespace: str  # where enrolled models live unless they name their own
    profile: ReleaseProfile  # the cluster's release: how it ships MaaS (profile.maas)
    data_science_cluster: str = "default-dsc"  # switched where the operator deploys MaaS
    # What every object waits for: the cluster's release check (components.cluster_release), when the stack reads it.
    after: Sequence[pulumi.Input[pulumi.Resource]] = ()


class MaasGatewayPlaceholder(pulumi.ComponentResource):
    """Off: no Kubernetes object, only the `status` (what switching on would take). On: the release's objects."""

    # Not `status`: Pulumi makes each prop key an output attribute of the resource.
    summary: dict[str, Any]

    def __init__(self, name: str, args: MaasGatewayPlaceholderArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Checked before anything is registered (also when the component is used without the stack's config check).
        maas.require_prerequisites(args.maas, args.profile.maas)
        summary = maas.status(args.maas, args.namespace, args.profile)
        super().__init__(f"{TYPE_PREFIX}:MaasGatewayPlaceholder", name, summary, opts)
        self.summary = summary
        if args.maas.enabled:
            self._render(name, args)
        self.register_outputs(summary)

    def _render(self, name: str, args: MaasGatewayPlaceholderArgs) -> None:
        config, flavour = args.maas, args.profile.maas
        after = list(args.after)  # every write waits for the cluster's release check, directly
        child = pulumi.ResourceOptions(parent=self, depends_on=after)
        gateway = custom_resource(f"{name}-gateway", maas.gateway(config, flavour), child)
        after_gateway = pulumi.ResourceOptions(parent=self, depends_on=[*after, gateway])
        guards: list[pulumi.Resource] = []
        if flavour.renders_auth_policy:
            # Kept on delete: from RHOAI 3.3 the operator deploys this same AuthPolicy; deleting ours when the stack
            # moves there would delete the operator's too and leave the gateway open until it reconciles.
            kept = pulumi.ResourceOptions(parent=self, depends_on=[*after, gateway], retain_on_delete=True)
            guards.append(custom_resource(f"{name}-auth-policy", maas.auth_policy(flavour), kept))
        if flavour.request_limits:
            guards.append(custom_resource(f"{name}-rate-limits", maas.rate_limit_policy(config), after_gateway))
        if flavour.token_limits:
            limits = maas.token_rate_limit_policy(maas.tiers_of(config, flavour))
            guards.append(custom_resource(f"{name}-token-rate-limits", limits, after_gateway))
        if flavour.tier_mapping == "stack":
            mapping = maas.tier_mapping(config, flavour)
            ConfigMap(f"{name}-tier-mapping", metadata=mapping["metadata"], data=mapping["data"], opts=child)
        if flavour.dsc_switch:
            # The operator checks the Gateway exists before it deploys MaaS (rhods-operator rhoai-3.3,
            # modelsasservice_controller_actions.go, validateGatewayExists). Kept on destroy like the playground's
            # own switches: others' MaaS models rely on it.
            switch = maas.data_science_cluster_switch(flavour, args.data_science_cluster)
            kept_switch = pulumi.ResourceOptions(parent=self, depends_on=[*after, gateway], retain_on_delete=True)
            guards.append(custom_resource_patch(f"{name}-datasciencecluster", switch, kept_switch))
        if flavour.access == "subscriptions":
            # Their CRDs and namespace exist once the operator runs MaaS: after the switch.
            after_switch = pulumi.ResourceOptions(parent=self, depends_on=[*after, *guards])
            for item in config.subscriptions:
                subscription = maas.subscription(config, item, args.namespace, flavour)
                access = maas.access_policy(config, item, args.namespace, flavour)
                guards.append(custom_resource(f"{name}-{item.name}-subscription", subscription, after_switch))
                guards.append(custom_resource(f"{name}-{item.name}-access", access, after_switch))
        for model in config.models:
            # No pulumi.com/* annotation on the model (see genai_playground.manifests.FIELD_MANAGER); the stack takes
            # the router fields over from other managers through the provider's enablePatchForce (README).
            enrollment = maas.model_enrollment(model, args.namespace, {}, flavour)
            custom_resource_patch(
                f"{name}-{model.name}-enrollment",
                enrollment,
                # Routed only once the gateway's auth and limits exist: never an open or unlimited window.
                pulumi.ResourceOptions(parent=self, depends_on=[*after, gateway, *guards]),
            )
            if flavour.access == "subscriptions":
                custom_resource(
                    f"{name}-{model.name}-model-ref",
                    maas.model_ref(model, args.namespace),
                    pulumi.ResourceOptions(parent=self, depends_on=[*after, gateway, *guards]),
                )
