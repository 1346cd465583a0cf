"""Hypothesis strategies: stack configs as users write them, valid and broken."""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

from genai_contract.releases import PROFILES, SUPPORTED
from hypothesis import strategies as st

from genai_playground.config import NETWORK_ALLOWED_FROM

LABEL_CHARS = string.ascii_lowercase + string.digits


@st.composite
def dns_labels(draw: st.DrawFn, max_size: int = 40) -> str:
    middle = draw(st.text(alphabet=LABEL_CHARS + "-", max_size=max_size - 2))
    first = draw(st.sampled_from(LABEL_CHARS))
    last = draw(st.sampled_from(LABEL_CHARS))
    return first + middle + last


@st.composite
def isvc_names(draw: st.DrawFn, max_size: int = 20) -> str:
    """What KServe accepts for an InferenceService name: a DNS label that starts with a letter."""
    label = draw(dns_labels(max_size=max_size))
    return draw(st.sampled_from(string.ascii_lowercase)) + label[1:]


# Free text: display names and use cases are user prose, with any printable characters but `${` (an env
# reference to Llama Stack, refused by the config).
prose = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda text: text.strip() and "${" not in text
)


@st.composite
def models(draw: st.DrawFn, name: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "useCase": draw(prose)}
    discover = draw(st.booleans())
    if discover:
        entry["discover"] = True
    if not discover or draw(st.booleans()):
        entry["contextLength"] = draw(st.integers(1, 1_000_000))
    optional = {
        "displayName": prose,
        "description": prose,
        "maxTokens": st.integers(1, 1_000_000),
        "gpus": st.integers(0, 16),
        "minReplicas": st.integers(0, 5),
        "servedModelName": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,30}", fullmatch=True),
        "predictorService": st.sampled_from(["headless", "headed"]),
        "url": st.sampled_from(["http://vllm.other.svc:8000/v1", "https://models.example.com/x/v1"]),
        "tlsVerify": st.booleans(),
        "apiTokenSecret": st.fixed_dictionaries({"name": dns_labels()}),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            entry[key] = draw(strategy)
    return entry


@st.composite
def stack_configs(draw: st.DrawFn, max_models: int = 6, releases: Sequence[str] = SUPPORTED) -> dict[str, Any]:
    """A valid stack config of one of `releases` (every supported release unless told)."""
    names = draw(st.lists(isvc_names(max_size=20), min_size=1, max_size=max_models, unique=True))
    release = draw(st.sampled_from(releases))
    config: dict[str, Any] = {
        "release": release,
        "namespace": draw(dns_labels()),
        "models": [draw(models(name)) for name in names],
    }
    if draw(st.booleans()):
        config["playground"] = {
            "rag": draw(st.booleans()),
            "defaultMaxTokens": draw(st.integers(1, 100_000)),
            "replicas": draw(st.integers(1, 3)),
        }
        # A state volume rolls out only with one replica, on a release whose operator recreates such a server.
        if PROFILES[release].storage_rollout == "recreate" and draw(st.booleans()):
            config["playground"]["storageSize"] = draw(st.sampled_from(["1Gi", "500Mi", "20G"]))
            config["playground"]["replicas"] = 1
        # A key only some releases have, only on a release that has it.
        if NETWORK_ALLOWED_FROM in PROFILES[release].features and draw(st.booleans()):
            config["playground"]["allowedFromNamespaces"] = draw(st.lists(dns_labels(max_size=20), max_size=3))
    if draw(st.booleans()):
        config["prerequisites"] = {"manage": draw(st.booleans())}
    return config


# One broken value per case: (key inside a model, a value that key never accepts).
BAD_MODEL_VALUES: list[tuple[str, Any]] = [
    ("name", "Not_A_Label"),
    ("name", "x" * 54),
    ("name", "7b-instruct"),
    ("displayName", "two\nlines"),
    ("servedModelName", "nul\u0000"),
    ("useCase", ""),
    ("gpus", -1),
    ("gpus", "four"),
    ("contextLength", 0),
    ("maxTokens", -5),
    ("minReplicas", 1.5),
    ("predictorService", "clusterip"),
    ("url", "ftp://x/v1"),
    ("discover", "maybe"),
    ("apiTokenSecret", {"name": "UPPER"}),
    ("apiTokenSecret", "a-secret"),
    ("tlsVerify", {"yes": 1}),
    ("maxTokenz", 100),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
