"""One served model: the patch that makes its InferenceService an AI asset, and what the playground needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import pulumi
from genai_contract.endpoint_props import ENDPOINT_PROP_KEYS
from genai_contract.names import ENDPOINT_TYPE, ISVC, SECRET, SERVICE, SERVING_RUNTIME, predictor_service

from components._manifest import custom_resource_patch
from genai_playground.config import ModelConfig, StackConfig
from genai_playground.endpoints import (
    EndpointError,
    LiveModel,
    ModelEndpoint,
    dashboard_token_secret,
    drift,
    needs_dashboard_token,
    resolve_endpoint,
)
from genai_playground.manifests import asset_patch

# What a read returns: the engine fills only the fields a resource names as outputs.
OBJECT_FIELDS = ("apiVersion", "kind", "metadata", "spec", "status")
SECRET_FIELDS = ("apiVersion", "kind", "metadata", "type")
# A Secret read keeps its data encrypted in the state (the engine marks these outputs secret).
SECRET_DATA = ["data", "stringData"]


@dataclass(frozen=True)
class VllmModelEndpointArgs:
    model: ModelConfig
    stack: StackConfig
    # What the patch waits for: the cluster's release check (components.cluster_release), when the stack reads it.
    after: Sequence[pulumi.Input[pulumi.Resource]] = ()


class VllmModelEndpoint(pulumi.ComponentResource):
    """Labels and annotates an existing InferenceService; never creates or deletes it."""

    endpoint: pulumi.Output[ModelEndpoint]

    def __init__(self, name: str, args: VllmModelEndpointArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        declared = resolve_endpoint(args.model, args.stack)
        live = _read_live(name, args.model, declared, opts) if args.model.discover else None
        self.endpoint = (
            live.apply(lambda objects: _resolve_live(args.model, args.stack, objects))
            if live is not None
            else pulumi.Output.from_input(declared)
        )
        # Plain values unless the cluster is read: Outputs cost time per key, and 500 models have 7,500 keys.
        props: dict[str, Any] = (
            {key: _prop(self.endpoint, key) for key in ENDPOINT_PROP_KEYS} if live is not None else {**declared.props()}
        )
        super().__init__(ENDPOINT_TYPE, name, props, opts)

        patch = asset_patch(declared, display_name=args.model.display_name)
        # Kept on destroy (and when the model leaves the stack file): a display name, description or use case the
        # stack took over from the dashboard's wizard has no other owner any more, so giving the fields back would
        # delete them, not restore the wizard's values, and roll the model's GPU pods once more (README "Rollback").
        custom_resource_patch(
            f"{name}-asset-patch",
            patch,
            pulumi.ResourceOptions(parent=self, retain_on_delete=True, depends_on=list(args.after) or None),
        )
        if live is not None:
            self.endpoint.apply(lambda endpoint: _warn_drift(self, args.model, endpoint))
        self.register_outputs(props)


def _prop(endpoint: pulumi.Output[ModelEndpoint], key: str) -> pulumi.Output[Any]:
    return endpoint.apply(lambda resolved: dict(resolved.props())[key])


def _resolve_live(model: ModelConfig, stack: StackConfig, live: LiveModel) -> ModelEndpoint:
    try:
        return resolve_endpoint(model, stack, live)
    except EndpointError as error:
        raise pulumi.RunError(str(error)) from None


def _read_live(
    name: str, model: ModelConfig, declared: ModelEndpoint, opts: pulumi.ResourceOptions | None
) -> pulumi.Output[LiveModel]:
    """Read what serves the model: the InferenceService, then its predictor Service and the ServingRuntime it names,
    and, behind the auth proxy with no apiTokenSecret, the dashboard's token Secret (its metadata and type; the
    token itself stays a secret output the program never reads).

    The reads sit beside the component rather than under it: the component's props come from them, and a
    child cannot be read before its parent is registered with those props. The runtime's name is known only
    from the InferenceService, so the other reads follow once it has answered (and a missing InferenceService
    is the one error reported).
    """
    beside = pulumi.ResourceOptions(parent=opts.parent if opts else None)
    namespace = declared.namespace
    isvc = LiveObject(f"{name}-live", ISVC, f"{namespace}/{declared.inference_service_name}", beside).object()

    def then_the_rest(isvc_object: dict[str, Any]) -> pulumi.Output[LiveModel]:
        service_id = f"{namespace}/{predictor_service(declared.inference_service_name)}"
        service = LiveObject(f"{name}-live-service", SERVICE, service_id, beside).object()
        runtime_name = (((isvc_object.get("spec") or {}).get("predictor") or {}).get("model") or {}).get("runtime")
        # Without a name KServe picks a runtime by model format: not knowable from here.
        runtime = (
            LiveObject(f"{name}-live-runtime", SERVING_RUNTIME, f"{namespace}/{runtime_name}", beside).object()
            if runtime_name
            else pulumi.Output.from_input(None)
        )
        token = (
            LiveObject(
                f"{name}-live-token",
                SECRET,
                f"{namespace}/{dashboard_token_secret(declared.inference_service_name)}",
                pulumi.ResourceOptions.merge(beside, pulumi.ResourceOptions(additional_secret_outputs=SECRET_DATA)),
                fields=SECRET_FIELDS,
            ).object()
            if needs_dashboard_token(model, isvc_object)
            else pulumi.Output.from_input(None)
        )
        return pulumi.Output.all(service, runtime, token).apply(
            lambda read: LiveModel(isvc_object, read[1], read[0], read[2])
        )

    return isvc.apply(then_the_rest)


class LiveObject(pulumi.CustomResource):
    """A read of an existing Kubernetes object whose fields are outputs.

    `apiextensions.CustomResource.get` registers its read with no properties, so the object it returns
    exposes no fields; naming them here makes the engine return them.
    """

    apiVersion: pulumi.Output[Any]  # noqa: N815 - the object's field name
    kind: pulumi.Output[Any]
    metadata: pulumi.Output[Any]
    spec: pulumi.Output[Any]
    status: pulumi.Output[Any]
    type: pulumi.Output[Any]

    def __init__(
        self,
        name: str,
        type_token: str,
        object_id: str,
        opts: pulumi.ResourceOptions | None = None,
        fields: tuple[str, ...] = OBJECT_FIELDS,
    ) -> None:
        self._fields = fields
        read = pulumi.ResourceOptions(id=object_id, version=version("pulumi_kubernetes"))
        super().__init__(type_token, name, dict.fromkeys(fields), pulumi.ResourceOptions.merge(opts, read))

    def object(self) -> pulumi.Output[dict[str, Any]]:
        fields = {field: getattr(self, field) for field in self._fields}
        return pulumi.Output.all(**fields).apply(lambda read: {k: v for k, v in read.items() if v is not None})


def _warn_drift(resource: pulumi.Resource, model: ModelConfig, endpoint: ModelEndpoint) -> None:
    for message in drift(model, endpoint):
        pulumi.log.warn(message, resource=resource)
