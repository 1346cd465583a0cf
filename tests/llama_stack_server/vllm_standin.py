"""A small OpenAI-compatible server that behaves like vLLM where the playground depends on it.

It follows vLLM's OpenAI server (vllm-project/vllm, vllm/entrypoints/openai/: api_server.py routes,
protocol.py `ModelCard` / `ErrorResponse`, serving_engine.py `_validate_input` for the context-length check,
serving_chat.py for the streamed chunks and tool-call deltas):

- `GET /v1/models`: one served model name with its `max_model_len`.
- `POST /v1/chat/completions`, plain or streamed as server-sent events (which is how Llama Stack's Responses API
  calls a model), under that one name; any other name is vLLM's 404 "The model `x` does not exist.".
- prompt + max_tokens (or, without one, the room the context leaves) over `max_model_len` is vLLM's HTTP 400
  with its own message, as JSON, before any stream starts.
- Errors are vLLM's `ErrorResponse`: `{"error": {"message", "type", "param", "code"}}`.

The model itself is a deterministic stand-in: prompt tokens are whitespace-separated words; when the request
offers tools and the last message is the user's, it calls the first tool, filling each required string
parameter with the user's text (as a tool-calling model with vLLM's tool parser would answer, in the same wire
format); after a tool result it answers quoting that result, so a test sees what the tool returned.
Every chat request is recorded in `requests`, its Authorization header in `authorizations`.

    python -m tests.llama_stack_server.vllm_standin --port 8001 --model granite --max-model-len 4096
"""

from __future__ import annotations

import argparse
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CONTEXT_ERROR = (
    "This model's maximum context length is {limit} tokens. However, you requested {total} tokens "
    "({prompt} in the messages, {completion} in the completion). Please reduce the length of the messages or "
    "completion."
)


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(len(text_of(message.get("content")).split()) for message in messages)


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def error(status: int, message: str, kind: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"message": message, "type": kind, "param": None, "code": status}}


def tool_call(tool: dict[str, Any], user_text: str, number: int) -> dict[str, Any]:
    """A call of `tool` with every required string parameter set to what the user asked."""
    function = tool["function"]
    parameters = function.get("parameters") or {}
    properties = parameters.get("properties") or {}
    arguments = {
        name: user_text for name in parameters.get("required", []) if properties.get(name, {}).get("type") == "string"
    }
    return {
        "id": f"chatcmpl-tool-{number}",
        "type": "function",
        "function": {"name": function["name"], "arguments": json.dumps(arguments)},
    }


class StandIn:
    def __init__(self, served_model_name: str, max_model_len: int) -> None:
        self.served_model_name = served_model_name
        self.max_model_len = max_model_len
        self.requests: list[dict[str, Any]] = []  # every chat request received, for assertions
        self.authorizations: list[str | None] = []  # the Authorization header of each chat request
        self.tls_errors: list[str] = []  # TLS handshakes that failed (with `tls`): what the client refused

    def models(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": [
                {
                    "id": self.served_model_name,
                    "object": "model",
                    "created": 0,
                    "owned_by": "vllm",
                    "max_model_len": self.max_model_len,
                }
            ],
        }

    def chat(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.requests.append(request)
        if request.get("model") != self.served_model_name:
            return error(404, f"The model `{request.get('model')}` does not exist.", "NotFoundError")
        messages = request.get("messages") or []
        prompt = prompt_tokens(messages)
        completion = request.get("max_completion_tokens") or request.get("max_tokens") or self.max_model_len - prompt
        if prompt + completion > self.max_model_len:
            message = CONTEXT_ERROR.format(
                limit=self.max_model_len, total=prompt + completion, prompt=prompt, completion=completion
            )
            return error(400, message, "BadRequestError")
        return 200, self._completion(self._answer(request, messages, prompt, completion), prompt)

    def _answer(
        self, request: dict[str, Any], messages: list[dict[str, Any]], prompt: int, completion: int
    ) -> dict[str, Any]:
        last = messages[-1] if messages else {}
        tools = request.get("tools") or []
        if tools and last.get("role") == "user" and request.get("tool_choice") != "none":
            call = tool_call(tools[0], text_of(last.get("content")), len(self.requests))
            return {"role": "assistant", "content": None, "tool_calls": [call]}
        answer = f"{self.served_model_name} answers: {prompt} prompt tokens, max_tokens {completion}"
        if last.get("role") == "tool":
            answer += f"; the tool returned: {text_of(last.get('content'))}"
        return {"role": "assistant", "content": answer}

    def _completion(self, message: dict[str, Any], prompt: int) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.served_model_name,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                }
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": 8, "total_tokens": prompt + 8},
        }


def stream_chunks(reply: dict[str, Any]) -> list[dict[str, Any]]:
    """A chat completion as vLLM streams it: the role, then the text (or each tool call with its index), then
    the finish reason in a chunk with an empty delta."""
    base = {key: reply[key] for key in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    choice = reply["choices"][0]
    message = choice["message"]
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    if message.get("tool_calls"):
        deltas += [{"tool_calls": [call | {"index": i}]} for i, call in enumerate(message["tool_calls"])]
    else:
        deltas.append({"content": message["content"]})
    chunks = [base | {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
    chunks.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]})
    return chunks


def handler_for(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._reply(200, stand_in.models())
            elif self.path in ("/health", "/ping"):
                self._reply(200, {})
            else:
                self._reply(*error(404, f"no route {self.path}", "NotFoundError"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._reply(*error(404, f"no route {self.path}", "NotFoundError"))
                return
            stand_in.authorizations.append(self.headers.get("Authorization"))
            status, reply = stand_in.chat(body)
            if body.get("stream") and status == 200:
                self._stream(stream_chunks(reply))
            else:  # vLLM checks the context before it starts a stream: its errors are plain JSON
                self._reply(status, reply)

        def _stream(self, chunks: list[dict[str, Any]]) -> None:
            # HTTP/1.0 without Content-Length: the stream ends when the connection closes.
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def _reply(self, status: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(
    served_model_name: str, max_model_len: int, tls: ssl.SSLContext | None = None
) -> Iterator[tuple[StandIn, str]]:
    """A stand-in on a free loopback port, in a thread; yields it and its OpenAI base URL. Always stopped.

    With `tls` it answers https on `localhost`, as a model's auth proxy does on port 8443 with the certificate
    OpenShift's service CA issued for the predictor Service (kserve rhoai-3.0 reconcilers/service/
    service_reconciler.go, serving-cert-secret-name; reconcilers/deployment/deployment_reconciler.go mounts it).
    """
    stand_in = StandIn(served_model_name, max_model_len)

    class Server(ThreadingHTTPServer):
        def get_request(self) -> tuple[Any, Any]:
            try:
                return super().get_request()
            except OSError as error:  # the handshake runs on accept (ssl.SSLError is an OSError)
                stand_in.tls_errors.append(f"{type(error).__name__}: {error}")
                raise

    server = Server(("127.0.0.1", 0), handler_for(stand_in))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host = "localhost" if tls is not None else "127.0.0.1"
        yield stand_in, f"{'https' if tls is not None else 'http'}://{host}:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--port", type=int, required=True)
    cli.add_argument("--model", required=True, help="served model name")
    cli.add_argument("--max-model-len", type=int, required=True)
    args = cli.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(StandIn(args.model, args.max_model_len)))
    server.serve_forever()


if __name__ == "__main__":
    main()
