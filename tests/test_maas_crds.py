"""Every MaaS object validates against the 3.0 CRDs (Gateway API v1.2.1, Kuadrant v1.3.1, KServe rhoai-3.0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genai_contract.releases import maas as flavours
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_playground import maas
from genai_playground.maas import MaasConfig
from tests.config_strategies import dns_labels
from tests.support import crd_schema
from tests.test_maas_component import build
from tests.test_maas_config import READY

FLAVOUR = flavours.SCRIPT_0_0_1
KINDS = {"Gateway", "AuthPolicy", "RateLimitPolicy", "TokenRateLimitPolicy", "LLMInferenceService"}


def rendered(config: MaasConfig) -> list[dict[str, Any]]:
    return [
        maas.gateway(config, FLAVOUR),
        maas.auth_policy(FLAVOUR),
        maas.rate_limit_policy(config),
        maas.token_rate_limit_policy(config.tiers),
        *(maas.model_enrollment(model, "private-ai", {}, FLAVOUR) for model in config.models),
    ]


def test_what_the_component_registers_matches_the_crds(crds: Path) -> None:
    """The inputs as the engine receives them (after Pulumi's serialization), not only the builders' dicts."""
    result = build({**READY, "models": [{"name": "qwen3"}, {"name": "granite", "namespace": "llm", "tiers": ["free"]}]})
    objects = [r.inputs for r in result.resources if r.custom]
    checked = list(crd_schema.objects_with_crds(objects, crds))
    assert {obj["kind"] for obj in checked} == KINDS
    for obj in checked:
        assert crd_schema.validate(obj, crds) == [], obj["kind"]


def test_a_window_the_crd_refuses_is_caught(crds: Path) -> None:
    """Why the config's window pattern is Kuadrant's: the CRD refuses more than five digits."""
    policy = maas.rate_limit_policy(MaasConfig.model_validate(READY))
    policy["spec"]["limits"]["free"]["rates"][0]["window"] = "123456m"
    [problem] = crd_schema.validate(policy, crds)
    assert problem.startswith("spec.limits.free.rates.0.window: '123456m' does not match")


@st.composite
def tiers(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(dns_labels(max_size=maas.MAX_TIER_NAME), min_size=1, max_size=4, unique=True))
    windows = st.from_regex(maas.WINDOW, fullmatch=True)
    limits = st.fixed_dictionaries({"limit": st.integers(1, 10**9), "window": windows})
    return [
        {
            "name": name,
            "level": draw(st.integers(0, 10)),
            "groups": draw(st.lists(st.sampled_from(["system:authenticated", "a", "b:c"]), min_size=1, max_size=3)),
            "requestLimit": draw(limits),
            "tokenLimit": draw(limits),
        }
        for name in names
    ]


@st.composite
def maas_configs(draw: st.DrawFn) -> MaasConfig:
    tier_list = draw(tiers())
    tier_names = [t["name"] for t in tier_list]
    model_names = draw(st.lists(dns_labels(max_size=30), min_size=1, max_size=3, unique=True))
    models = [
        {
            "name": name,
            **({"namespace": draw(dns_labels(max_size=30))} if draw(st.booleans()) else {}),
            "tiers": draw(st.lists(st.sampled_from(tier_names), unique=True)),
        }
        for name in model_names
    ]
    domain = ".".join(draw(st.lists(dns_labels(max_size=20), min_size=2, max_size=4)))
    return MaasConfig.model_validate({**READY, "clusterDomain": domain, "tiers": tier_list, "models": models})


@settings(max_examples=60, deadline=None)
@given(maas_configs())
def test_any_valid_maas_config_renders_crd_valid_objects(config: MaasConfig) -> None:
    directory = crd_schema.crds_dir()
    assert maas.missing_prerequisites(config, FLAVOUR) == []
    for obj in rendered(config):
        assert crd_schema.validate(obj, directory) == [], obj["kind"]
