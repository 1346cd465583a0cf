"""An MCP server with one tool, for the playground's MCP test. Run in the Llama Stack venv (it has `mcp`).

    .venv-llama-stack/bin/python tests/llama_stack_server/mcp_standin.py PORT LOG [TRANSPORT]

Streamable HTTP at http://127.0.0.1:PORT/mcp, the transport Llama Stack tries first
(llama_stack/providers/utils/tools/mcp.py, client_wrapper); with TRANSPORT `sse`, SSE at /sse (FastMCP's
paths). Its tool `cluster_status` answers with a fixed
text that names the query, and appends each call's query and the request's Authorization header to LOG (one
JSON line per call), so a test sees that the call, and the dashboard's headers, reached the MCP server.
"""

import json
import sys
from pathlib import Path

from mcp.server.fastmcp import Context, FastMCP


def main() -> None:
    port, log = int(sys.argv[1]), Path(sys.argv[2])
    transport = sys.argv[3] if len(sys.argv) > 3 else "streamable-http"
    server = FastMCP("cluster", host="127.0.0.1", port=port, log_level="WARNING")

    @server.tool()
    def cluster_status(query: str, ctx: Context) -> str:  # type: ignore[type-arg]  # a real annotation: FastMCP finds Context by it
        """Report the status of the cluster."""
        request = ctx.request_context.request
        authorization = request.headers.get("authorization") if request is not None else None
        with log.open("a") as calls:
            calls.write(json.dumps({"query": query, "authorization": authorization}) + "\n")
        return f"cluster is healthy (asked: {query})"

    server.run(transport="sse" if transport == "sse" else "streamable-http")


if __name__ == "__main__":
    main()
