"""The program (discover) and the policy pack read the same objects the same way, on random objects.

Random InferenceServices (with a random ServingRuntime and predictor Service, or none): the facts the program
puts into its endpoint are the pack's, and the URL the program writes leads the pack back to the same
InferenceService, on a port its Service serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genai_contract.addresses import service_address
from genai_contract.names import ISVC, SERVICE, SERVING_RUNTIME
from genai_policies._stack import build_view
from genai_policies.playground_references_resolve import _port_problems
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_playground.config import parse_stack_config
from genai_playground.endpoints import LiveModel, resolve_endpoint
from tests.conftest import model, stack
from tests.policies.conftest import PACK_DIR
from tests.support.isvc_snapshots import live_isvc, predictor_service, serving_runtime

assert PACK_DIR.is_dir()  # the pack's folder is on sys.path, as the pack process has it


@dataclass(frozen=True)
class Resource:
    resource_type: str
    urn: str
    name: str
    props: dict[str, Any]


lengths = st.one_of(
    st.integers(1, 10**6).map(str),
    st.from_regex(r"[1-9][0-9]{0,3}(\.[0-9])?[kmg]", fullmatch=True),
    st.from_regex(r"[1-9][0-9]{0,3}[KMG]", fullmatch=True),
    st.sampled_from(["1.5K", "2t", "big", ""]),  # what vLLM refuses
)
names = st.from_regex(r"[a-z][a-z0-9/-]{0,10}", fullmatch=True)
flag_tokens = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["--max-model-len", "--max_model_len", "--max-model"]), lengths).map("=".join),
        st.tuples(st.just("--max-model-len"), lengths).map(list),
        names.map(lambda name: f"--served-model-name={name}"),
        st.lists(names, min_size=1, max_size=3).map(lambda served: ["--served-model-name", *served]),
        st.sampled_from(["--enforce-eager", "--dtype=bfloat16", "--port", "8080", "/mnt/models", "--model=/m"]),
    ),
    max_size=6,
).map(lambda items: [arg for item in items for arg in (item if isinstance(item, list) else [item])])
gpu_counts = st.one_of(st.none(), st.integers(0, 8), st.integers(0, 8).map(str))


def container(args: list[str], gpus: int | str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"args": args}
    if gpus is not None:
        spec["resources"] = {"limits": {"nvidia.com/gpu": gpus}}
    return spec


@st.composite
def live_models(draw: st.DrawFn) -> LiveModel:
    isvc = live_isvc("m", draw(flag_tokens), auth=draw(st.booleans()))
    predictor = isvc["spec"]["predictor"]
    predictor["model"].update(container(predictor["model"]["args"], draw(gpu_counts)))
    if draw(st.booleans()):
        del predictor["model"]["runtime"]
    min_replicas = draw(st.one_of(st.none(), st.integers(0, 4), st.integers(0, 4).map(str)))
    predictor.pop("minReplicas")
    if min_replicas is not None:
        predictor["minReplicas"] = min_replicas
    extra = draw(st.lists(st.tuples(flag_tokens, gpu_counts), max_size=2))
    if extra:
        predictor["containers"] = [container(args, gpus) for args, gpus in extra]
    # discover reads the ServingRuntime the InferenceService names (KServe picks one itself when none is named).
    named = "runtime" in predictor["model"]
    runtime = serving_runtime(args=draw(flag_tokens)) if named and draw(st.booleans()) else None
    auth = isvc["metadata"].get("annotations") is not None
    service = predictor_service("m", headless=draw(st.booleans()), auth=auth) if draw(st.booleans()) else None
    return LiveModel(isvc, runtime, service)


@settings(max_examples=300, deadline=None)
@given(live_models())
def test_program_and_pack_extract_the_same_facts(live: LiveModel) -> None:
    config = parse_stack_config(stack(model("m", contextLength=None, discover=True, apiTokenSecret={"name": "t"})))
    endpoint = resolve_endpoint(config.models[0], config, live)
    resources = [Resource(ISVC, "urn:isvc", "m-live", dict(live.inference_service))]
    if live.serving_runtime is not None:
        resources.append(Resource(SERVING_RUNTIME, "urn:runtime", "m-live-runtime", dict(live.serving_runtime)))
    if live.predictor_service is not None:
        resources.append(Resource(SERVICE, "urn:service", "m-live-service", dict(live.predictor_service)))
    view = build_view(resources)
    workload = view.workloads[("InferenceService", ("private-ai", "m"))]

    assert endpoint.context_length == workload.context_length()[0]
    served = workload.served_model_names()
    assert endpoint.served_model_name in served or not served
    assert endpoint.min_replicas == workload.min_replicas()
    assert endpoint.gpus == workload.gpus()
    assert endpoint.runtime == workload.runtime()
    # The URL the program writes reaches this InferenceService, on a port its Service serves.
    assert view.workload_at(endpoint.url, "private-ai") is workload
    if live.predictor_service is not None:
        assert view.service_at(endpoint.url, "private-ai") is not None
        address = service_address(endpoint.url, "private-ai")
        assert address is not None
        assert list(_port_problems("url", address.port, address.explicit_port, live.predictor_service)) == []
