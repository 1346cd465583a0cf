"""The playground with `playground.rag: true` on each release's real server, driven as that release's dashboard
drives it: the files panel, an upload into the user's vector store, and a chat that searches it.

Everything runs for real (inline::sentence-transformers, inline::milvus on milvus-lite, inline::localfs files,
the Responses API's file_search) except the embedding weights: the config's embedding model (granite-embedding-125m,
registered as the release's dashboard names it) loads from an offline Hugging Face cache holding
embedding_standin.py's 768-dimension model, not IBM's.
"""

from __future__ import annotations

from typing import Any

import pytest
from genai_contract.releases import profile

from tests.llama_stack_server.conftest import FITS
from tests.llama_stack_server.dashboard import Dashboard, forwarded_events, streamed_text
from tests.llama_stack_server.playground import Playground

MODEL = f"vllm-{FITS.name}/{FITS.name}"
# The function the model is offered for file_search: knowledge_search up to 0.4 (agents meta-reference, responses/
# tool_executor.py), file_search in 0.7.1 (providers/inline/responses/builtin/responses/streaming.py l.1515).
SEARCH_TOOL = {"3.0": "knowledge_search", "3.2": "knowledge_search", "3.3": "knowledge_search", "3.4": "file_search"}
DOCUMENT = (
    b"Release notes. The GenAI playground of this cluster is served from the namespace private-ai.\n\n"
    b"Kubernetes schedules pods with the kube-scheduler. The on-call code word this week is pineapple-42.\n"
)


@pytest.fixture(scope="module")
def user_store(rag_playground: Playground) -> dict[str, Any]:
    """What the files panel does when the playground opens: list, then create the user's store."""
    created = Dashboard(rag_playground.url, rag_playground.release).open_files_panel("developer")
    assert created.status == 200, created.body
    store: dict[str, Any] = created.body
    return store


@pytest.fixture(scope="module")
def uploaded(rag_playground: Playground, user_store: dict[str, Any]) -> dict[str, Any]:
    """An upload from the files panel: the file, then into the user's store."""
    dashboard = Dashboard(rag_playground.url, rag_playground.release)
    upload = dashboard.upload_file("release-notes.txt", DOCUMENT)
    assert upload.status == 200, upload.body
    attached = dashboard.add_file_to_vector_store(user_store["id"], upload.body["id"])
    assert attached.status == 200, attached.body
    file: dict[str, Any] = attached.body
    return file


def test_the_dropdown_hides_the_embedding_models(rag_playground: Playground) -> None:
    dashboard = Dashboard(rag_playground.url, rag_playground.release)
    listed = [m["id"] for m in dashboard.list_models().body["data"]]
    assert profile(rag_playground.release).embedding_model_id in listed
    # From 0.3.5 inline::sentence-transformers also lists its built-in nomic-ai/nomic-embed-text-v1.5
    # (providers/inline/inference/sentence_transformers: list_models); the dashboard's filter hides it too.
    assert dashboard.playground_models() == [MODEL]


def test_the_users_store_is_found_again_when_the_playground_reopens(
    rag_playground: Playground, user_store: dict[str, Any]
) -> None:
    dashboard = Dashboard(rag_playground.url, rag_playground.release)
    assert dashboard.open_files_panel("developer").body["id"] == user_store["id"]
    assert [s["id"] for s in dashboard.list_vector_stores().body["data"]] == [user_store["id"]]


def test_an_uploaded_document_is_embedded_and_listed(
    rag_playground: Playground, user_store: dict[str, Any], uploaded: dict[str, Any]
) -> None:
    assert (uploaded["status"], uploaded["last_error"]) == ("completed", None)
    dashboard = Dashboard(rag_playground.url, rag_playground.release)
    files = dashboard.list_vector_store_files(user_store["id"])
    assert [f["id"] for f in files.body["data"]] == [uploaded["id"]]
    assert dashboard.get_file(uploaded["id"]).body["filename"] == "release-notes.txt"


def test_a_chat_with_the_store_searches_it_and_the_model_gets_the_passage(
    rag_playground: Playground, user_store: dict[str, Any], uploaded: dict[str, Any]
) -> None:
    dashboard = Dashboard(rag_playground.url, rag_playground.release)
    body = dashboard.response_body(MODEL, "What is the on-call code word?", vector_store_ids=[user_store["id"]])
    reply = dashboard.respond_streaming(body)
    assert reply.status == 200
    types = [e["type"] for e in reply.body]
    assert "response.file_search_call.completed" in types and types[-1] == "response.completed"
    answer = streamed_text(forwarded_events(reply.body, rag_playground.release))
    tool = SEARCH_TOOL[rag_playground.release]
    assert f"the tool returned: {tool} tool found" in answer and "pineapple-42" in answer
    backend = rag_playground.backends[FITS.name]
    [search] = backend.requests[-2]["tools"]
    assert search["function"]["name"] == tool
    assert backend.requests[-1]["max_tokens"] == FITS.max_tokens
