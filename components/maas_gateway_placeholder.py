"""Models-as-a-Service: the MaaS gateway, its Kuadrant policies and tiers, and the enrolled llm-d models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from genai_contract.names import TYPE_PREFIX
from pulumi_kubernetes.core.v1 import ConfigMap

from components._manifest import custom_resource, custom_resource_patch
from genai_playground import maas
from genai_playground.maas import MaasConfig


@dataclass(frozen=True)
class MaasGatewayPlaceholderArgs:
    maas: MaasConfig
    namespace: str  # where enrolled models live unless they name their own


class MaasGatewayPlaceholder(pulumi.ComponentResource):
    """Off: no Kubernetes object, only the `status` (what switching on would take). On: the 3.0 MaaS objects."""

    # Not `status`: Pulumi makes each prop key an output attribute of the resource.
    summary: dict[str, Any]

    def __init__(self, name: str, args: MaasGatewayPlaceholderArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Checked before anything is registered (also when the component is used without the stack's config check).
        maas.require_prerequisites(args.maas)
        summary = maas.status(args.maas, args.namespace)
        super().__init__(f"{TYPE_PREFIX}:MaasGatewayPlaceholder", name, summary, opts)
        self.summary = summary
        if args.maas.enabled:
            self._render(name, args)
        self.register_outputs(summary)

    def _render(self, name: str, args: MaasGatewayPlaceholderArgs) -> None:
        config = args.maas
        gateway = custom_resource(f"{name}-gateway", maas.gateway(config), pulumi.ResourceOptions(parent=self))
        after_gateway = pulumi.ResourceOptions(parent=self, depends_on=[gateway])
        guards = [
            custom_resource(f"{name}-auth-policy", maas.auth_policy(), after_gateway),
            custom_resource(f"{name}-rate-limits", maas.rate_limit_policy(config), after_gateway),
            custom_resource(f"{name}-token-rate-limits", maas.token_rate_limit_policy(config), after_gateway),
        ]
        mapping = maas.tier_mapping(config)
        ConfigMap(
            f"{name}-tier-mapping",
            metadata=mapping["metadata"],
            data=mapping["data"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        for model in config.models:
            # No pulumi.com/* annotation on the model (see genai_playground.manifests.FIELD_MANAGER); the stack takes
            # the router fields over from other managers through the provider's enablePatchForce (README).
            enrollment = maas.model_enrollment(model, args.namespace, {})
            custom_resource_patch(
                f"{name}-{model.name}-enrollment",
                enrollment,
                # Routed only once the gateway's auth and limits exist: never an open or unlimited window.
                pulumi.ResourceOptions(parent=self, depends_on=[gateway, *guards]),
            )
