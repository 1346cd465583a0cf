"""Which Service, in which namespace, a provider URL reaches, and which served model stands behind it.

The program writes predictor URLs (names.service_host); the pack reads any URL a run.yaml may hold back to the
InferenceService or LLMInferenceService it reaches. In a pod, Kubernetes DNS resolves `<svc>`, `<svc>.<ns>`,
`<svc>.<ns>.svc` and `<svc>.<ns>.svc.cluster.local` to the same Service (the pod's resolv.conf searches
`<ns>.svc.cluster.local`, `svc.cluster.local`, `cluster.local`), so a short name is in the namespace of the pod
that calls it: the Llama Stack server's.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from genai_contract import names

INFERENCE_SERVICE: Final = "InferenceService"
LLM_INFERENCE_SERVICE: Final = "LLMInferenceService"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ServiceAddress:
    service: str
    namespace: str
    scheme: str
    port: int  # as the client connects: the scheme's default when the URL has none
    explicit_port: bool

    def served_by(self) -> list[tuple[str, str]]:
        """(kind, name) of the objects whose Service this can be, the most specific first."""
        found = []
        for suffix, kind in (
            (names.PREDICTOR_SERVICE_SUFFIX, INFERENCE_SERVICE),
            (names.LLM_ISVC_SERVICE_SUFFIX, LLM_INFERENCE_SERVICE),
        ):
            if self.service.endswith(suffix) and len(self.service) > len(suffix):
                found.append((kind, self.service[: -len(suffix)]))
        found += [(INFERENCE_SERVICE, self.service), (LLM_INFERENCE_SERVICE, self.service)]
        return found


def service_address(url: str, default_namespace: str) -> ServiceAddress | None:
    """The Service a URL reaches inside the cluster, or None for an address that is no Service name."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or _is_ip(host):
        return None
    labels = host.split(".")
    suffix = labels[2:]
    if len(labels) == 1:
        service, namespace = labels[0], default_namespace
    elif len(labels) == 2 or suffix in (["svc"], ["svc", *names.CLUSTER_DOMAIN.split(".")]):
        service, namespace = labels[0], labels[1]
    else:
        return None
    scheme = parts.scheme.lower()
    return ServiceAddress(service, namespace, scheme, port or _DEFAULT_PORTS.get(scheme, 80), port is not None)


def is_cluster_internal(url: str) -> bool:
    """A name only cluster DNS answers: `*.svc`, `*.svc.cluster.local`, or one label (the search path's)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return bool(host) and (
        host.endswith(".svc") or host.endswith(f".svc.{names.CLUSTER_DOMAIN}") or ("." not in host and not _is_ip(host))
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def maas_route(url: str) -> tuple[str, str] | None:
    """(namespace, model) of a Models-as-a-Service route, `https://maas.<apps domain>/<namespace>/<model>/v1`
    (every release: the gateway's listener hostname and KServe's HTTPRoute path for an LLMInferenceService)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = [part for part in parts.path.split("/") if part]
    if host.split(".", 1)[0] != "maas" or "." not in host or len(path) < 2:
        return None
    return path[0], path[1]
