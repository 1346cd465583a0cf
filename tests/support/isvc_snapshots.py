"""Live InferenceService objects as `oc get inferenceservice -o yaml` prints them, for discovery tests."""

from __future__ import annotations

from typing import Any


def live_isvc(
    name: str,
    args: list[str],
    *,
    namespace: str = "private-ai",
    min_replicas: int | None = 1,
    runtime: str | None = "vllm-runtime",
    gpus: int = 4,
) -> dict[str, Any]:
    model: dict[str, Any] = {
        "modelFormat": {"name": "vLLM"},
        "args": args,
        "resources": {"limits": {"nvidia.com/gpu": str(gpus)}},
    }
    if runtime:
        model["runtime"] = runtime
    predictor: dict[str, Any] = {"model": model}
    if min_replicas is not None:
        predictor["minReplicas"] = min_replicas
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"predictor": predictor},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }
