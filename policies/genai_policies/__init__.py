"""The GenAI Playground policy pack's rules, one module per policy; `ALL_POLICIES` is what the pack runs.

Importing this package starts nothing: only the pack's `__main__.py` builds the PolicyPack (and serves it).
"""

from __future__ import annotations

from pulumi_policy import Policy

from genai_policies import (
    dashboard_flags_match_inputs,
    dashboard_input_secrets_declared,
    genai_asset_metadata,
    gpu_budget,
    llama_stack_config_valid,
    maas_gateway_requires_auth,
    maas_tier_limits_defined,
    max_tokens_within_context,
    mcp_servers_reachable,
    models_listed_in_playground,
    no_credentials_in_dashboard_config_maps,
    no_plaintext_credentials,
    playground_references_resolve,
    replicas_share_no_state,
    scaled_to_zero_models,
    tls_verify_cluster_internal_only,
)

PACK_NAME = "genai-playground"

# A plain list: another rule is one more line here.
ALL_POLICIES: list[Policy] = [
    max_tokens_within_context.POLICY,
    playground_references_resolve.POLICY,
    llama_stack_config_valid.POLICY,
    genai_asset_metadata.POLICY,
    tls_verify_cluster_internal_only.POLICY,
    no_plaintext_credentials.POLICY,
    scaled_to_zero_models.POLICY,
    models_listed_in_playground.POLICY,
    replicas_share_no_state.POLICY,
    gpu_budget.POLICY,
    maas_gateway_requires_auth.POLICY,
    maas_tier_limits_defined.POLICY,
    mcp_servers_reachable.POLICY,
    no_credentials_in_dashboard_config_maps.POLICY,
    dashboard_input_secrets_declared.POLICY,
    dashboard_flags_match_inputs.POLICY,
]
