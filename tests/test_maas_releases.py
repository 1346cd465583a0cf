"""MaaS as each release ships it: the objects, switches and config keys of 3.0, 3.2, 3.3 and 3.4 (and 3.5's switch).

Each release renders exactly what its upstream leaves to the platform team (genai_contract.releases.maas cites
the files), valid against that release's pinned CRDs; what the operator deploys itself is never rendered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.releases import PROFILES, SUPPORTED
from genai_contract.releases import maas as flavours
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_playground import maas
from genai_playground.config import ConfigError, parse_stack_config
from offline_preview.engine import ProgramRun
from offline_preview.report import text_report
from offline_preview.snapshots import SnapshotIndex
from tests.config_strategies import dns_labels
from tests.conftest import stack
from tests.support import crd_schema, pulumi_state
from tests.support.isvc_snapshots import data_science_cluster
from tests.support.program import run_main
from tests.support.upstream_files import CRDS, RELEASE_CRDS
from tests.test_crds import ENABLED_MAAS, release_crds
from tests.test_offline_preview import preview, project_with
from tests.test_preview_diff import preview as preview_diff
from tests.test_preview_diff import row

COMPONENT = "genai-playground:index:MaasGatewayPlaceholder"
TIERS_ANNOTATION = "alpha.maas.opendatahub.io/tiers"
MAAS_CRD = "maassubscriptions.maas.opendatahub.io.yaml"
SUBSCRIBED_MAAS: dict[str, Any] = {
    **ENABLED_MAAS,
    "connectivityLinkVersion": "1.3",
    "databaseSecret": "maas-db-config",
    "models": [{"name": "qwen3", "namespace": "llm"}, {"name": "granite", "servedModelName": "ibm/granite"}],
    "subscriptions": [
        {"name": "everyone", "groups": ["system:authenticated"], "tokenLimit": {"limit": 100, "window": "1m"}},
        {
            "name": "premium",
            "groups": ["premium-group"],
            "users": ["alice"],
            "models": ["granite"],
            "tokenLimit": {"limit": 50000, "window": "1m"},
            "priority": 10,
        },
    ],
}
GATEWAY = ("Gateway", "openshift-ingress/maas-default-gateway")
ENROLLMENTS = {
    "maas-qwen3-enrollment": ("LLMInferenceService", "llm/qwen3"),
    "maas-granite-enrollment": ("LLMInferenceService", "private-ai/granite"),
}
SCRIPT_OBJECTS = {
    "maas-gateway": GATEWAY,
    "maas-auth-policy": ("AuthPolicy", "openshift-ingress/gateway-auth-policy"),
    "maas-rate-limits": ("RateLimitPolicy", "openshift-ingress/gateway-rate-limits"),
    "maas-token-rate-limits": ("TokenRateLimitPolicy", "openshift-ingress/gateway-token-rate-limits"),
    **ENROLLMENTS,
}
SWITCH = ("DataScienceCluster", "/default-dsc")
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {  # by flavour name
    flavours.SCRIPT_0_0_1.name: {
        **SCRIPT_OBJECTS,
        "maas-tier-mapping": ("ConfigMap", "maas-api/tier-to-group-mapping"),
    },
    flavours.SCRIPT_0_0_2.name: {
        **SCRIPT_OBJECTS,
        "maas-tier-mapping": ("ConfigMap", "redhat-ods-applications/tier-to-group-mapping"),
    },
    # The operator deploys maas-api, the gateway AuthPolicy and the tier ConfigMap; no request-count limits.
    flavours.KSERVE_OPERATOR.name: {
        "maas-gateway": GATEWAY,
        "maas-token-rate-limits": ("TokenRateLimitPolicy", "openshift-ingress/gateway-token-rate-limits"),
        "maas-datasciencecluster": SWITCH,
        **ENROLLMENTS,
    },
    # Subscriptions replace tiers; maas-controller writes the Kuadrant policies from them.
    flavours.MAAS_CRDS.name: {
        "maas-gateway": GATEWAY,
        "maas-datasciencecluster": SWITCH,
        "maas-everyone-subscription": ("MaaSSubscription", "models-as-a-service/everyone"),
        "maas-everyone-access": ("MaaSAuthPolicy", "models-as-a-service/everyone"),
        "maas-premium-subscription": ("MaaSSubscription", "models-as-a-service/premium"),
        "maas-premium-access": ("MaaSAuthPolicy", "models-as-a-service/premium"),
        "maas-qwen3-model-ref": ("MaaSModelRef", "llm/qwen3"),
        "maas-granite-model-ref": ("MaaSModelRef", "private-ai/granite"),
        **ENROLLMENTS,
    },
}
# 3.5: the same objects, another switch.
EXPECTED[flavours.AIGATEWAY_OPERATOR.name] = EXPECTED[flavours.MAAS_CRDS.name]


def maas_config(release: str) -> dict[str, Any]:
    subscribed = PROFILES[release].maas.access == "subscriptions"
    if subscribed:
        return SUBSCRIBED_MAAS
    return {**ENABLED_MAAS, "models": [{"name": "qwen3", "namespace": "llm"}, {"name": "granite", "tiers": ["free"]}]}


def run_release(release: str, **overrides: Any) -> ProgramRun:
    return run_main(stack(release=release, maas={**maas_config(release), **overrides}))


def children(result: ProgramRun) -> dict[str, Any]:
    [component] = result.by_type(COMPONENT)
    return {r.name: r for r in result.resources if r.parent == component.urn}


def where(inputs: dict[str, Any]) -> str:
    metadata = inputs["metadata"]
    return f"{metadata.get('namespace', '')}/{metadata['name']}"


def test_every_supported_release_says_how_it_ships_maas() -> None:
    assert {PROFILES[release].maas.name for release in SUPPORTED} <= set(EXPECTED)


@pytest.mark.parametrize("release", SUPPORTED)
def test_each_release_renders_exactly_its_objects(release: str) -> None:
    rendered = {name: (r.inputs["kind"], where(r.inputs)) for name, r in children(run_release(release)).items()}
    assert rendered == EXPECTED[PROFILES[release].maas.name]


@pytest.mark.parametrize("release", SUPPORTED)
def test_each_releases_objects_match_its_pinned_crds(release: str) -> None:
    """The inputs as the engine receives them, against the CRDs of that release (3.4: the MaaS CRDs too)."""
    crds = maas_crds(release)
    objects = [r.inputs for r in children(run_release(release)).values() if r.custom]
    checked = list(crd_schema.objects_with_crds(objects, crds))
    assert len(checked) == len([o for o in objects if o["kind"] != "ConfigMap"])
    for obj in checked:
        assert crd_schema.validate(obj, crds) == [], (obj["kind"], where(obj))


def maas_crds(release: str) -> crd_schema.Folders:
    """The release's CRDs; where its MaaS CRDs are not pinned (3.5: rhods-operator rhoai-3.5 moved them under
    prefetched-manifests/aigateway/, not mirrored), 3.4's MaaS CRDs, the nearest pinned, below its own files."""
    folder = PROFILES[release].crd_folder
    own = RELEASE_CRDS[folder].find() if folder else None
    if PROFILES[release].maas.access != "subscriptions" or own is None or (own / MAAS_CRD).is_file():
        return release_crds(release)
    return (CRDS.find(), RELEASE_CRDS["rhoai-3.4"].find(), own)


