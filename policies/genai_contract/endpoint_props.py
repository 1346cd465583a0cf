"""The props a VllmModelEndpoint publishes: what the pack may read of our component, by these keys only."""

from __future__ import annotations

from typing import Final, TypedDict


class EndpointProps(TypedDict):
    """camelCase, JSON-ready: the component's props (Analyze) and its registered outputs (AnalyzeStack)."""

    modelName: str
    modelId: str
    providerId: str
    namespace: str
    inferenceServiceName: str
    servedModelName: str
    url: str
    maxTokens: int
    contextLength: int | None
    gpus: int
    minReplicas: int
    runtime: str | None
    discovered: bool
    displayName: str
    useCase: str


ENDPOINT_PROP_KEYS: Final = tuple(EndpointProps.__annotations__)
