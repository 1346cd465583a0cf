"""What a served model's Kubernetes objects say about how vLLM runs it.

One reading for the program (discover) and the pack (stack rules): the InferenceService with the
ServingRuntime it names, or an llm-d LLMInferenceService. Every field is None (or empty) when the objects do
not say; a caller decides what an unknown means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genai_contract.vllm_args import served_names, token_count, vllm_flags

# KServe's default when an InferenceService does not set spec.predictor.minReplicas.
DEFAULT_MIN_REPLICAS = 1


@dataclass(frozen=True)
class ServingFacts:
    max_model_len: int | None = None
    max_model_len_flag: str | None = None  # the flag's text as written (16k), for messages
    served_model_names: tuple[str, ...] = ()  # --served-model-name's names; the first is the one vLLM reports
    default_served_name: str | None = None  # the name served when the flag is absent (the runtime's default)
    min_replicas: int | None = None
    gpus: int | None = None
    runtime: str | None = None

    @property
    def served_as(self) -> tuple[str, ...]:
        """Every name vLLM answers to, the flag's or else the default."""
        if self.served_model_names:
            return self.served_model_names
        return (self.default_served_name,) if self.default_served_name else ()


def inference_service_facts(isvc: Mapping[str, Any], runtime: Mapping[str, Any] | None = None) -> ServingFacts:
    """An InferenceService's predictor; `runtime` is the ServingRuntime it names, when known."""
    predictor = _map(_get(isvc, "spec", "predictor"))
    model = _map(predictor.get("model"))
    containers = [model, *(_map(c) for c in _list(predictor.get("containers")))]
    args = [*runtime_args(runtime), *(arg for c in containers for arg in _list(c.get("args")))]
    name = str(_get(isvc, "metadata", "name") or "")
    return _facts(
        args,
        default_name=name or None,
        min_replicas=_int(predictor.get("minReplicas"), DEFAULT_MIN_REPLICAS),
        gpus=_gpu_total(containers),
        runtime=str(model.get("runtime")) if model.get("runtime") else None,
    )


def runtime_args(runtime: Mapping[str, Any] | None) -> list[Any]:
    """The ServingRuntime's container args, which KServe puts before the InferenceService's."""
    if runtime is None:
        return []
    containers = _list(_get(runtime, "spec", "containers"))
    return [arg for container in containers for arg in _list(_map(container).get("args"))]


def llm_inference_service_facts(llmisvc: Mapping[str, Any]) -> ServingFacts:
    """An llm-d LLMInferenceService: vLLM flags from its template's containers."""
    spec = _map(llmisvc.get("spec"))
    containers = [_map(c) for c in _list(_get(spec, "template", "containers"))]
    args = [arg for container in containers for arg in _list(container.get("args"))]
    default = _get(spec, "model", "name") or _get(llmisvc, "metadata", "name")
    return _facts(
        args,
        default_name=str(default) if default else None,
        min_replicas=_int(spec.get("replicas"), DEFAULT_MIN_REPLICAS),
        gpus=_gpu_total(containers),
        runtime=None,
    )


def _facts(
    args: Sequence[Any], *, default_name: str | None, min_replicas: int | None, gpus: int | None, runtime: str | None
) -> ServingFacts:
    flags = vllm_flags(args)
    length_flag = flags.get("max-model-len")
    return ServingFacts(
        max_model_len=token_count(length_flag) if length_flag else None,
        max_model_len_flag=length_flag,
        served_model_names=served_names(flags.get("served-model-name", "")),
        default_served_name=default_name,
        min_replicas=min_replicas,
        gpus=gpus,
        runtime=runtime,
    )


def _gpu_total(containers: Sequence[Mapping[str, Any]]) -> int | None:
    """GPUs of one replica: every container's `*/gpu` limit (else request); None when one is unreadable."""
    total = 0
    for container in containers:
        resources = _map(container.get("resources"))
        for section in ("limits", "requests"):
            gpu = next(
                (value for key, value in _map(resources.get(section)).items() if str(key).endswith("/gpu")), None
            )
            if gpu is not None:
                count = _int(gpu, None)
                if count is None:
                    return None
                total += count
                break
    return total


def _int(value: Any, default: int | None) -> int | None:
    """Wire numbers may be floats (4096.0) or numeric strings; anything else is unknown."""
    if value is None:
        return default
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str | bytes) else []
