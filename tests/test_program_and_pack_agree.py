"""The program (discover) and the policy pack read the same InferenceService the same way, on random objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genai_contract.names import ISVC
from genai_policies._stack import build_view
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_playground.config import parse_stack_config
from genai_playground.endpoints import resolve_endpoint
from tests.conftest import model, stack
from tests.policies.conftest import PACK_DIR

assert PACK_DIR.is_dir()  # the pack's folder is on sys.path, as the pack process has it


@dataclass(frozen=True)
class Resource:
    resource_type: str
    urn: str
    name: str
    props: dict[str, Any]


lengths = st.one_of(st.integers(1, 10**6).map(str), st.from_regex(r"[1-9][0-9]{0,3}(\.[0-9])?[kKmM]", fullmatch=True))
flag_tokens = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["--max-model-len", "--max_model_len"]), lengths).map(lambda t: f"{t[0]}={t[1]}"),
        st.tuples(st.just("--max-model-len"), lengths).map(list),
        st.from_regex(r"--served-model-name=[a-z][a-z0-9/-]{0,10}", fullmatch=True),
        st.sampled_from(["--enforce-eager", "--dtype=bfloat16", "--port", "8080", "/mnt/models"]),
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
def inference_services(draw: st.DrawFn) -> dict[str, Any]:
    predictor: dict[str, Any] = {"model": {**container(draw(flag_tokens), draw(gpu_counts))}}
    if draw(st.booleans()):
        predictor["model"]["runtime"] = "vllm-runtime"
    min_replicas = draw(st.one_of(st.none(), st.integers(0, 4), st.integers(0, 4).map(str)))
    if min_replicas is not None:
        predictor["minReplicas"] = min_replicas
    extra = draw(st.lists(st.tuples(flag_tokens, gpu_counts), max_size=2))
    if extra:
        predictor["containers"] = [container(args, gpus) for args, gpus in extra]
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "m", "namespace": "private-ai"},
        "spec": {"predictor": predictor},
    }


@settings(max_examples=300, deadline=None)
@given(inference_services())
def test_program_and_pack_extract_the_same_facts(isvc: dict[str, Any]) -> None:
    config = parse_stack_config(stack(model("m", contextLength=None, discover=True)))
    endpoint = resolve_endpoint(config.models[0], config, isvc)
    workload = build_view([Resource(ISVC, "urn:isvc", "m", isvc)]).workloads[("InferenceService", ("private-ai", "m"))]

    assert endpoint.context_length == workload.context_length()[0]
    assert endpoint.served_model_name == workload.served_model_name()
    assert endpoint.min_replicas == workload.min_replicas()
    assert endpoint.gpus == workload.gpus()
    assert endpoint.runtime == workload.runtime()
