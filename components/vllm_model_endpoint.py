"""One served model: the patch that makes its InferenceService an AI asset, and what the playground needs."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import pulumi
from genai_contract.endpoint_props import ENDPOINT_PROP_KEYS
from genai_contract.names import ENDPOINT_TYPE, ISVC

from components._manifest import custom_resource_patch
from genai_playground.config import ModelConfig, StackConfig
from genai_playground.endpoints import ModelEndpoint, drift, resolve_endpoint
from genai_playground.manifests import asset_patch


@dataclass(frozen=True)
class VllmModelEndpointArgs:
    model: ModelConfig
    stack: StackConfig


class VllmModelEndpoint(pulumi.ComponentResource):
    """Labels and annotates an existing InferenceService; never creates or deletes it."""

    endpoint: pulumi.Output[ModelEndpoint]

    def __init__(self, name: str, args: VllmModelEndpointArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        declared = resolve_endpoint(args.model, args.stack)
        live = _read_live(name, declared, opts) if args.model.discover else None
        self.endpoint = (
            live.apply(lambda obj: resolve_endpoint(args.model, args.stack, obj))
            if live is not None
            else pulumi.Output.from_input(declared)
        )
        # Plain values unless the cluster is read: Outputs cost time per key, and 500 models have 7,500 keys.
        props: dict[str, Any] = (
            {key: _prop(self.endpoint, key) for key in ENDPOINT_PROP_KEYS} if live is not None else {**declared.props()}
        )
        super().__init__(ENDPOINT_TYPE, name, props, opts)

        patch = asset_patch(declared, display_name=args.model.display_name)
        custom_resource_patch(f"{name}-asset-patch", patch, pulumi.ResourceOptions(parent=self))
        if live is not None:
            self.endpoint.apply(lambda endpoint: _warn_drift(self, args.model, endpoint))
        self.register_outputs(props)


def _prop(endpoint: pulumi.Output[ModelEndpoint], key: str) -> pulumi.Output[Any]:
    return endpoint.apply(lambda resolved: dict(resolved.props())[key])


def _read_live(name: str, declared: ModelEndpoint, opts: pulumi.ResourceOptions | None) -> pulumi.Output[Any]:
    """Read the InferenceService as the cluster runs it.

    The read sits beside the component rather than under it: the component's props come from this read, and a
    child cannot be read before its parent is registered with those props.
    """
    live = LiveInferenceService(
        f"{name}-live",
        object_id=f"{declared.namespace}/{declared.inference_service_name}",
        opts=pulumi.ResourceOptions(parent=opts.parent if opts else None),
    )
    return pulumi.Output.all(metadata=live.metadata, spec=live.spec)


class LiveInferenceService(pulumi.CustomResource):
    """A read of an existing InferenceService whose metadata and spec are outputs.

    `apiextensions.CustomResource.get` registers its read with no properties, so the object it returns
    exposes no fields; naming them here makes the engine return them.
    """

    metadata: pulumi.Output[Any]
    spec: pulumi.Output[Any]

    def __init__(self, name: str, object_id: str, opts: pulumi.ResourceOptions | None = None) -> None:
        fields = {"apiVersion": None, "kind": None, "metadata": None, "spec": None, "status": None}
        read = pulumi.ResourceOptions(id=object_id, version=version("pulumi_kubernetes"))
        super().__init__(ISVC, name, fields, pulumi.ResourceOptions.merge(opts, read))


def _warn_drift(resource: pulumi.Resource, model: ModelConfig, endpoint: ModelEndpoint) -> None:
    for message in drift(model, endpoint):
        pulumi.log.warn(message, resource=resource)
