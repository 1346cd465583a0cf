"""The playground with `playground.rag: false`, on the real 0.3.0rc3+rhai0 server, driven as the 3.0 dashboard
drives it (tests/llama_stack_server/dashboard.py names the BFF code each call follows).

One stack, two models that differ only in max_tokens: the policy pack passes one and blocks the other on
max-tokens-within-context. On 3.0 the vLLM provider sends its max_tokens on the Responses API path the
dashboard's chat uses (llama_stack/providers/remote/inference/vllm/vllm.py, openai_chat_completion), so the
pack's rule is the server's: a long prompt is answered by one and gets vLLM's context-length error on the other.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.llama_stack_server.conftest import FITS, TOO_LARGE
from tests.llama_stack_server.dashboard import Dashboard, forwarded_events, split_model_id, streamed_text
from tests.llama_stack_server.playground import Backend, Playground

LONG_PROMPT = "word " * 2000  # 2000 prompt tokens for the stand-in
CONTEXT_ERROR = "This model's maximum context length is 4096 tokens. However, you requested 5584 tokens"


def model_id(backend: Backend) -> str:
    return f"vllm-{backend.name}/{backend.name}"


def sent(playground: Playground, backend: Backend) -> dict[str, object]:
    return playground.backends[backend.name].requests[-1]


def test_the_pack_blocks_exactly_the_model_whose_max_tokens_does_not_fit(chat_playground: Playground) -> None:
    violations = [(v["policy"], v["enforcementLevel"]) for v in chat_playground.preview["violations"]]
    assert ("max-tokens-within-context", "mandatory") in violations
    [message] = [
        v["message"] for v in chat_playground.preview["violations"] if v["policy"] == "max-tokens-within-context"
    ]
    assert TOO_LARGE.name in message and FITS.name not in message


def test_every_model_appears_the_same_way_and_matches_its_inference_service(chat_playground: Playground) -> None:
    offered = Dashboard(chat_playground.url).playground_models()
    assert sorted(offered) == sorted(model_id(b) for b in (FITS, TOO_LARGE))
    # The dashboard strips up to the first "/" and looks the rest up among the InferenceServices.
    assert sorted(split_model_id(i) for i in offered) == sorted((f"vllm-{b.name}", b.name) for b in (FITS, TOO_LARGE))


@pytest.mark.parametrize("backend", [FITS, TOO_LARGE], ids=lambda b: b.name)
def test_a_chat_reaches_that_models_vllm_with_its_max_tokens(chat_playground: Playground, backend: Backend) -> None:
    dashboard = Dashboard(chat_playground.url)
    reply = dashboard.respond(dashboard.response_body(model_id(backend), "Explain Kubernetes in one sentence."))
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "completed"
    [message] = [item for item in reply.body["output"] if item["type"] == "message"]
    assert message["content"][0]["text"].startswith(f"{backend.served_model_name} answers:")
    received = sent(chat_playground, backend)
    assert (received["model"], received["max_tokens"]) == (backend.served_model_name, backend.max_tokens)


def test_a_streamed_chat_gives_the_events_the_dashboard_forwards(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url)
    reply = dashboard.respond_streaming(dashboard.response_body(model_id(FITS), "hello"))
    assert reply.status == 200, reply.body
    forwarded = forwarded_events(reply.body)
    assert [e["type"] for e in forwarded] == [
        "response.created",
        "response.content_part.added",
        "response.output_text.delta",
        "response.content_part.done",
        "response.completed",
    ]
    assert streamed_text(forwarded).startswith(f"{FITS.served_model_name} answers: 1 prompt tokens")
    assert sent(chat_playground, FITS)["stream"] is True


def test_the_headline_a_long_prompt_fits_where_the_pack_passes(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url)
    reply = dashboard.respond_streaming(dashboard.response_body(model_id(FITS), LONG_PROMPT))
    assert reply.status == 200
    assert reply.body[-1]["type"] == "response.completed"
    assert "2000 prompt tokens, max_tokens 1024" in streamed_text(reply.body)
    assert sent(chat_playground, FITS)["max_tokens"] == FITS.max_tokens


def test_the_headline_the_same_chat_gets_vllms_context_error_where_the_pack_blocks(
    chat_playground: Playground,
) -> None:
    dashboard = Dashboard(chat_playground.url)
    reply = dashboard.respond_streaming(dashboard.response_body(model_id(TOO_LARGE), LONG_PROMPT))
    assert reply.status == 200  # the stream has started before the model is called
    failed = reply.body[-1]
    assert failed["type"] == "response.failed"
    assert CONTEXT_ERROR in failed["response"]["error"]["message"]
    assert sent(chat_playground, TOO_LARGE)["max_tokens"] == TOO_LARGE.max_tokens
    # The 3.0 BFF forwards only its five event types: the user's chat ends with no answer at all.
    assert [e["type"] for e in forwarded_events(reply.body)] == ["response.created"]
    # Without streaming, the BFF gets (and shows) an internal server error.
    assert dashboard.respond(dashboard.response_body(model_id(TOO_LARGE), LONG_PROMPT)).status == 500


def test_multi_turn_with_previous_response_id_sends_the_history(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url)
    first = dashboard.respond(dashboard.response_body(model_id(FITS), "My name is Ada."))
    assert first.status == 200
    assert dashboard.get_response(first.body["id"]).status == 200  # the BFF checks the id before it continues
    second = dashboard.respond_streaming(
        dashboard.response_body(model_id(FITS), "What is my name?", previous_response_id=first.body["id"])
    )
    assert second.body[-1]["type"] == "response.completed"
    history = sent(chat_playground, FITS)["messages"]
    assert [(m["role"], m["content"]) for m in history] == [
        ("user", "My name is Ada."),
        ("assistant", first.body["output"][0]["content"][0]["text"]),
        ("user", "What is my name?"),
    ]


def test_chat_context_instructions_and_temperature_reach_vllm(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url)
    context = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    body = dashboard.response_body(
        model_id(FITS), "and now?", chat_context=context, instructions="Be brief.", temperature=0.3
    )
    assert dashboard.respond(body).status == 200
    received = sent(chat_playground, FITS)
    assert received["messages"] == [
        {"role": "system", "content": "Be brief."},
        *context,
        {"role": "user", "content": "and now?"},
    ]
    assert received["temperature"] == 0.3


def test_an_mcp_tool_is_listed_called_with_the_dashboards_headers_and_answered(
    chat_playground: Playground, mcp_server: tuple[str, Path]
) -> None:
    url, calls = mcp_server
    dashboard = Dashboard(chat_playground.url)
    server = {"server_label": "cluster", "server_url": url, "headers": {"Authorization": "Bearer user-token"}}
    reply = dashboard.respond_streaming(
        dashboard.response_body(model_id(FITS), "How is the cluster?", mcp_servers=[server])
    )
    types = [e["type"] for e in reply.body]
    assert "response.mcp_list_tools.completed" in types and "response.mcp_call.completed" in types
    assert streamed_text(reply.body).endswith("the tool returned: cluster is healthy (asked: How is the cluster?)")
    assert json.loads(calls.read_text().splitlines()[-1]) == {
        "query": "How is the cluster?",
        "authorization": "Bearer user-token",
    }
    offered = sent(chat_playground, FITS)
    assert [t["function"]["name"] for t in offered["tools"]] == ["cluster_status"]


def test_with_rag_off_the_files_panel_still_loads(chat_playground: Playground) -> None:
    """Each time the playground opens, the dashboard lists vector stores and creates the user's on "milvus"
    with granite-embedding-125m, 768: that store is made without the model (nothing is embedded yet)."""
    dashboard = Dashboard(chat_playground.url)
    created = dashboard.open_files_panel("developer")
    assert created.status == 200, created.body
    assert created.body["metadata"] == {
        "created_by": "auto-provisioning",
        "username": "developer",
        "provider_id": "milvus",
    }
    assert dashboard.open_files_panel("developer").body["id"] == created.body["id"]  # found again, not remade
    files = dashboard.list_vector_store_files(created.body["id"])
    assert (files.status, files.body["data"]) == (200, [])


def test_with_rag_off_an_upload_is_refused(chat_playground: Playground) -> None:
    """What a user who uploads a document anyway sees: the dashboard's upload error (no files API)."""
    dashboard = Dashboard(chat_playground.url)
    assert dashboard.upload_file("notes.txt", b"some notes").status == 404


def test_the_server_reports_the_revision_pulumi_up_waits_for(chat_playground: Playground) -> None:
    """`pulumi up` waits until status.distributionConfig.providers (the 3.0 operator's copy of GET /v1/providers)
    shows the revision in the distribution's waitFor: the real server must report exactly that value."""
    [lsd] = [r for r in chat_playground.preview["resources"] if r["type"].endswith(":LlamaStackDistribution")]
    conditions = json.loads(lsd["inputs"]["metadata"]["annotations"]["pulumi.com/waitFor"])
    provider_id = conditions[1].split("provider_id=='", 1)[1].split("'", 1)[0]
    key, revision = conditions[1].rsplit(".config.", 1)[1].split("}=", 1)
    with urllib.request.urlopen(f"{chat_playground.url}/v1/providers", timeout=60) as response:
        providers = json.loads(response.read())
    [marker] = [p for p in providers["data"] if p["provider_id"] == provider_id]
    assert marker["config"][key] == revision