@pytest.mark.parametrize("release", [r for r in SUPPORTED if PROFILES[r].maas.dsc_switch])
def test_the_releases_switch_is_no_deprecated_field_of_its_datasciencecluster(release: str) -> None:
    """3.5 keeps kserve.modelsAsService only deprecated, and its CEL rule refuses turning it on anew: a release
    profile must name the switch its own DataScienceCluster CRD offers."""
    flavour = PROFILES[release].maas
    schema = crd_schema.schemas(release_crds(release))[(maas.DSC_API_VERSION, "DataScienceCluster")]
    for path in _leaf_paths(flavour.dsc_switch):
        node = schema["properties"]["spec"]["properties"]["components"]
        for part in path:
            node = node["properties"][part]
            assert not str(node.get("description", "")).startswith("Deprecated"), (release, path, part)


def _leaf_paths(tree: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(tree, dict) and not hasattr(tree, "items"):
        return [prefix]
    return [path for key, value in tree.items() for path in _leaf_paths(value, (*prefix, key))]


def test_a_maas_object_the_release_lacks_fails_its_crds() -> None:
    """Why the check is per release: a 3.4 MaaSSubscription is no kind 3.3 serves; its window is the CRD's."""
    item = parse_stack_config(stack(release="3.4", maas=SUBSCRIBED_MAAS)).maas
    manifest = maas.subscription(item, item.subscriptions[0], "private-ai", flavours.MAAS_CRDS)
    assert crd_schema.validate(manifest, release_crds("3.4")) == []
    assert crd_schema.validate(manifest, release_crds("3.3")) == [
        "no CRD serves maas.opendatahub.io/v1alpha1 MaaSSubscription"
    ]
    manifest["spec"]["modelRefs"][0]["tokenRateLimits"][0]["window"] = "1d"  # Kuadrant's pattern has no days either
    [problem] = crd_schema.validate(manifest, release_crds("3.4"))
    assert problem.startswith("spec.modelRefs.0.tokenRateLimits.0.window: '1d' does not match")


@pytest.mark.parametrize(
    ("flavour", "folder", "path"),
    [
        (flavours.KSERVE_OPERATOR, "rhoai-3.3", ("kserve", "modelsAsService")),
        (flavours.MAAS_CRDS, "rhoai-3.4", ("kserve", "modelsAsService")),
        (flavours.AIGATEWAY_OPERATOR, "rhoai-3.5", ("aigateway", "modelsAsAService")),
    ],
)
def test_the_switch_is_the_one_of_the_releases_datasciencecluster(
    flavour: flavours.MaasFlavour, folder: str, path: tuple[str, str]
) -> None:
    switch = maas.data_science_cluster_switch(flavour, "default-dsc")
    components = switch["spec"]["components"]
    assert components[path[0]][path[1]] == {"managementState": "Managed"}
    assert crd_schema.validate(switch, crd_schema.release_crds(folder)) == []


def test_the_35_switch_does_not_exist_before_35() -> None:
    """3.5 moved the switch under aigateway (v2 only); on 3.4's DataScienceCluster it would be pruned."""
    switch = maas.data_science_cluster_switch(flavours.AIGATEWAY_OPERATOR, "default-dsc")
    problems = crd_schema.validate(switch, crd_schema.release_crds("rhoai-3.4"))
    assert any("'aigateway' was unexpected" in problem for problem in problems)


def test_the_gateway_exists_before_the_operator_is_switched_on() -> None:
    """The operator refuses MaaS until the Gateway exists (validateGatewayExists)."""
    found = children(run_release("3.3"))
    assert found["maas-gateway"].urn in found["maas-datasciencecluster"].dependencies
    found = children(run_release("3.4"))
    assert found["maas-datasciencecluster"].urn in found["maas-everyone-subscription"].dependencies
    assert found["maas-everyone-access"].urn in found["maas-qwen3-enrollment"].dependencies


def test_32_follows_models_as_a_service_v0_0_2() -> None:
    found = children(run_release("3.2"))
    gateway = found["maas-gateway"].inputs
    assert gateway["metadata"]["annotations"] == {
        "opendatahub.io/managed": "false",
        "security.opendatahub.io/authorino-tls-bootstrap": "true",
    }
    auth = found["maas-auth-policy"].inputs["spec"]["rules"]
    assert auth["metadata"]["matchedTier"]["http"]["url"] == (
        "http://maas-api.redhat-ods-applications.svc.cluster.local:8080/v1/tiers/lookup"
    )
    assert auth["authentication"]["service-accounts"]["cache"]["ttl"] == 600
    assert auth["authorization"]["tier-access"]["cache"]["ttl"] == 60
    tiers = yaml.safe_load(found["maas-tier-mapping"].inputs["data"]["tiers"])
    assert tiers[0] == {
        "name": "free",
        "displayName": "Free Tier",
        "level": 0,
        "groups": ["tier-free-users", "system:authenticated"],
    }


def test_30_renders_what_it_rendered_before() -> None:
    found = children(run_release("3.0"))
    assert "annotations" not in found["maas-gateway"].inputs["metadata"]
    rules = found["maas-auth-policy"].inputs["spec"]["rules"]
    assert rules["metadata"]["matchedTier"]["http"]["url"].startswith("http://maas-api.maas-api.svc")
    assert "cache" not in rules["authentication"]["service-accounts"]


def test_33_limits_the_operators_tiers_and_34_has_no_tiers() -> None:
    limits = children(run_release("3.3"))["maas-token-rate-limits"].inputs["spec"]["limits"]
    assert sorted(limits) == ["enterprise-user-tokens", "free-user-tokens", "premium-user-tokens"]
    enrollment = children(run_release("3.4"))["maas-granite-enrollment"].inputs
    assert "annotations" not in enrollment["metadata"]
    assert enrollment["spec"]["router"]["gateway"]["refs"] == [
        {"name": "maas-default-gateway", "namespace": "openshift-ingress"}
    ]


def test_34_subscriptions_and_access_policies_cover_their_models() -> None:
    found = children(run_release("3.4"))
    everyone = found["maas-everyone-subscription"].inputs["spec"]
    assert everyone["owner"] == {"groups": [{"name": "system:authenticated"}], "users": []}
    assert [(ref["namespace"], ref["name"]) for ref in everyone["modelRefs"]] == [
        ("llm", "qwen3"),
        ("private-ai", "granite"),
    ]
    premium = found["maas-premium-access"].inputs["spec"]
    assert premium == {
        "modelRefs": [{"name": "granite", "namespace": "private-ai"}],
        "subjects": {"groups": [{"name": "premium-group"}], "users": ["alice"]},
    }
    assert found["maas-granite-model-ref"].inputs["spec"] == {
        "modelRef": {"kind": "LLMInferenceService", "name": "granite"}
    }


# ------------------------------------------------------------------------------------------ bad input


def problems(release: str, **maas_keys: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(stack(release=release, maas=maas_keys))
    return caught.value.problems


def test_tiers_on_34_name_the_releases_that_have_them() -> None:
    [problem] = problems("3.4", tiers=[ENABLED_TIER])
    assert problem.startswith("maas.tiers: not available on RHOAI 3.4 (the stack's `release`)")
    assert "it exists on RHOAI 3.0, 3.2" in problem


def test_tiers_on_33_say_the_operator_deploys_them() -> None:
    [problem] = problems("3.3", tiers=[ENABLED_TIER])
    assert "the operator deploys ConfigMap redhat-ods-applications/tier-to-group-mapping" in problem
    assert "never renders what the operator deploys" in problem and "RHOAI 3.0, 3.2" in problem


@pytest.mark.parametrize("release", ["3.0", "3.2", "3.3"])
def test_subscriptions_and_the_database_secret_exist_on_34_only(release: str) -> None:
    subscription = SUBSCRIBED_MAAS["subscriptions"][0]
    found = problems(release, subscriptions=[subscription], databaseSecret="maas-db-config")
    assert [p.split(":", 1)[0] for p in found] == ["maas.databaseSecret", "maas.subscriptions"]
    assert all("it exists on RHOAI 3.4" in p for p in found)


def test_model_tiers_on_34() -> None:
    [problem] = problems("3.4", models=[{"name": "m", "tiers": ["free"]}])
    assert problem.startswith("maas.models[0].tiers: not available on RHOAI 3.4")
    assert "RHOAI 3.0, 3.2, 3.3" in problem


def test_34_prerequisites_are_listed_as_today() -> None:
    found = problems(
        "3.4", **{**SUBSCRIBED_MAAS, "connectivityLinkVersion": "1.2"} | {"databaseSecret": None, "subscriptions": []}
    )
    assert [p.split(": ", 1)[0] for p in found] == [
        "maas.connectivityLinkVersion",
        "maas.databaseSecret",
        "maas.subscriptions",
    ]
    assert "'1.2' is too old: MaaS needs Red Hat Connectivity Link >= 1.3" in found[0]
    assert "create the PostgreSQL Secret redhat-ods-applications/maas-db-config" in found[1]


def test_the_database_secret_is_the_one_maas_api_reads() -> None:
    [problem] = problems("3.4", **{**SUBSCRIBED_MAAS, "databaseSecret": "my-db"})
    assert (
        problem == "maas.databaseSecret: 'my-db': maas-api reads only the Secret redhat-ods-applications/maas-db-config"
    )


def test_a_subscription_names_enrolled_models_and_someone() -> None:
    bad = {**SUBSCRIBED_MAAS["subscriptions"][1], "models": ["gpt"]}
    [problem] = problems("3.4", **{**SUBSCRIBED_MAAS, "subscriptions": [bad]})
    assert problem.startswith("maas.subscriptions[0].models: not enrolled: ['gpt']")
    nobody = {"name": "x", "tokenLimit": {"limit": 1, "window": "1m"}}
    [problem] = problems("3.4", **{**SUBSCRIBED_MAAS, "subscriptions": [nobody]})
    assert "at least one group or user" in problem


def test_a_maas_model_may_not_share_a_served_models_name() -> None:
    raw = stack(release="3.0", maas={**ENABLED_MAAS, "models": [{"name": "mistral-3-int4"}]})
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    [problem] = caught.value.problems
    assert problem.startswith('maas.models[0].name: "mistral-3-int4" is not allowed: a model of `models`')


ENABLED_TIER = {
    "name": "gold",
    "level": 3,
    "groups": ["g"],
    "requestLimit": {"limit": 1, "window": "1m"},
    "tokenLimit": {"limit": 1, "window": "1m"},
}


# ------------------------------------------------------------------------------------------ the playground


def run_yaml(result: ProgramRun) -> dict[str, Any]:
    [config_map] = [r for r in result.resources if r.name == "playground-run-config"]
    [text] = config_map.inputs["data"].values()
    return dict(yaml.safe_load(text))


@pytest.mark.parametrize("release", SUPPORTED)
def test_enrolled_models_appear_in_the_playground_as_maas_providers(release: str) -> None:
    document = run_yaml(run_release(release))
    field = PROFILES[release].vllm_url_field
    providers = {p["provider_id"]: p["config"] for p in document["providers"]["inference"]}
    assert providers["maas-qwen3"][field] == "https://maas.apps.cluster.example.com/llm/qwen3/v1"
    assert providers["maas-granite"][field] == "https://maas.apps.cluster.example.com/private-ai/granite/v1"
    assert providers["maas-qwen3"]["api_token"] == "${env.VLLM_API_TOKEN_QWEN3:=fake}"  # the dashboard swaps it
    models = document["models"] if "models" in document else document["registered_resources"]["models"]
    ids = {m["model_id"]: m["provider_model_id"] for m in models if m["provider_id"].startswith("maas-")}
    served = "ibm/granite" if PROFILES[release].maas.access == "subscriptions" else "granite"
    assert ids == {"maas-qwen3/qwen3": "qwen3", "maas-granite/granite": served}


def test_off_no_maas_provider() -> None:
    document = run_yaml(run_main(stack(maas={**ENABLED_MAAS, "enabled": False})))
    assert not [p for p in document["providers"]["inference"] if p["provider_id"].startswith("maas-")]


@pytest.mark.parametrize("release", SUPPORTED)
def test_each_release_passes_the_pack_end_to_end(release: str, tmp_path: Path) -> None:
    """The real program with MaaS on, through the offline preview and the real pack: no violation on any release
    (the maas- providers included, with the pack's run-config rule of each release)."""
    project = project_with(tmp_path, stack(release=release, maas=maas_config(release)))
    result = preview("--stack", "test", "--project-dir", str(project), "--json")
    assert result.returncode == 0, result.stderr + result.stdout
    assert json.loads(result.stdout)["violations"] == []


# ------------------------------------------------------------------------------------------ a move


def test_the_preview_shows_a_move_from_32_to_34(tmp_path: Path) -> None:
    """`--state` of a 3.2 stack with MaaS, previewed as 3.4: what goes, what stays, what comes."""
    old = run_release("3.2")
    state = pulumi_state.write(tmp_path / "stack.json", pulumi_state.export(old))
    new = run_release("3.4")
    result = preview_diff(new, state)
    ops = {r.name: r.op for r in result.rows if r.name.startswith("maas-")}
    assert ops == {
        "maas-gateway": "same",  # 3.2 and 3.4 annotate it alike
        "maas-auth-policy": "delete",
        "maas-rate-limits": "delete",
        "maas-token-rate-limits": "delete",
        "maas-tier-mapping": "delete",
        "maas-datasciencecluster": "create",
        "maas-everyone-subscription": "create",
        "maas-everyone-access": "create",
        "maas-premium-subscription": "create",
        "maas-premium-access": "create",
        "maas-qwen3-model-ref": "create",
        "maas-granite-model-ref": "create",
        "maas-qwen3-enrollment": "update",
        "maas-granite-enrollment": "update",
    }
    assert row(result, "maas-auth-policy").effects[0].kind == "kept"
    [change] = row(result, "maas-qwen3-enrollment").diff
    assert (change.path, change.old, change.new) == ("metadata.annotations", {TIERS_ANNOTATION: "[]"}, None)
    # The component's own output says the release moved.
    assert any(c.path == "release" and (c.old, c.new) == ("3.2", "3.4") for c in row(result, "maas").diff)


def test_the_preview_shows_a_move_from_30_to_33(tmp_path: Path) -> None:
    state = pulumi_state.write(tmp_path / "stack.json", pulumi_state.export(run_release("3.0")))
    result = preview_diff(run_release("3.3"), state)
    ops = {r.name: r.op for r in result.rows if r.name.startswith("maas-")}
    assert ops["maas-gateway"] == "update"  # v0.0.2's annotations arrive
    assert ops["maas-token-rate-limits"] == "same"  # upstream's tiers, the same limits
    assert (ops["maas-rate-limits"], ops["maas-tier-mapping"], ops["maas-datasciencecluster"]) == (
        "delete",
        "delete",
        "create",
    )


def test_the_text_report_of_a_move_names_each_change(tmp_path: Path) -> None:
    state = pulumi_state.write(tmp_path / "stack.json", pulumi_state.export(run_release("3.2")))
    run = run_release("3.4")
    text = text_report(run, preview_diff(run, state), [], "")
    ops = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) > 3 and words[-2].startswith("maas-") and words[-1] in ("create", "delete", "update"):
            ops[words[-2]] = (words[0], words[-1])
    assert ops["maas-datasciencecluster"] == ops["maas-everyone-subscription"] == ("+", "create")
    assert ops["maas-rate-limits"] == ops["maas-tier-mapping"] == ops["maas-auth-policy"] == ("-", "delete")
    assert "openshift-ingress/gateway-auth-policy stays on the cluster (retainOnDelete)" in text
    assert "[diff: -tiers,~release,+operatorDeploys,+subscriptions]" in text


@st.composite
def subscribed_configs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(dns_labels(max_size=30), min_size=1, max_size=3, unique=True))
    models = [{"name": name, **({"namespace": "llm"} if draw(st.booleans()) else {})} for name in names]
    windows = st.from_regex(maas.SUBSCRIPTION_WINDOW, fullmatch=True)
    subscriptions = [
        {
            "name": name,
            "groups": draw(st.lists(st.sampled_from(["system:authenticated", "a", "b:c"]), max_size=2)) or ["g"],
            "users": draw(st.lists(st.sampled_from(["alice", "bob"]), max_size=2, unique=True)),
            "models": draw(st.lists(st.sampled_from(names), unique=True)),
            "tokenLimit": {"limit": draw(st.integers(1, maas.MAX_SUBSCRIPTION_TOKENS)), "window": draw(windows)},
            "priority": draw(st.integers(0, 100)),
        }
        for name in draw(st.lists(dns_labels(max_size=30), min_size=1, max_size=3, unique=True))
    ]
    return {**SUBSCRIBED_MAAS, "models": models, "subscriptions": subscriptions}


