"""The Llama Stack calls of each RHOAI release's dashboard gen-ai BFF, with the bodies it sends.

Source: red-hat-data-services/odh-dashboard, branches rhoai-3.0 (tag v3.0.0), rhoai-3.2, rhoai-3.3, rhoai-3.4,
packages/gen-ai/bff/internal. The same on every release unless BACKEND_CALLS below says otherwise:
- api/middleware.go (AttachLlamaStackClient): the server is the first LlamaStackDistribution's
  `status.serviceURL` in the namespace; integrations/llamastack/llamastack_client.go talks to it with openai-go
  at `<serviceURL><profile.dashboard_api_base>`.
- api/lsd_models_handler.go: `Models.List`, then drops ids containing "embedding", "all-mini" or "embed";
  frontend/src/app/utilities/utils.ts (splitLlamaModelId, isLlamaModelEnabled) strips up to the first `/` and
  matches the rest against the AI assets' model_id, the InferenceService name (integrations/kubernetes/
  token_k8s_client.go); a model that matches none is shown disabled.
- llamastack_client.go prepareResponseParams: `Responses.New` / `Responses.NewStreaming` with `store: true`,
  `input` a string, or a list of messages when the UI sends chat_context; `instructions`, `temperature`,
  `top_p`; tools `file_search` (vector_store_ids) and `mcp`; `previous_response_id`, which
  api/lsd_responses_handler.go first checks with `Responses.Get`. No `max_output_tokens` (nor `max_tokens`) on
  any release. The streaming handler forwards only the event types in its supported set.
- api/lsd_vectorstores_handler.go: on every files-panel load, `VectorStores.List` and, when no store is named
  after the user's hash, `VectorStores.New` with the default embedding model (constants/models.go, later
  constants/llamastack.go).
- MCP servers: api/aaa_mcps_handler.go reads the ConfigMap gen-ai-aa-mcp-servers of the dashboard's namespace
  (repositories/mcp_client.go: each key a server, its JSON a models/aaa_mcp.go MCPServerConfig); the browser sends
  the user's MCP token as `X-MCP-Bearer: Bearer <token>` (frontend/src/app/services/llamaStackService.ts), which
  integrations/mcp/factory.go extractMCPToken strips; a chat's `mcp` tool is built by the frontend
  (frontend/src/app/utilities/utils.ts generateMCPServerConfig): server_label the key, server_url the url,
  `Authorization: Bearer <token>`.
- api/lsd_files_handler.go: `Files.New` (multipart, purpose "assistants"), then `VectorStores.Files.New` with a
  chunking strategy only when the form has `chunking_type`, which no release's UI sends (frontend/src/app/
  Chatbot/hooks/useFileUploadWithPolling.ts; 3.0: services/llamaStackService.ts, uploadSource): the body is the
  file id alone and the server chunks with its default. Lists a store's files with the UI's limit, order, filter.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from genai_contract.releases import profile

HIDDEN_MODEL_KEYWORDS = ("embedding", "all-mini", "embed")
# api/lsd_responses_handler.go, supportedEventTypes (rhoai-3.0 to rhoai-3.3); rhoai-3.4 adds the refusal events.
SUPPORTED_EVENTS = frozenset(
    {
        "response.created",
        "response.content_part.added",
        "response.output_text.delta",
        "response.content_part.done",
        "response.completed",
    }
)
DEFAULT_VECTOR_STORE_PROVIDER = "milvus"  # constants/providers.go, later constants/llamastack.go
EMBEDDING_DIMENSION = 768
USER_TOKEN = "sha256~user-token"  # the signed-in user's OpenShift token


@dataclass(frozen=True)
class BackendCalls:
    """What one release's BFF does differently (odh-dashboard rhoai-<release>, packages/gen-ai/bff/internal)."""

    api_base: str  # the release profile's dashboard_api_base (llamastack_client.go NewLlamaStackClient)
    # lsd_vectorstores_handler.go: 3.0 lists with limit 100; 3.2+ list all pages with no parameters.
    list_stores_query: str
    # CreateVectorStore: 3.0 and 3.2 send provider_id "milvus"; 3.3+ send none (llamastack_client.go
    # CreateVectorStore), so the config's vector_stores.default_provider_id decides.
    store_provider_id: str | None
    # mcp tool: 3.0 and 3.2 send the user's `headers`; 3.3+ send `authorization` (the token alone;
    # llamastack_client.go prepareResponseParams, ToolMcpParam.Authorization).
    mcp_authorization_field: bool
    # 3.2+: every Responses call carries x-llamastack-provider-data {"vllm_api_token": <user token>}
    # (lsd_responses_handler.go getUserJWTProviderData, llamastack_client.go buildRequestOptions).
    sends_user_token: bool
    forwarded_events: frozenset[str]


