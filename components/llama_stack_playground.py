"""The Llama Stack server the dashboard's GenAI playground talks to, wired to every model endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from genai_contract.names import PLAYGROUND_TYPE, SERVER_PORT
from genai_contract.releases import PROFILES
from genai_contract.releases.profile import ReleaseProfile
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import ConfigMap

from components._manifest import config_checked
from components.vllm_model_endpoint import VllmModelEndpoint
from genai_playground.config import PlaygroundConfig
from genai_playground.endpoints import ModelEndpoint, playground_service_url
from genai_playground.manifests import run_config_map, server_object
from genai_playground.run_config import RenderedRunConfig, render_run_config


@dataclass(frozen=True)
class LlamaStackPlaygroundArgs:
    namespace: str
    playground: PlaygroundConfig
    profile: ReleaseProfile  # the cluster's RHOAI release: what its server, operator and dashboard expect
    endpoints: Sequence[VllmModelEndpoint]
    # Cluster switches the operator needs first; `depends_on` on this component would not hold its children back.
    prerequisites: Sequence[pulumi.Resource] = ()
    # What both objects wait for: the cluster's release check (components.cluster_release), when the stack reads it.
    after: Sequence[pulumi.Input[pulumi.Resource]] = ()
    # Models reached through Models-as-a-Service (providers `maas-<name>`): nothing to wait for, no asset patch.
    maas_endpoints: Sequence[ModelEndpoint] = ()


class LlamaStackPlayground(pulumi.ComponentResource):
    """The server config's ConfigMap + the server object of the release; ready when it serves this config."""

    service_url: str

    def __init__(self, name: str, args: LlamaStackPlaygroundArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        settings, profile = args.playground, args.profile
        self.service_url = playground_service_url(settings.name, args.namespace, SERVER_PORT)
        maas_endpoints = list(args.maas_endpoints)
        endpoints = pulumi.Output.all(*[endpoint.endpoint for endpoint in args.endpoints]).apply(
            lambda resolved: [*_as_endpoints(resolved), *maas_endpoints]
        )
        rendered: pulumi.Output[RenderedRunConfig] = endpoints.apply(
            lambda resolved: config_checked(lambda: render_run_config(_as_endpoints(resolved), settings, profile))
        )
        props = {
            "release": profile.release,
            "namespace": args.namespace,
            "distributionName": settings.name,
            "configMapName": settings.config_map_name,
            "serviceUrl": self.service_url,
            "providerIds": endpoints.apply(lambda resolved: sorted(e.provider_id for e in _as_endpoints(resolved))),
        }
        super().__init__(PLAYGROUND_TYPE, name, props, opts)

        config_map = rendered.apply(
            lambda r: config_checked(lambda: run_config_map(args.namespace, settings, r, profile))
        )
        run_config = ConfigMap(
            f"{name}-run-config",
            metadata=config_map["metadata"],
            data=config_map["data"],
            opts=pulumi.ResourceOptions(
                parent=self, retain_on_delete=settings.retain_on_delete, depends_on=list(args.after) or None
            ),
        )
        manifest = rendered.apply(lambda r: server_object(args.namespace, settings, r, profile))
        # customTimeouts win over pulumi.com/timeoutSeconds (pulumi-kubernetes provider/pkg/metadata/overrides.go);
        # with 0 the distribution carries pulumi.com/skipAwait and no timeout is given.
        seconds = settings.wait_timeout_seconds
        timeouts = pulumi.CustomTimeouts(create=f"{seconds}s", update=f"{seconds}s") if seconds else None
        CustomResource(
            f"{name}-distribution",
            # Type-defining fields must be plain strings: the resource's type token is built from them.
            api_version=profile.server_kind.api_version,
            kind=profile.server_kind.kind,
            metadata=manifest["metadata"],
            spec=manifest["spec"],
            opts=pulumi.ResourceOptions(
                parent=self,
                retain_on_delete=settings.retain_on_delete,
                # The operator fails the distribution if its ConfigMap is missing; the models must be assets first.
                depends_on=[run_config, *args.endpoints, *args.prerequisites, *args.after],
                custom_timeouts=timeouts,
                # The server object of another release (a LlamaStackDistribution before 3.5) is this resource under
                # another type. pulumi-kubernetes does not replace on a new kind (provider/pkg/provider/diff.go,
                # forceNewProperties: only name, namespace and per-kind fields), so replaceOnChanges does; the old
                # object goes first: a same-name OGXServer next to a live LlamaStackDistribution would report the
                # old server's Deployment and Service (the OGX operator leaves objects it does not own alone:
                # ogx-ai/ogx-k8s-operator@v0.10.0 pkg/deploy/kustomizer.go patchResource) and the wait would time
                # out. When adopting the old server's PVC (another name), the new one comes first: the operator
                # detaches the PVC from the old server before it is deleted (controllers/legacy_adoption.go).
                aliases=[pulumi.Alias(type_=other) for other in _other_server_types(profile)],
                replace_on_changes=["apiVersion", "kind"],
                delete_before_replace=settings.adopt_storage_from is None,
            ),
        )
        self.register_outputs(props)


def _other_server_types(profile: ReleaseProfile) -> list[str]:
    kinds = {(p.server_kind.api_version, p.server_kind.kind) for p in PROFILES.values()}
    kinds.discard((profile.server_kind.api_version, profile.server_kind.kind))
    return [f"kubernetes:{api_version}:{kind}" for api_version, kind in sorted(kinds)]


def _as_endpoints(resolved: Sequence[object]) -> list[ModelEndpoint]:
    return [endpoint for endpoint in resolved if isinstance(endpoint, ModelEndpoint)]
