"""The vLLM stand-in itself: vLLM's models listing, its context-length rule and message, its error body and its
streamed chunks, and the stand-in model's tool calls."""

from __future__ import annotations

import json
import urllib.request

from tests.llama_stack_server.vllm_standin import StandIn, prompt_tokens, serving, stream_chunks


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
    assert reply["error"]["type"] == "BadRequestError" and reply["error"]["code"] == 400
    assert reply["error"]["message"] == (
        "This model's maximum context length is 100 tokens. However, you requested 101 tokens "
        "(10 in the messages, 91 in the completion). Please reduce the length of the messages or completion."
    )


def test_unknown_model_is_404() -> None:
    status, reply = StandIn("m", 100).chat({"model": "other", "messages": []})
    assert status == 404 and reply["error"]["message"] == "The model `other` does not exist."


SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "knowledge_search",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}


def test_offered_a_tool_the_model_calls_it_with_the_users_words() -> None:
    status, reply = StandIn("m", 100).chat(
        {"model": "m", "messages": [{"role": "user", "content": "what is x"}], "tools": [SEARCH_TOOL]}
    )
    assert status == 200
    [choice] = reply["choices"]
    assert choice["finish_reason"] == "tool_calls"
    [call] = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "knowledge_search"
    assert json.loads(call["function"]["arguments"]) == {"query": "what is x"}


def test_after_a_tool_result_the_model_answers_quoting_it() -> None:
    messages = [
        {"role": "user", "content": "what is x"},
        {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "k"}}]},
        {"role": "tool", "tool_call_id": "1", "content": "x is 42"},
    ]
    status, reply = StandIn("m", 100).chat({"model": "m", "messages": messages, "tools": [SEARCH_TOOL]})
    assert status == 200 and reply["choices"][0]["message"]["content"].endswith("the tool returned: x is 42")


def test_a_streamed_tool_call_carries_its_index_and_finishes_with_tool_calls() -> None:
    _, reply = StandIn("m", 100).chat(
        {"model": "m", "messages": [{"role": "user", "content": "q"}], "tools": [SEARCH_TOOL]}
    )
    chunks = stream_chunks(reply)
    [call] = chunks[1]["choices"][0]["delta"]["tool_calls"]
    assert call["index"] == 0 and call["function"]["name"] == "knowledge_search"
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "tool_calls"}


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
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[1]["choices"][0]["delta"]["content"].startswith("m answers: 1 prompt tokens")
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
