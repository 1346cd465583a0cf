"""Models-as-a-Service (MaaS) config and manifests. Placeholder until the MaaS issue lands."""

from genai_playground.model_base import CamelModel


class MaasConfig(CamelModel):
    """`maas:` in the stack file. Off by default."""

    enabled: bool = False
