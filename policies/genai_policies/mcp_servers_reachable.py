"""Every MCP server of gen-ai-aa-mcp-servers can be reached from both pods that call it.

The dashboard's backend (in the dashboard's namespace) lists a server's tools; the Llama Stack server (in the
project) calls them during a chat (red-hat-data-services/odh-dashboard@rhoai-3.0, packages/gen-ai/bff/internal/
repositories/mcp_client.go; llamastack_client.go passes server_url on as the `mcp` tool). A value the BFF cannot
parse is skipped with only a log line; an unknown transport is taken for streamable-http. The rules themselves:
genai_contract.dashboard_inputs.mcp_url_problems.
"""

from __future__ import annotations

from genai_contract.dashboard_inputs import MCP_TRANSPORTS, mcp_url_problems
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from genai_policies._dashboard_inputs import MCP_NAMES, is_input, mcp_entries, title

NAME = "mcp-servers-reachable"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not is_input(args.resource_type, args.props, MCP_NAMES):
        return
    where = title(args.props)
    for entry in mcp_entries(args.props):
        subject = f"MCP server {entry.key} in {where}"
        if entry.value is None:
            report_violation(f"{subject}: the value {entry.error}: the dashboard skips the server.", None)
            continue
        url, transport = entry.value.get("url"), entry.value.get("transport") or "streamable-http"
        if transport not in MCP_TRANSPORTS:
            report_violation(
                f"{subject}: transport {transport!r} is none of {', '.join(MCP_TRANSPORTS)}; the dashboard connects "
                "with streamable-http instead.",
                None,
            )
            continue
        if not isinstance(url, str) or not url:
            report_violation(f"{subject}: no url: the playground cannot call it.", None)
            continue
        for problem in mcp_url_problems(url, str(transport)):
            if problem.rule == "userinfo":
                continue  # no-credentials-in-dashboard-config-maps says so
            report_violation(f"{subject}: url {url}: {problem.message}.", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description=(
        "MCP servers in gen-ai-aa-mcp-servers: JSON the dashboard parses, a known transport, an http(s) URL whose "
        "host both the dashboard and the Llama Stack server resolve to it, its path the transport's."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
