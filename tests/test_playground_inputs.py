"""MCP servers, external endpoints, vector stores and dashboard flags: config, objects as the BFF reads them, and
the program's resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from genai_contract.dashboard_inputs import mcp_url_problems
from genai_contract.releases import PROFILES

from genai_playground.config import ConfigError, parse_stack_config
from genai_playground.input_objects import custom_endpoints_config_map, mcp_servers_patch, vector_stores_config_map
from genai_playground.manifests import dashboard_config_patch
from offline_preview.effects import Cluster
from offline_preview.engine import OfflineRunError
from offline_preview.plan import preview_plan
from offline_preview.snapshots import SnapshotIndex
from tests.conftest import model, stack
from tests.support import crd_schema
from tests.support.bff_inputs import (
    BffReadError,
    credential_secret_ref,
    read_external_models,
    read_mcp_servers,
    read_vector_stores,
)
from tests.support.destroy import destroy_effect
from tests.support.program import run_main
from tests.test_offline_preview import preview, project_with

MCP = [
    {
        "name": "cluster-tools",
        "url": "http://cluster-mcp.tools.svc.cluster.local:8000/mcp",
        "description": "Cluster status",
        "logo": "https://example.com/logo.png",
    },
    {"name": "weather", "url": "https://weather.example.com/sse", "transport": "sse"},
]
ENDPOINTS = [
    {
        "modelId": "gpt-4o-mini",
        "displayName": "GPT-4o mini",
        "baseUrl": "https://api.openai.com/v1",
        "useCases": "chat",
        "apiKeySecret": {"name": "openai-key"},
    },
    {
        "modelId": "nomic-embed",
        "baseUrl": "http://embed.models.svc.cluster.local:8080/v1",
        "modelType": "embedding",
        "embeddingDimension": 768,
    },
]
VECTOR_STORES = {
    "providers": [
        {
            "providerId": "pgvector",
            "providerType": "remote::pgvector",
            "config": {"host": "pgvector.db.svc.cluster.local", "port": 5432, "db": "docs", "user": "reader"},
            "credentialSecret": {"name": "pgvector-credentials", "key": "password"},
        },
        {"providerId": "milvus", "providerType": "remote::milvus", "config": {"uri": "http://milvus.db.svc:19530"}},
    ],
    "stores": [
        {
            "vectorStoreId": "vs_docs",
            "providerId": "pgvector",
            "embeddingModel": "ibm-granite/granite-embedding-125m-english",
            "embeddingDimension": 768,
            "name": "Product docs",
            "description": "Manuals",
        },
        {
            "vectorStoreId": "vs_code",
            "providerId": "milvus",
            "embeddingModel": "nomic-embed",
            "embeddingDimension": 768,
        },
    ],
}


def release_34(**overrides: Any) -> dict[str, Any]:
    return stack(release="3.4", **overrides)


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return caught.value.problems


# -------------------------------------------------------------------------------------------------- MCP servers


def test_mcp_servers_as_the_bff_reads_them() -> None:
    config = parse_stack_config(stack(mcpServers=MCP))
    patch = mcp_servers_patch(config.mcp_servers, config.dashboard_namespace)
    assert patch["metadata"] == {"name": "gen-ai-aa-mcp-servers", "namespace": "redhat-ods-applications"}
    servers = {server.name: server for server in read_mcp_servers(patch["data"])}
    assert set(servers) == {"cluster-tools", "weather"}
    tools = servers["cluster-tools"]
    assert (tools.url, tools.transport, tools.description, tools.logo) == (
        "http://cluster-mcp.tools.svc.cluster.local:8000/mcp",
        "streamable-http",
        "Cluster status",
        "https://example.com/logo.png",
    )
    assert (servers["weather"].transport, servers["weather"].description) == ("sse", "")


def test_the_mcp_patch_names_only_our_keys_and_no_metadata_others_could_own() -> None:
    config = parse_stack_config(stack(mcpServers=MCP[:1], dashboardNamespace="opendatahub"))
    patch = mcp_servers_patch(config.mcp_servers, config.dashboard_namespace)
    assert set(patch) == {"apiVersion", "kind", "metadata", "data"}
    assert patch["metadata"] == {"name": "gen-ai-aa-mcp-servers", "namespace": "opendatahub"}
    assert list(patch["data"]) == ["cluster-tools"]


def test_the_reader_refuses_a_field_the_go_struct_lacks() -> None:
    with pytest.raises(BffReadError, match="headers: no field"):
        read_mcp_servers({"x": '{"url": "http://a", "headers": {}}'})


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ({"name": "a", "url": "ftp://host/mcp"}, 'mcpServers[0].url: "ftp://host/mcp" is not allowed: must be an http'),
        ({"name": "a", "url": "http:///mcp"}, "mcpServers[0].url"),
        ({"name": "a", "url": "http://host:99999/mcp"}, "mcpServers[0].url"),
        ({"name": "a", "url": "http://a b/mcp"}, "without whitespace"),
        ({"name": "a", "url": "http://h/mcp", "transport": "websocket"}, 'mcpServers[0].transport: "websocket"'),
        ({"name": "a b", "url": "http://h/mcp"}, "mcpServers[0].name"),
        ({"name": "a", "url": "http://h/mcp", "headers": {}}, "mcpServers[0].headers: unknown key"),
    ],
)
def test_a_bad_mcp_server_is_a_config_error(server: dict[str, Any], expected: str) -> None:
    assert any(expected in problem for problem in problems(stack(mcpServers=[server]))), problems(
        stack(mcpServers=[server])
    )


def test_a_password_in_a_url_is_refused_and_never_shown() -> None:
    [problem] = problems(stack(mcpServers=[{"name": "a", "url": "https://admin:hunter2@h/mcp"}]))
    assert problem.startswith("mcpServers[0].url:") and "must not carry a user or password" in problem
    assert "hunter2" not in problem and "admin" not in problem


def test_a_server_name_twice_is_a_config_error() -> None:
    servers = [MCP[0], {**MCP[1], "name": "cluster-tools"}]
    assert problems(stack(mcpServers=servers)) == [
        "mcpServers: server name 'cluster-tools' appears twice: each is one ConfigMap key"
    ]


@pytest.mark.parametrize(
    ("url", "transport", "rules"),
    [
        ("http://mcp.tools.svc.cluster.local:8000/mcp", "streamable-http", []),
        ("http://mcp.tools.svc:8000/sse", "sse", []),
        ("https://mcp.example.com/mcp", "streamable-http", []),
        ("http://mcp:8000/mcp", "streamable-http", ["short-name"]),
        ("http://localhost:8000/mcp", "streamable-http", ["loopback"]),
        ("http://127.0.0.1:8000/mcp", "streamable-http", ["loopback"]),
        ("http://mcp.svc.cluster.local/mcp", "streamable-http", ["cluster-name"]),
        ("http://mcp.tools.svc.cluster.local/sse", "streamable-http", ["transport-path"]),
        ("http://mcp.tools.svc.cluster.local/mcp", "sse", ["transport-path"]),
        ("ws://mcp.tools.svc.cluster.local/mcp", "streamable-http", ["scheme"]),
    ],
)
def test_where_an_mcp_url_leads(url: str, transport: str, rules: list[str]) -> None:
    assert [problem.rule for problem in mcp_url_problems(url, transport)] == rules


# ------------------------------------------------------------------------------------ external model endpoints


def test_external_endpoints_as_the_34_bff_reads_them() -> None:
    config = parse_stack_config(release_34(externalEndpoints=ENDPOINTS))
    config_map = custom_endpoints_config_map(config.external_endpoints, config.namespace, config.profile)
    assert config_map["metadata"]["name"] == "gen-ai-aa-custom-model-endpoints"
    assert config_map["metadata"]["namespace"] == "private-ai"
    document = read_external_models(config_map["data"])
    llm, embedding = document["providers"]["inference"]
    assert llm == {
        "provider_id": "endpoint-1",
        "provider_type": "remote::openai",
        "config": {
            "base_url": "https://api.openai.com/v1",
            "allowed_models": ["gpt-4o-mini"],
            "custom_gen_ai": {"api_key": {"secretRef": {"name": "openai-key", "key": "api_key"}}},
        },
    }
    assert embedding["provider_type"] == "remote::passthrough" and "allowed_models" not in embedding["config"]
    assert embedding["config"]["custom_gen_ai"]["api_key"]["secretRef"] == {"name": "", "key": "api_key"}
    assert document["registered_resources"]["models"] == [
        {
            "provider_id": "endpoint-1",
            "model_id": "gpt-4o-mini",
            "model_type": "llm",
            "metadata": {"display_name": "GPT-4o mini", "custom_gen_ai": {"use_cases": "chat"}},
        },
        {
            "provider_id": "endpoint-2",
            "model_id": "nomic-embed",
            "model_type": "embedding",
            "metadata": {"display_name": "nomic-embed", "embedding_dimension": 768},
        },
    ]


@pytest.mark.parametrize("release", ["3.0", "3.2", "3.3"])
@pytest.mark.parametrize(("key", "value"), [("externalEndpoints", ENDPOINTS), ("vectorStores", VECTOR_STORES)])
def test_a_34_key_on_an_earlier_release_names_the_release_that_has_it(release: str, key: str, value: Any) -> None:
    having = ", ".join(r for r, profile in PROFILES.items() if key in profile.features)
    assert having.startswith("3.4")
    assert problems(stack(release=release, **{key: value})) == [
        f"{key}: not available on RHOAI {release} (the stack's `release`); it exists on RHOAI {having}: remove it, or "
        "set `release` to the cluster's release"
    ]


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ({"modelId": "m", "baseUrl": "api.openai.com/v1"}, "externalEndpoints[0].baseUrl"),
        ({"modelId": "m", "baseUrl": "https://h/v1", "modelType": "embedding"}, "embeddingDimension is set exactly"),
        ({"modelId": "m", "baseUrl": "https://h/v1", "embeddingDimension": 8}, "embeddingDimension is set exactly"),
        ({"modelId": "m", "baseUrl": "https://h/v1", "modelType": "rerank"}, "externalEndpoints[0].modelType"),
        ({"modelId": "m", "baseUrl": "https://h/v1", "apiKey": "sk-1"}, "externalEndpoints[0].apiKey: unknown key"),
    ],
)
def test_a_bad_external_endpoint_is_a_config_error(endpoint: dict[str, Any], expected: str) -> None:
    found = problems(release_34(externalEndpoints=[endpoint]))
    assert any(expected in problem for problem in found), found


def test_an_endpoint_twice_is_a_config_error() -> None:
    assert problems(release_34(externalEndpoints=[ENDPOINTS[0], ENDPOINTS[0]])) == [
        "externalEndpoints: modelId 'gpt-4o-mini' appears twice: each endpoint is listed once"
    ]


# ------------------------------------------------------------------------------------------ external vector stores


def test_vector_stores_as_the_34_bff_reads_them_with_credentials_only_in_secrets() -> None:
    config = parse_stack_config(release_34(vectorStores=VECTOR_STORES))
    assert config.vector_stores is not None
    config_map = vector_stores_config_map(config.vector_stores, config.namespace, config.profile)
    assert (config_map["metadata"]["name"], list(config_map["data"])) == ("gen-ai-aa-vector-stores", ["config.yaml"])
    document = read_vector_stores(config_map["data"])
    pgvector, milvus = document["providers"]["vector_io"]
    assert credential_secret_ref(pgvector) == {"name": "pgvector-credentials", "key": "password"}
    assert credential_secret_ref(milvus) is None
    assert {k: v for k, v in pgvector["config"].items() if k != "custom_gen_ai"} == VECTOR_STORES["providers"][0][
        "config"
    ]
    assert document["registered_resources"]["vector_stores"][0] == {
        "provider_id": "pgvector",
        "vector_store_id": "vs_docs",
        "embedding_model": "ibm-granite/granite-embedding-125m-english",
        "embedding_dimension": 768,
        "vector_store_name": "Product docs",
        "metadata": {"description": "Manuals"},
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda v: v["providers"][0]["config"].update(password="s3cret"),
            "vectorStores.providers[0].config: holds credentials (password)",
        ),
        (
            lambda v: v["providers"][1]["config"].update(auth={"apiKey": "k"}),
            "vectorStores.providers[1].config: holds credentials (auth.apiKey)",
        ),
        (lambda v: v["stores"][1].update(providerId="qdrant"), "stores: providerId qdrant is none of"),
        (lambda v: v["providers"][1].update(providerType="remote::chromadb"), "vectorStores.providers[1].providerType"),
        (lambda v: v["stores"].append(dict(v["stores"][0])), "stores: vectorStoreId vs_docs appears twice"),
    ],
)
def test_a_bad_vector_store_is_a_config_error(change: Any, expected: str) -> None:
    value = yaml.safe_load(yaml.safe_dump(VECTOR_STORES))
    change(value)
    found = problems(release_34(vectorStores=value))
    assert any(expected in problem for problem in found), found
    assert all("s3cret" not in problem for problem in found)


# -------------------------------------------------------------------------------------------------- dashboard flags


def odh_crd_flags(release: str) -> set[str]:
    folders = crd_schema.release_crds(PROFILES[release].crd_folder)
    schema = crd_schema.schemas(folders)[("opendatahub.io/v1alpha", "OdhDashboardConfig")]
    return set(schema["properties"]["spec"]["properties"]["dashboardConfig"]["properties"])


# The GenAI Studio flags a release may or may not have (rhoai-3.x.md section 5).
GENAI_FLAGS = {
    "genAiStudio",
    "modelAsService",
    "mlflow",
    "maasApiKeys",
    "aiAssetCustomEndpoints",
    "maasAuthPolicies",
    "externalVectorStores",
    "promptManagement",
    "guardrails",
    "genAiTracing",
    "mcpCatalog",
    "agentConfigManagement",
}


@pytest.mark.parametrize("release", list(PROFILES))
def test_the_profiles_flags_are_the_crds(crds: Path, release: str) -> None:
    in_crd = odh_crd_flags(release)
    profile = PROFILES[release]
    assert profile.dashboard_flags <= in_crd
    assert profile.dashboard_flags == GENAI_FLAGS & in_crd
    assert set(profile.input_flags.values()) <= profile.dashboard_flags


@pytest.mark.parametrize("release", list(PROFILES))
def test_the_dashboard_patch_validates_against_its_releases_crd(crds: Path, release: str) -> None:
    inputs = {"externalEndpoints": ENDPOINTS, "vectorStores": VECTOR_STORES} if release == "3.4" else {}
    flags = dict.fromkeys(sorted(PROFILES[release].dashboard_flags), True)
    config = parse_stack_config(
        stack(release=release, prerequisites={"manage": True, "dashboardFlags": flags}, **inputs)
    )
    patch = dashboard_config_patch(config.prerequisites, config.profile, config.declared_inputs())
    assert crd_schema.validate(patch, crd_schema.release_crds(config.profile.crd_folder)) == []


def test_declared_inputs_set_their_flags_and_the_stacks_own_flags_win() -> None:
    config = parse_stack_config(
        release_34(
            externalEndpoints=ENDPOINTS,
            vectorStores=VECTOR_STORES,
            prerequisites={"manage": True, "dashboardFlags": {"promptManagement": True, "externalVectorStores": False}},
        )
    )
    patch = dashboard_config_patch(config.prerequisites, config.profile, config.declared_inputs())
    assert patch["spec"]["dashboardConfig"] == {
        "genAiStudio": True,
        "aiAssetCustomEndpoints": True,
        "externalVectorStores": False,
        "promptManagement": True,
    }


def test_a_flag_the_release_lacks_is_a_config_error() -> None:
    found = problems(stack(release="3.3", prerequisites={"manage": True, "dashboardFlags": {"promptManagement": True}}))
    having = ", ".join(r for r, profile in PROFILES.items() if "promptManagement" in profile.dashboard_flags)
    assert found == [
        "prerequisites.dashboardFlags.promptManagement: not a flag of the RHOAI 3.3 OdhDashboardConfig (its CRD "
        f"prunes unknown fields silently); it exists on RHOAI {having}; flags of RHOAI 3.3: genAiStudio, mlflow, "
        "modelAsService"
    ]


def test_flags_without_manage_are_a_config_error() -> None:
    assert problems(stack(prerequisites={"dashboardFlags": {"modelAsService": True}})) == [
        "prerequisites.dashboardFlags: set, but nothing patches the OdhDashboardConfig: set prerequisites.manage"
    ]


# ---------------------------------------------------------------------------------------------- the program


def test_the_program_declares_every_input() -> None:
    run = run_main(
        release_34(
            mcpServers=MCP,
            externalEndpoints=ENDPOINTS,
            vectorStores=VECTOR_STORES,
            prerequisites={"manage": True},
        )
    )
    [component] = run.by_type("genai-playground:index:PlaygroundInputs")
    patch = run.one("kubernetes:core/v1:ConfigMapPatch", "inputs-mcp-servers")
    endpoints = run.one("kubernetes:core/v1:ConfigMap", "inputs-custom-endpoints")
    stores = run.one("kubernetes:core/v1:ConfigMap", "inputs-vector-stores")
    assert {patch.parent, endpoints.parent, stores.parent} == {component.urn}
    assert patch.inputs["metadata"] == {"name": "gen-ai-aa-mcp-servers", "namespace": "redhat-ods-applications"}
    assert sorted(s.name for s in read_mcp_servers(patch.inputs["data"])) == ["cluster-tools", "weather"]
    read_external_models(endpoints.inputs["data"])
    read_vector_stores(stores.inputs["data"])
    assert component.outputs["preExistingSecrets"] == [
        {"name": "openai-key", "key": "api_key"},
        {"name": "pgvector-credentials", "key": "password"},
    ]
    dashboard = run.one("kubernetes:opendatahub.io/v1alpha:OdhDashboardConfigPatch", "prerequisites-dashboard-config")
    assert dashboard.inputs["spec"]["dashboardConfig"] == {
        "genAiStudio": True,
        "aiAssetCustomEndpoints": True,
        "externalVectorStores": True,
    }


def test_no_inputs_no_component() -> None:
    assert run_main(stack()).by_type("genai-playground:index:PlaygroundInputs") == []


def test_a_bad_input_registers_nothing() -> None:
    with pytest.raises(OfflineRunError) as caught:
        run_main(stack(mcpServers=[MCP[0], MCP[0]]))
    assert "mcpServers: server name 'cluster-tools' appears twice" in str(caught.value)


def test_a_bad_input_exits_2_with_the_key_path_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    project = project_with(
        tmp_path / "project", {"namespace": "private-ai", "models": [model()], "vectorStores": VECTOR_STORES}
    )
    out = tmp_path / "manifests"
    result = preview("--stack", "test", "--project-dir", str(project), "--render-dir", str(out), "--no-policy-pack")
    assert result.returncode == 2, result.stderr
    assert "vectorStores: not available on RHOAI 3.0" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_destroy_gives_back_our_mcp_keys_and_deletes_only_our_config_maps() -> None:
    run = run_main(release_34(mcpServers=MCP, externalEndpoints=ENDPOINTS, vectorStores=VECTOR_STORES))
    effects = {r.name: destroy_effect(r) for r in run.resources if r.name.startswith("inputs")}
    assert effects == {
        "inputs": "nothing (component)",
        "inputs-mcp-servers": "fields given back (object kept)",  # other projects' keys and the ConfigMap stay
        "inputs-custom-endpoints": "deleted",
        "inputs-vector-stores": "deleted",
    }
    assert not [r for r in run.resources if r.type == "kubernetes:core/v1:Secret"]  # referenced, never created


def test_the_preview_says_destroy_gives_back_only_our_mcp_keys() -> None:
    run = run_main(stack(mcpServers=MCP))
    [row] = [r for r in preview_plan(run, None, Cluster(SnapshotIndex([]), {})).rows if r.name == "inputs-mcp-servers"]
    assert [(effect.kind, effect.message) for effect in row.effects] == [
        (
            "on-destroy",
            "on destroy gives back from redhat-ods-applications/gen-ai-aa-mcp-servers: data keys cluster-tools, "
            "weather; other keys, and the ConfigMap, stay",
        )
    ]
