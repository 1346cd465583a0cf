"""Pulumi resources from the plain manifests genai_playground renders (one place for the field mapping)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource, CustomResourcePatch

from genai_playground.config import ConfigError

Built = TypeVar("Built", CustomResource, CustomResourcePatch)
Value = TypeVar("Value")


def config_checked(build: Callable[[], Value]) -> Value:
    """Run a pure builder inside an apply: its ConfigError (say, a run.yaml over the ConfigMap limit) becomes a
    RunError, which Pulumi reports as a message, not a traceback."""
    try:
        return build()
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None


def custom_resource(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> CustomResource:
    """An object this stack owns: created on up, deleted on destroy."""
    return _build(CustomResource, name, manifest, opts)


def custom_resource_patch(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> CustomResourcePatch:
    """Fields of an object someone else owns: server-side applied on up, given back on destroy."""
    return _build(CustomResourcePatch, name, manifest, opts)


def _build(kind: type[Built], name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> Built:
    return kind(
        name,
        # Type-defining fields must be plain strings: the resource's type token is built from them.
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=manifest["metadata"],
        spec=manifest.get("spec"),
        opts=opts,
    )