@settings(max_examples=40, deadline=None)
@given(subscribed_configs())
def test_any_valid_34_config_renders_crd_valid_maas_objects(raw: dict[str, Any]) -> None:
    config = parse_stack_config(stack(release="3.4", maas=raw))
    flavour, crds = config.profile.maas, release_crds("3.4")
    objects = [maas.data_science_cluster_switch(flavour, "default-dsc"), maas.gateway(config.maas, flavour)]
    for item in config.maas.subscriptions:
        objects += [maas.subscription(config.maas, item, "private-ai", flavour)]
        objects += [maas.access_policy(config.maas, item, "private-ai", flavour)]
    for model in config.maas.models:
        objects += [maas.model_ref(model, "private-ai"), maas.model_enrollment(model, "private-ai", {}, flavour)]
    for obj in objects:
        assert crd_schema.validate(obj, crds) == [], obj["kind"]


@pytest.mark.parametrize(
    ("release", "maas_keys", "expected"),
    [
        ("3.4", {"tiers": [ENABLED_TIER]}, "maas.tiers: not available on RHOAI 3.4"),
        (
            "3.3",
            {"tiers": [ENABLED_TIER]},
            "the operator deploys ConfigMap redhat-ods-applications/tier-to-group-mapping",
        ),
        ("3.0", {"databaseSecret": "maas-db-config"}, "maas.databaseSecret: not available on RHOAI 3.0"),
        ("3.5", {"enabled": True}, "maas.databaseSecret: required: create the PostgreSQL Secret"),
    ],
)
def test_the_preview_refuses_bad_maas_input_with_exit_2(
    tmp_path: Path, release: str, maas_keys: dict[str, Any], expected: str
) -> None:
    project = project_with(tmp_path, stack(release=release, maas=maas_keys))
    result = preview("--stack", "test", "--project-dir", str(project), "--no-policy-pack")
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and result.stdout == ""


def test_every_maas_write_waits_for_the_clusters_release_check() -> None:
    """A stack that reads the cluster (prerequisites.manage) checks its release first: no MaaS object of 3.4 is
    written on a cluster of another release."""
    raw = stack(release="3.4", maas=SUBSCRIBED_MAAS, prerequisites={"manage": True})
    dsc = data_science_cluster("3.4.1", api_version=PROFILES["3.4"].dsc_api_version)
    result = run_main(raw, SnapshotIndex([dsc]))
    [check] = [r for r in result.resources if r.name == "cluster-release"]
    writes = [r for r in children(result).values() if r.custom and not r.read]
    assert len(writes) == len(EXPECTED[flavours.MAAS_CRDS.name])
    assert all(check.urn in r.dependencies for r in writes)
