"""The pack as the engine runs it (`python -m pulumi.policy <engine> .`): build it and serve. Never import this."""

from genai_policies import ALL_POLICIES, PACK_NAME
from genai_policies._config import install_config_check
from pulumi_policy import EnforcementLevel, PolicyPack

# The engine cannot refuse an unknown policy name or key by schema; the pack's Configure does (see _config).
install_config_check(ALL_POLICIES)

PolicyPack(
    name=PACK_NAME,
    # Each policy sets its own level; this is only the fallback for one that does not.
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=ALL_POLICIES,
    description="Blocks GenAI Playground configs (RHOAI 3.0) that would break at runtime.",
)
