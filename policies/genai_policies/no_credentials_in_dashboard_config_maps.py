"""No credential in the ConfigMaps the dashboard's playground reads: gen-ai-aa-mcp-servers (readable by every
dashboard user, cluster-wide), gen-ai-aa-custom-model-endpoints and gen-ai-aa-vector-stores (every user of the
project).

The 3.4 BFF takes credentials from Secrets the ConfigMaps name (red-hat-data-services/odh-dashboard@rhoai-3.4,
packages/gen-ai/bff/internal/models/external_models.go APIKeyConfig.SecretRef, models/external_vectorstores.go
CustomGenAICredentials.SecretRefs); the user's MCP token travels per request (X-MCP-Bearer). So a literal under
a credential-like key (password, token, api_key...) or a URL with user:password@ is a leak.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from genai_contract.dashboard_inputs import is_credential_key
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from genai_policies._common import is_list
from genai_policies._dashboard_inputs import CONFIG_YAML_MAPS, MCP_NAMES, config_yaml, is_input, mcp_entries, title

NAME = "no-credentials-in-dashboard-config-maps"
SECRET_REFERENCES = ("secretRef", "secretRefs")


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if is_input(args.resource_type, args.props, MCP_NAMES):
        found = [(f"server {e.key}", path) for e in mcp_entries(args.props) for path in _leaks(e.value, ())]
    elif is_input(args.resource_type, args.props, CONFIG_YAML_MAPS):
        document, _ = config_yaml(args.props)
        found = [("config.yaml", path) for path in _leaks(document, ())]
    else:
        return
    for entry, path in found:
        report_violation(
            f"{title(args.props)}, {entry}: {path} holds a credential, readable by everyone who can read the "
            "ConfigMap. Fix: keep it in a Secret and name the Secret (custom_gen_ai secretRef / credentialSecret in "
            "the stack file); an MCP server's user token comes with each request (X-MCP-Bearer).",
            None,
        )


def _leaks(node: Any, path: tuple[str, ...]) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            where = (*path, str(key))
            if is_credential_key(str(key)) and _literal(value):
                yield ".".join(where)
            elif not (isinstance(value, Mapping) and any(ref in value for ref in SECRET_REFERENCES)):
                yield from _leaks(value, where)
    elif is_list(node):
        for index, item in enumerate(node):
            yield from _leaks(item, (*path, str(index)))
    elif isinstance(node, str) and _has_userinfo(node):
        yield ".".join(path) + " (user:password@ in a URL)"


def _literal(value: Any) -> bool:
    """A value, not a reference: a non-empty string other than ${env.X}, or a number."""
    if isinstance(value, str):
        return bool(value.strip()) and not value.strip().startswith("${env.")
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_userinfo(text: str) -> bool:
    if "://" not in text or "@" not in text:
        return False
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.password is not None or parts.username is not None


POLICY = ResourceValidationPolicy(
    name=NAME,
    description=(
        "No password, token or API key (nor user:password@ in a URL) in gen-ai-aa-mcp-servers, "
        "gen-ai-aa-custom-model-endpoints or gen-ai-aa-vector-stores: credentials stay in Secrets."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
