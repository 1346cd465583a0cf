"""What `pulumi destroy` does to each recorded resource, and which kinds the user owns (never created or deleted)."""

from __future__ import annotations

from offline_preview.engine import RecordedResource
from offline_preview.plan import PATCHED_KINDS

# Kinds a user owns: the program may patch or read them, never create or delete them.
USER_OWNED_KINDS = PATCHED_KINDS | {"Secret"}


def destroy_effect(resource: RecordedResource) -> str:
    """What `pulumi destroy` does to the object on the cluster."""
    if not resource.custom:
        return "nothing (component)"
    if resource.read:
        return "nothing (read only)"
    if resource.retain_on_delete:
        return "kept (retainOnDelete)"
    if resource.type.endswith("Patch"):
        return "fields given back (object kept)"
    return "deleted"


def kind_of(resource: RecordedResource) -> str:
    kind = resource.type.rsplit(":", 1)[-1]
    return kind.removesuffix("Patch") if resource.custom and kind.endswith("Patch") else kind
