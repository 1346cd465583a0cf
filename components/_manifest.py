"""Pulumi resources from the plain manifests genai_playground renders (one place for the field mapping)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource, CustomResourcePatch


def custom_resource(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> CustomResource:
    """An object this stack owns: created on up, deleted on destroy."""
    return CustomResource(
        name,
        # Type-defining fields must be plain strings: the resource's type token is built from them.
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=manifest["metadata"],
        spec=manifest.get("spec"),
        opts=opts,
    )


def custom_resource_patch(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> CustomResourcePatch:
    """Fields of an object someone else owns: server-side applied on up, given back on destroy."""
    return CustomResourcePatch(
        name,
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=manifest["metadata"],
        spec=manifest.get("spec"),
        opts=opts,
    )
