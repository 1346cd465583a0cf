"""Validate rendered Kubernetes objects against the CRD schemas of the cluster's operators.

The CRD files are upstream's, pinned by commit and sha256 (tests/support/upstream_files.py: a configured folder,
an offline mirror beside the repository, or `.cache/crds`). Validation is stricter than the API server: a field
the schema does not list is an error here, where the server would prune it silently (a pruned field is a setting
that never takes effect).
Not checked: CEL rules (`x-kubernetes-validations`), list-map key uniqueness, and `format`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from tests.support.upstream_files import CRDS, RELEASE_CRDS

# One folder of CRD files, or several where a later folder's file replaces an earlier one of the same name.
Folders = Path | tuple[Path, ...]
# libyaml's loader where PyYAML has it: the InferenceService CRD alone is 1 MB of YAML.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def crds_dir() -> Path:
    """The folder of pinned upstream CRDs (RHOAI 3.0's)."""
    return CRDS.find()


def release_crds(crd_folder: str) -> Folders:
    """The CRDs of one RHOAI release (a profile's `crd_folder`): 3.0's, with the files that release changes."""
    return (CRDS.find(), RELEASE_CRDS[crd_folder].find()) if crd_folder else CRDS.find()


def crd_files(directory: Folders) -> list[Path]:
    """The CRD files of the folder(s); a file of a later folder replaces the earlier one of the same name."""
    folders = directory if isinstance(directory, tuple) else (directory,)
    by_name = {path.name: path for folder in folders for path in sorted(folder.glob("*.yaml"))}
    return [by_name[name] for name in sorted(by_name)]


@cache
def schemas(directory: Folders) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema, for every served version of every CRD in the folder(s)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in crd_files(directory):
        crd = yaml.load(path.read_text(), Loader=SafeLoader)
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served", True):
                found[(f"{group}/{version['name']}", kind)] = version["schema"]["openAPIV3Schema"]
    return found


def validate(obj: Mapping[str, Any], directory: Folders | None = None) -> list[str]:
    """Problems of `obj` against its CRD, as `path: message`; empty when valid. A kind with no CRD is an error."""
    key = (str(obj.get("apiVersion")), str(obj.get("kind")))
    validator = _validator(directory or crds_dir(), key)
    if validator is None:
        return [f"no CRD serves {key[0]} {key[1]}"]
    problems = []
    for error in sorted(validator.iter_errors(_body(obj)), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(part) for part in error.absolute_path) or "(object)"
        problems.append(f"{path}: {error.message}")
    return problems


@cache
def _validator(directory: Folders, key: tuple[str, str]) -> Draft202012Validator | None:
    schema = schemas(directory).get(key)
    return Draft202012Validator(strict(schema)) if schema is not None else None


def strict(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The structural schema as JSON Schema: listed properties only, int-or-string allowed both ways."""
    result = {key: _strict_value(key, value) for key, value in schema.items() if not key.startswith("x-kubernetes")}
    if schema.get("x-kubernetes-int-or-string"):
        result.pop("type", None)
        result["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    lists_properties = "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields")
    if lists_properties and "additionalProperties" not in schema:
        result["additionalProperties"] = False
    if result.pop("nullable", False):
        # OpenAPI's nullable is no JSON Schema keyword: null is allowed beside whatever the schema allows.
        return {"anyOf": [result, {"type": "null"}]}
    return result


def _strict_value(key: str, value: Any) -> Any:
    if key in ("properties", "patternProperties"):
        return {name: strict(sub) for name, sub in value.items()}
    if key in ("items", "additionalProperties", "not") and isinstance(value, Mapping):
        return strict(value)
    if key in ("allOf", "anyOf", "oneOf"):
        return [strict(sub) for sub in value]
    return value


def _body(obj: Mapping[str, Any]) -> dict[str, Any]:
    # Type and object metadata are the API server's, not the CRD's: some CRD schemas do not even list them.
    return {key: value for key, value in obj.items() if key not in ("apiVersion", "kind", "metadata")}


def objects_with_crds(objects: list[dict[str, Any]], directory: Folders | None = None) -> Iterator[dict[str, Any]]:
    """The objects whose kind a CRD in the folder serves (core kinds such as ConfigMap have none)."""
    known = schemas(directory or crds_dir())
    return (obj for obj in objects if (obj.get("apiVersion"), obj.get("kind")) in known)