BACKEND_CALLS: dict[str, BackendCalls] = {
    "3.0": BackendCalls("/v1/openai/v1", "?limit=100", "milvus", False, False, SUPPORTED_EVENTS),
    "3.2": BackendCalls("/v1/openai/v1", "", "milvus", False, True, SUPPORTED_EVENTS),
    "3.3": BackendCalls("/v1", "", None, True, True, SUPPORTED_EVENTS),
    "3.4": BackendCalls(
        "/v1", "", None, True, True, SUPPORTED_EVENTS | {"response.refusal.delta", "response.refusal.done"}
    ),
}


@dataclass
class Reply:
    status: int
    body: Any  # the JSON document, or the list of server-sent events of a stream


def split_model_id(model_id: str) -> tuple[str, str]:
    """splitLlamaModelId: (provider id, the id the dashboard matches against the InferenceService name)."""
    provider, slash, rest = model_id.partition("/")
    return (provider, rest) if slash and provider and rest else ("", model_id)


class Dashboard:
    def __init__(self, service_url: str, release: str = "3.0") -> None:
        self.release = release
        self.calls = BACKEND_CALLS[release]
        self.base = f"{service_url}{self.calls.api_base}"

    def _send(
        self,
        method: str,
        path: str,
        data: bytes | None,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            # The BFF's own client waits up to 8 minutes (llamastack_client.go NewLlamaStackClient, rhoai-3.3 on:
            # http.Client Timeout 8 * time.Minute): an upload embeds on CPU, slow on a loaded machine.
            with urllib.request.urlopen(request, timeout=480) as response:
                return Reply(response.status, self._read(response))
        except urllib.error.HTTPError as error:
            return Reply(error.code, self._read(error))

    @staticmethod
    def _read(response: Any) -> Any:
        text = response.read().decode()
        if "text/event-stream" in (response.headers.get("Content-Type") or ""):
            return [json.loads(line[len("data: ") :]) for line in text.splitlines() if line.startswith("data: ")]
        return json.loads(text) if text else None

    def _json(
        self, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        data = json.dumps(body).encode() if body is not None else None
        return self._send(method, path, data, "application/json" if data is not None else None, headers)

    # Models
    def list_models(self) -> Reply:
        return self._json("GET", "/models")

    def playground_models(self) -> list[str]:
        """The ids the playground's dropdown offers (lsd_models_handler.go filterModels)."""
        reply = self.list_models()
        assert reply.status == 200, reply.body
        ids = [entry["id"] for entry in reply.body["data"]]
        return [i for i in ids if not any(word in i.lower() for word in HIDDEN_MODEL_KEYWORDS)]

    # Responses
    def response_body(
        self,
        model: str,
        text: str,
        *,
        chat_context: list[dict[str, str]] | None = None,
        instructions: str | None = None,
        temperature: float | None = None,
        vector_store_ids: list[str] | None = None,
        mcp_servers: list[dict[str, Any]] | None = None,
        previous_response_id: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "store": True}
        if chat_context:
            body["input"] = [*chat_context, {"role": "user", "content": text}]
        else:
            body["input"] = text
        if instructions:
            body["instructions"] = instructions
        if temperature is not None:
            body["temperature"] = temperature
        tools: list[dict[str, Any]] = []
        if vector_store_ids:
            tools.append({"type": "file_search", "vector_store_ids": vector_store_ids})
        for server in mcp_servers or []:
            tools.append({"type": "mcp", **server})
        if tools:
            body["tools"] = tools
        if previous_response_id:
            body["previous_response_id"] = previous_response_id
        return body

    def mcp_server(self, server_label: str, server_url: str, token: str) -> dict[str, Any]:
        """One selected MCP server in the release's form of the chat's `mcp` tool: the 3.0 frontend's headers
        (module-level mcp_tool, generateMCPServerConfig); 3.2 the same; 3.3+ the token as `authorization`."""
        if self.calls.mcp_authorization_field:
            return {"server_label": server_label, "server_url": server_url, "authorization": token}
        return mcp_tool(server_label, server_url, token)

    def _provider_data(self) -> dict[str, str]:
        if not self.calls.sends_user_token:
            return {}
        return {"x-llamastack-provider-data": json.dumps({"vllm_api_token": USER_TOKEN})}

    def respond(self, body: dict[str, Any]) -> Reply:
        return self._json("POST", "/responses", body, self._provider_data())

    def respond_streaming(self, body: dict[str, Any]) -> Reply:
        return self._json("POST", "/responses", body | {"stream": True}, self._provider_data())

    def get_response(self, response_id: str) -> Reply:
        return self._json("GET", f"/responses/{response_id}")

    # Vector stores and files
    def list_vector_stores(self) -> Reply:
        return self._json("GET", f"/vector_stores{self.calls.list_stores_query}")

    def open_files_panel(self, username: str) -> Reply:
        """LlamaStackListVectorStoresHandler: the user's store, found by the hash of the user name among all
        stores, or created on the spot; the reply is the one store (or the failing call's reply)."""
        name = hashlib.sha256(username.encode()).hexdigest()[:32]
        listed = self.list_vector_stores()
        if listed.status != 200:
            return listed
        mine = [store for store in listed.body["data"] if store["name"] == name]
        return Reply(200, mine[0]) if mine else self.create_vector_store(name, username)

    def create_vector_store(self, name: str, username: str) -> Reply:
        body: dict[str, Any] = {"name": name, "metadata": {"created_by": "auto-provisioning", "username": username}}
        if self.calls.store_provider_id is not None:
            body["provider_id"] = self.calls.store_provider_id
        # The dashboard's default embedding model id is the one its own config registers (the profile's).
        body["embedding_model"] = profile(self.release).embedding_model_id
        body["embedding_dimension"] = EMBEDDING_DIMENSION
        return self._json("POST", "/vector_stores", body)

    def upload_file(self, filename: str, content: bytes, purpose: str = "assistants") -> Reply:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n{purpose}\r\n'.encode(),
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            + content
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        return self._send("POST", "/files", b"".join(parts), f"multipart/form-data; boundary={boundary}")

    def add_file_to_vector_store(self, vector_store_id: str, file_id: str) -> Reply:
        return self._json("POST", f"/vector_stores/{vector_store_id}/files", {"file_id": file_id})

    def list_vector_store_files(self, vector_store_id: str) -> Reply:
        return self._json("GET", f"/vector_stores/{vector_store_id}/files?limit=50&order=desc&filter=completed")

    def get_file(self, file_id: str) -> Reply:
        return self._json("GET", f"/files/{file_id}")


def extract_mcp_token(x_mcp_bearer: str | None) -> str:
    """factory.go extractMCPToken: no header is no token; otherwise it must start with "Bearer "."""
    if not x_mcp_bearer:
        return ""
    if not x_mcp_bearer.startswith("Bearer "):
        raise ValueError("malformed MCP token: expected X-MCP-Bearer header to start with 'Bearer '")
    return x_mcp_bearer.removeprefix("Bearer ").strip()


def mcp_tool(server_label: str, server_url: str, token: str) -> dict[str, Any]:
    """generateMCPServerConfig: what the chat request carries for one selected MCP server."""
    headers = {"Authorization": token if token.lower().startswith("bearer ") else f"Bearer {token}"} if token else {}
    return {"server_label": server_label, "server_url": server_url, "headers": headers}


def forwarded_events(events: list[dict[str, Any]], release: str = "3.0") -> list[dict[str, Any]]:
    """What the release's BFF passes on to the browser from a stream."""
    return [event for event in events if event.get("type") in BACKEND_CALLS[release].forwarded_events]


def streamed_text(events: list[dict[str, Any]]) -> str:
    return "".join(e["delta"] for e in events if e.get("type") == "response.output_text.delta")
