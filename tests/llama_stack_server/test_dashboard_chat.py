"""The playground with `playground.rag: false` on each release's real server (3.0: 0.3.0rc3+rhai0, 3.2: 0.3.5.1+rhai0,
3.3: 0.4.2.1+rhai0, 3.4: 0.7.1+rhaiv.1), driven as that release's dashboard drives it (tests/llama_stack_server/
dashboard.py names the BFF code each call follows).

One stack, two models that differ only in max_tokens: the policy pack passes one and blocks the other on
max-tokens-within-context. No release's dashboard sends a max_tokens of its own, and on every release the vLLM
provider then sends its configured max_tokens (providers/remote/inference/vllm/vllm.py, openai_chat_completion:
`if params.max_tokens is None and self.config.max_tokens`, 0.3.5.1 l.101, 0.4.2.1 l.100, 0.7.1 l.115), so the
pack's rule is the server's: a long prompt is answered by one and gets vLLM's context-length error on the other.
The profile says so (provider_max_tokens_applies) and these tests prove it.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from genai_contract.releases import profile

from tests.llama_stack_server.conftest import FITS, TOO_LARGE
from tests.llama_stack_server.dashboard import USER_TOKEN, Dashboard, forwarded_events, split_model_id, streamed_text
from tests.llama_stack_server.playground import Backend, Playground

LONG_PROMPT = "word " * 2000  # 2000 prompt tokens for the stand-in
CONTEXT_ERROR = "This model's maximum context length is 4096 tokens. However, you requested 5584 tokens"


def model_id(backend: Backend, release: str = "3.0") -> str:
    """The id the release's server lists the model under (see the profile's lists_served_model_name)."""
    listed = backend.served_model_name if profile(release).lists_served_model_name else backend.name
    return f"vllm-{backend.name}/{listed}"


def sent(playground: Playground, backend: Backend) -> dict[str, object]:
    return playground.backends[backend.name].requests[-1]


def test_the_pack_blocks_exactly_the_model_whose_max_tokens_does_not_fit(chat_playground: Playground) -> None:
    violations = [(v["policy"], v["enforcementLevel"]) for v in chat_playground.preview["violations"]]
    assert ("max-tokens-within-context", "mandatory") in violations
    [message] = [
        v["message"] for v in chat_playground.preview["violations"] if v["policy"] == "max-tokens-within-context"
    ]
    assert TOO_LARGE.name in message and FITS.name not in message
    assert f"RHOAI {chat_playground.release} (Llama Stack " in message  # the fact it rests on is the release's


def test_every_model_is_listed_and_matched_to_its_inference_service_as_the_release_allows(
    chat_playground: Playground,
) -> None:
    """3.0 lists a model under its registered `<provider>/<InferenceService name>` whatever vLLM serves it as; from
    3.2 (0.3.5) the list shows `<provider>/<served name>`. The dashboard strips up to the first "/" and looks the
    rest up among the InferenceServices: from 3.2 a model served under another name than its InferenceService's
    is offered but disabled (frontend/src/app/utilities/utils.ts, isLlamaModelEnabled)."""
    release = chat_playground.release
    offered = Dashboard(chat_playground.url, release).playground_models()
    assert sorted(offered) == sorted(model_id(b, release) for b in (FITS, TOO_LARGE))
    matched = {b.name for b in (FITS, TOO_LARGE) if (f"vllm-{b.name}", b.name) in map(split_model_id, offered)}
    if profile(release).lists_served_model_name:
        assert matched == {FITS.name}  # TOO_LARGE is served as RedHatAI/Mistral-Small-24B-...
    else:
        assert matched == {FITS.name, TOO_LARGE.name}


@pytest.mark.parametrize("backend", [FITS, TOO_LARGE], ids=lambda b: b.name)
def test_a_chat_reaches_that_models_vllm_with_its_max_tokens(chat_playground: Playground, backend: Backend) -> None:
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    reply = dashboard.respond(
        dashboard.response_body(model_id(backend, chat_playground.release), "Explain Kubernetes in one sentence.")
    )
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "completed"
    [message] = [item for item in reply.body["output"] if item["type"] == "message"]
    assert message["content"][0]["text"].startswith(f"{backend.served_model_name} answers:")
    received = sent(chat_playground, backend)
    assert profile(chat_playground.release).provider_max_tokens_applies
    assert (received["model"], received["max_tokens"]) == (backend.served_model_name, backend.max_tokens)


def test_from_3_2_vllm_gets_the_users_token_the_dashboard_sends(chat_playground: Playground) -> None:
    """3.2+ send the user's token as provider data vllm_api_token on every chat; the vLLM provider uses it in place
    of its configured api_token ("fake" here). 3.0 sends none: vLLM gets the configured one."""
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    assert dashboard.respond(dashboard.response_body(model_id(FITS, chat_playground.release), "hi")).status == 200
    token = USER_TOKEN if dashboard.calls.sends_user_token else "fake"
    assert chat_playground.backends[FITS.name].authorizations[-1] == f"Bearer {token}"


def test_a_streamed_chat_gives_the_events_the_dashboard_forwards(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    reply = dashboard.respond_streaming(dashboard.response_body(model_id(FITS, chat_playground.release), "hello"))
    assert reply.status == 200, reply.body
    forwarded = forwarded_events(reply.body, chat_playground.release)
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
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    reply = dashboard.respond_streaming(dashboard.response_body(model_id(FITS, chat_playground.release), LONG_PROMPT))
    assert reply.status == 200
    assert reply.body[-1]["type"] == "response.completed"
    assert "2000 prompt tokens, max_tokens 1024" in streamed_text(reply.body)
    assert sent(chat_playground, FITS)["max_tokens"] == FITS.max_tokens


def test_the_headline_the_same_chat_gets_vllms_context_error_where_the_pack_blocks(
    chat_playground: Playground,
) -> None:
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    reply = dashboard.respond_streaming(
        dashboard.response_body(model_id(TOO_LARGE, chat_playground.release), LONG_PROMPT)
    )
    assert reply.status == 200  # the stream has started before the model is called
    failed = reply.body[-1]
    assert failed["type"] == "response.failed"
    assert CONTEXT_ERROR in failed["response"]["error"]["message"]
    assert sent(chat_playground, TOO_LARGE)["max_tokens"] == TOO_LARGE.max_tokens
    # The 3.0 BFF forwards only its five event types: the user's chat ends with no answer at all.
    assert [e["type"] for e in forwarded_events(reply.body, chat_playground.release)] == ["response.created"]
    # Without streaming, the BFF gets (and shows) an internal server error.
    assert (
        dashboard.respond(dashboard.response_body(model_id(TOO_LARGE, chat_playground.release), LONG_PROMPT)).status
        == 500
    )


def test_multi_turn_with_previous_response_id_sends_the_history(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    first = dashboard.respond(dashboard.response_body(model_id(FITS, chat_playground.release), "My name is Ada."))
    assert first.status == 200
    assert dashboard.get_response(first.body["id"]).status == 200  # the BFF checks the id before it continues
    second = dashboard.respond_streaming(
        dashboard.response_body(
            model_id(FITS, chat_playground.release), "What is my name?", previous_response_id=first.body["id"]
        )
    )
    assert second.body[-1]["type"] == "response.completed"
    history = sent(chat_playground, FITS)["messages"]
    assert [(m["role"], m["content"]) for m in history] == [
        ("user", "My name is Ada."),
        ("assistant", first.body["output"][0]["content"][0]["text"]),
        ("user", "What is my name?"),
    ]


def test_chat_context_instructions_and_temperature_reach_vllm(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    context = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    body = dashboard.response_body(
        model_id(FITS, chat_playground.release),
        "and now?",
        chat_context=context,
        instructions="Be brief.",
        temperature=0.3,
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
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    server = dashboard.mcp_server("cluster", url, "user-token")
    reply = dashboard.respond_streaming(
        dashboard.response_body(model_id(FITS, chat_playground.release), "How is the cluster?", mcp_servers=[server])
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


# What the files panel gets with rag off: the dashboard creates the user's store with its embedding model on every
# playground open. 0.3.0rc3 makes it without checking the model; from 0.3.5 the server looks the model up first
# (llama_stack/core/routers/vector_io.py, openai_create_vector_store -> _get_embedding_model_dimension, or the
# models routing table: "Model ... not found"), and the BFF answers the browser's files-panel call with an error.
RAG_OFF_STORE_STATUS = {"3.0": 200, "3.2": 404, "3.3": 404, "3.4": 400}
# An upload with rag off: 3.0 has no files API (404); from 0.4 the chat provider needs `files`, so it is there.
RAG_OFF_UPLOAD_STATUS = {"3.0": 404, "3.2": 404, "3.3": 200, "3.4": 200}


def test_with_rag_off_the_files_panel_is_what_the_release_gives(chat_playground: Playground) -> None:
    release = chat_playground.release
    dashboard = Dashboard(chat_playground.url, release)
    created = dashboard.open_files_panel("developer")
    assert created.status == RAG_OFF_STORE_STATUS[release], created.body
    if created.status != 200:
        assert "granite-embedding-125m-english' not found" in json.dumps(created.body)
        return
    assert created.body["metadata"] == {
        "created_by": "auto-provisioning",
        "username": "developer",
        "provider_id": "milvus",
    }
    assert dashboard.open_files_panel("developer").body["id"] == created.body["id"]  # found again, not remade
    files = dashboard.list_vector_store_files(created.body["id"])
    assert (files.status, files.body["data"]) == (200, [])


def test_with_rag_off_an_upload_is_what_the_release_gives(chat_playground: Playground) -> None:
    dashboard = Dashboard(chat_playground.url, chat_playground.release)
    uploaded = dashboard.upload_file("notes.txt", b"some notes")
    assert uploaded.status == RAG_OFF_UPLOAD_STATUS[chat_playground.release], uploaded.body
    assert ("files" in chat_playground.run_config["providers"]) == (
        "files" in profile(chat_playground.release).chat_needs_provider
    )


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
