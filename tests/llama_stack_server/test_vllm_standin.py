"""The vLLM stand-in itself: vLLM's models listing and its context-length rule and message."""

from __future__ import annotations

import json
import urllib.request

from tests.llama_stack_server.vllm_standin import StandIn, prompt_tokens, serving


def test_prompt_tokens_count_words_of_every_message() -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "a b c"}]},
    ]
    assert prompt_tokens(messages) == 5


def test_models_listing_serves_one_name_with_its_context() -> None:
    assert StandIn("org/model", 2048).models()["data"][0] | {"created": 0} == {
        "id": "org/model",
        "object": "model",
        "created": 0,
        "owned_by": "vllm",
        "max_model_len": 2048,
    }


def test_request_within_context_is_answered() -> None:
    status, reply = StandIn("m", 100).chat(
        {"model": "m", "messages": [{"role": "user", "content": "x " * 10}], "max_tokens": 90}
    )
    assert status == 200 and reply["choices"][0]["message"]["content"].startswith("m answers: 10 prompt tokens")


def test_prompt_plus_max_tokens_over_context_is_vllms_400() -> None:
    status, reply = StandIn("m", 100).chat(
        {"model": "m", "messages": [{"role": "user", "content": "x " * 10}], "max_tokens": 91}
    )
    assert status == 400
    assert reply["message"] == (
        "This model's maximum context length is 100 tokens. However, you requested 101 tokens "
        "(10 in the messages, 91 in the completion). Please reduce the length of the messages or completion."
    )


def test_unknown_model_is_404() -> None:
    status, _ = StandIn("m", 100).chat({"model": "other", "messages": []})
    assert status == 404


def test_a_streamed_chat_is_server_sent_events_ending_in_done() -> None:
    with serving("m", 100) as (_, url):
        request = urllib.request.Request(
            f"{url}/chat/completions",
            data=json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Type"] == "text/event-stream"
            events = [line[len("data: ") :] for line in response.read().decode().splitlines() if line]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["content"].startswith("m answers: 1 prompt tokens")
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
