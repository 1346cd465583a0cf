"""The pack as the engine runs it (`python -m pulumi.policy <engine> .`): build it and serve. Never import this."""

from genai_policies import ALL_POLICIES, PACK_NAME
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    # Each policy sets its own level; this is only the fallback for one that does not.
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
    description="Blocks GenAI Playground configs (RHOAI 3.0) that would break at runtime.",
)
