"""Several replicas of a server that keeps its state in local files: each pod has its own.

run.yaml's Milvus (inline::milvus, milvus-lite), files (inline::localfs) and sqlite stores live in the pod's
state directory. The operator's Service sends each request to any ready pod (red-hat-data-services/
llama-stack-k8s-operator, rhoai-3.0 … rhoai-3.4, controllers/manifests/base/service.yaml: no session affinity),
so with more than one replica and no shared store a user's vector store, uploaded files and stored responses
exist on one pod only: the dashboard's next call may land on another and find nothing. With the distribution's
`storage` the replicas share one ReadWriteOnce volume instead, and milvus-lite's lock on its file stops every
replica but the first at start (milvus-lite 2.5.1 milvus_lite/server.py Server.start; proven on the real server by
tests/llama_stack_server/test_state_volume.py). Advisory: a chat-only playground may accept it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from genai_policies._common import as_list, as_map, get, to_int
from genai_policies._stack import Playground, build_view

NAME = "replicas-share-no-state"
# Provider types that keep their data in the server's own files.
LOCAL_STATE = frozenset(
    {"inline::milvus", "inline::faiss", "inline::sqlite-vec", "inline::chromadb", "inline::localfs"}
)


def replicas(playground: Playground) -> int:
    """The most pods the server may run: its replicas, or its autoscaler's maximum (operator >= 0.5)."""
    if playground.distribution is None:
        return 1
    spec, fields = playground.distribution.spec, playground.distribution.fields
    counts = [to_int(get(spec, *fields.replicas)), to_int(get(spec, *fields.max_replicas))]
    return max([count for count in counts if count is not None] or [1])


def local_providers(playground: Playground) -> Iterator[str]:
    for api, providers in as_map(get(playground.document, "providers")).items():
        for provider in as_list(providers):
            provider_type = str(get(provider, "provider_type") or "")
            if provider_type in LOCAL_STATE:
                yield f"{api} {get(provider, 'provider_id')} ({provider_type})"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = build_view(args.resources)
    for playground in view.playgrounds:
        count = replicas(playground)
        local = list(local_providers(playground))
        if count <= 1 or not local or playground.distribution is None:
            continue
        where = f"{playground.where} runs up to {count} replicas"
        if get(playground.distribution.spec, *playground.distribution.fields.storage) is not None:
            milvus = any("inline::milvus" in provider for provider in local)
            message = (
                f"{where} on one state volume: the operator mounts its one ReadWriteOnce PVC into every replica, "
                "which a replica on another node cannot attach"
                + (
                    ', and milvus-lite locks its file there, so every replica but the first exits at start ("Open '
                    'local milvus failed") and never gets Ready'
                    if milvus
                    else ", and replicas on one node write the same state files"
                )
                + ". Set replicas to 1, or leave the storage out."
            )
        else:
            message = (
                f"{where}, and {', '.join(local)} keep their data in each pod's own files: behind the one Service "
                "a user's vector store, uploaded files and stored responses exist on one pod only, and the "
                "dashboard's next call may land on another pod and find nothing. Run 1 replica, or point these "
                "providers at a shared store (remote::milvus, an external database)."
            )
        report_violation(message, playground.distribution.resource.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description="More than one server replica while run.yaml keeps vector stores and files in local files.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=validate,
)
