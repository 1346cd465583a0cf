"""The dashboard backend's tool listing of one MCP server, replayed with the MCP SDK. Run in the Llama Stack venv.

    .venv-llama-stack/bin/python tests/llama_stack_server/mcp_list_tools.py URL TRANSPORT TOKEN

As red-hat-data-services/odh-dashboard@rhoai-3.0 packages/gen-ai/bff/internal/integrations/mcp does it: the
transport the ConfigMap names (transport_factory.go: sse or streamable-http), `Authorization: Bearer <token>` with
the token the browser sent in X-MCP-Bearer (transport_factory.go, factory.go extractMCPToken), initialize, then
tools/list (simple_client.go). Prints {"server": <serverInfo name>, "tools": [names]} as JSON.
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamablehttp_client


async def main(url: str, transport: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = sse_client if transport == "sse" else streamablehttp_client
    async with client(url, headers=headers) as streams, ClientSession(streams[0], streams[1]) as session:
        initialized = await session.initialize()
        listed = await session.list_tools()
    print(json.dumps({"server": initialized.serverInfo.name, "tools": [tool.name for tool in listed.tools]}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
