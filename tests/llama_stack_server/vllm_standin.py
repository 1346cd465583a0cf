"""A small OpenAI-compatible server that behaves like vLLM where the playground depends on it.

It serves `/v1/models` and `/v1/chat/completions` (plain or streamed as server-sent events, which is how Llama
Stack's Responses API calls a model) under one served model name, and rejects a request whose
prompt plus max_tokens exceeds its max-model-len with vLLM's own HTTP 400 message. Prompt tokens are counted
as whitespace-separated words of the messages' text: a simple, deterministic stand-in for a tokenizer.

    python -m tests.llama_stack_server.vllm_standin --port 8001 --model granite --max-model-len 4096
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# vLLM's default when a request sets no max_tokens: whatever room the context leaves.
CONTEXT_ERROR = (
    "This model's maximum context length is {limit} tokens. However, you requested {total} tokens "
    "({prompt} in the messages, {completion} in the completion). Please reduce the length of the messages or "
    "completion."
)


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(len(_text(message.get("content")).split()) for message in messages)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


class StandIn:
    def __init__(self, served_model_name: str, max_model_len: int) -> None:
        self.served_model_name = served_model_name
        self.max_model_len = max_model_len
        self.requests: list[dict[str, Any]] = []  # every chat request received, for assertions

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
            message = f"The model `{request.get('model')}` does not exist."
            return 404, {"object": "error", "message": message, "type": "NotFoundError", "param": None, "code": 404}
        prompt = prompt_tokens(request.get("messages") or [])
        completion = request.get("max_tokens") or request.get("max_completion_tokens") or self.max_model_len - prompt
        if prompt + completion > self.max_model_len:
            message = CONTEXT_ERROR.format(
                limit=self.max_model_len, total=prompt + completion, prompt=prompt, completion=completion
            )
            return 400, {"object": "error", "message": message, "type": "BadRequestError", "param": None, "code": 400}
        answer = f"{self.served_model_name} answers: {prompt} prompt tokens, max_tokens {completion}"
        return 200, {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.served_model_name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": 8, "total_tokens": prompt + 8},
        }


def stream_chunks(reply: dict[str, Any]) -> list[dict[str, Any]]:
    """A chat completion as vLLM streams it: the message in one delta, then the finish reason."""
    base = {key: reply[key] for key in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    message = reply["choices"][0]["message"]
    return [
        base | {"choices": [{"index": 0, "delta": message, "finish_reason": None}]},
        base | {"choices": [{"index": 0, "delta": {}, "finish_reason": reply["choices"][0]["finish_reason"]}]},
    ]


def handler_for(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._reply(200, stand_in.models())
            elif self.path in ("/health", "/ping"):
                self._reply(200, {})
            else:
                self._reply(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._reply(404, {"error": f"no route {self.path}"})
                return
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
def serving(served_model_name: str, max_model_len: int) -> Iterator[tuple[StandIn, str]]:
    """A stand-in on a free loopback port, in a thread; yields it and its OpenAI base URL. Always stopped."""
    stand_in = StandIn(served_model_name, max_model_len)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in, f"http://127.0.0.1:{server.server_address[1]}/v1"
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
