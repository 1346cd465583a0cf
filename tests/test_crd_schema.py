"""tests/support/crd_schema: finds the CRDs; stricter than the API server where the server would prune silently."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from tests.support import crd_schema

VALID_LSD: dict[str, Any] = {
    "apiVersion": "llamastack.io/v1alpha1",
    "kind": "LlamaStackDistribution",
    "metadata": {"name": "lsd-genai-playground", "namespace": "private-ai"},
    "spec": {
        "replicas": 1,
        "server": {
            "distribution": {"name": "rh-dev"},
            "containerSpec": {"name": "llama-stack", "port": 8321},
            "userConfig": {"configMapName": "llama-stack-config"},
        },
    },
}


def lsd(**spec: Any) -> dict[str, Any]:
    obj = copy.deepcopy(VALID_LSD)
    obj["spec"].update(spec)
    return obj


def problems_against(schema: dict[str, Any], body: Any) -> list[str]:
    return [error.message for error in Draft202012Validator(crd_schema.strict(schema)).iter_errors(body)]


# ---------------------------------------------------------------------------------- the real 3.0 CRD


def test_a_valid_llama_stack_distribution_passes(crds: Path) -> None:
    assert crd_schema.validate(VALID_LSD, crds) == []


def test_spec_network_is_rejected_with_its_path(crds: Path) -> None:
    """spec.network came after RHOAI 3.0: the 3.0 server would drop it, so the route is never exposed."""
    assert crd_schema.validate(lsd(network={"exposeRoute": True}), crds) == [
        "spec: Additional properties are not allowed ('network' was unexpected)"
    ]


def test_the_crd_itself_does_not_forbid_unknown_fields(crds: Path) -> None:
    """Why the validator adds additionalProperties: false: the structural schema alone accepts spec.network."""
    raw = crd_schema.schemas(crds)[("llamastack.io/v1alpha1", "LlamaStackDistribution")]
    assert "additionalProperties" not in raw["properties"]["spec"]
    body = {"spec": lsd(network={"exposeRoute": True})["spec"]}
    assert list(Draft202012Validator(raw).iter_errors(body)) == []


def test_nested_type_errors_and_missing_required_fields_name_their_path(crds: Path) -> None:
    obj = lsd()
    obj["spec"]["server"]["containerSpec"]["port"] = "8321"
    del obj["spec"]["server"]["distribution"]
    problems = crd_schema.validate(obj, crds)
    assert "spec.server: 'distribution' is a required property" in problems
    assert "spec.server.containerSpec.port: '8321' is not of type 'integer'" in problems


def test_metadata_is_left_to_the_api_server(crds: Path) -> None:
    obj = lsd()
    obj["metadata"] = {"name": "x", "labels": {"a": "b"}, "annotations": {"pulumi.com/waitFor": "..."}, "uid": "u"}
    assert crd_schema.validate(obj, crds) == []


def test_an_unknown_kind_or_version_is_an_error(crds: Path) -> None:
    assert crd_schema.validate({**VALID_LSD, "apiVersion": "llamastack.io/v1"}, crds) == [
        "no CRD serves llamastack.io/v1 LlamaStackDistribution"
    ]


def test_objects_with_crds_skips_core_kinds(crds: Path) -> None:
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    assert list(crd_schema.objects_with_crds([config_map, VALID_LSD], crds)) == [VALID_LSD]


# ---------------------------------------------------------------------- the schema translation rules


OBJECT = {"type": "object", "properties": {"a": {"type": "string"}}}


def unexpected(name: str) -> list[str]:
    return [f"Additional properties are not allowed ('{name}' was unexpected)"]


def test_listed_properties_only() -> None:
    assert problems_against(OBJECT, {"a": "x"}) == []
    assert problems_against(OBJECT, {"a": "x", "b": 1}) == unexpected("b")


def test_preserve_unknown_fields_allows_anything_there() -> None:
    schema = {**OBJECT, "x-kubernetes-preserve-unknown-fields": True}
    assert problems_against(schema, {"a": "x", "b": {"c": 1}}) == []


def test_an_explicit_additional_properties_schema_is_kept() -> None:
    """A map (labels, limits by name): any key, each value checked against the map's value schema."""
    schema = {"type": "object", "additionalProperties": OBJECT}
    assert problems_against(schema, {"free": {"a": "x"}, "premium": {"a": "y"}}) == []
    assert problems_against(schema, {"free": {"z": 1}}) == unexpected("z")


def test_int_or_string_takes_both_and_nothing_else() -> None:
    schema = {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert problems_against(schema, 80) == problems_against(schema, "80%") == []
    assert problems_against(schema, [80]) != []


def test_strictness_reaches_into_items_and_combinators() -> None:
    schema = {"type": "array", "items": {"anyOf": [OBJECT]}}
    assert problems_against(schema, [{"a": "x"}]) == []
    assert problems_against(schema, [{"b": "x"}]) != []


def test_nullable_allows_null_and_only_there() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "nullable": True}, "b": {"type": "string"}}}
    assert problems_against(schema, {"a": None}) == []
    assert problems_against(schema, {"b": None}) == ["None is not of type 'string'"]


def test_only_served_versions_are_indexed(tmp_path: Path) -> None:
    crd = {
        "spec": {
            "group": "example.io",
            "names": {"kind": "Thing"},
            "versions": [
                {"name": "v1", "served": True, "schema": {"openAPIV3Schema": OBJECT}},
                {"name": "v0", "served": False, "schema": {"openAPIV3Schema": OBJECT}},
            ],
        }
    }
    (tmp_path / "things.example.io.yaml").write_text(yaml.safe_dump(crd))
    assert set(crd_schema.schemas(tmp_path)) == {("example.io/v1", "Thing")}
    assert crd_schema.validate({"apiVersion": "example.io/v1", "kind": "Thing", "a": "x"}, tmp_path) == []
