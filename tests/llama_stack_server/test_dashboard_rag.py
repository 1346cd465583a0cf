"""The playground with `playground.rag: true`, on the real 0.3.0rc3+rhai0 server, driven as the 3.0 dashboard
drives it: the files panel, an upload into the user's vector store, and a chat that searches it.

Everything runs for real (inline::sentence-transformers, inline::milvus on milvus-lite, inline::localfs files,
the Responses API's file_search) except the embedding weights: the run.yaml's granite-embedding-125m loads from
an offline Hugging Face cache holding embedding_standin.py's 768-dimension model, not IBM's.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.llama_stack_server.conftest import FITS
from tests.llama_stack_server.dashboard import Dashboard, forwarded_events, streamed_text
from tests.llama_stack_server.playground import Playground

MODEL = f"vllm-{FITS.name}/{FITS.name}"
DOCUMENT = (
    b"Release notes. The GenAI playground of this cluster is served from the namespace private-ai.\n\n"
    b"Kubernetes schedules pods with the kube-scheduler. The on-call code word this week is pineapple-42.\n"
)


@pytest.fixture(scope="module")
def user_store(rag_playground: Playground) -> dict[str, Any]:
    """What the files panel does when the playground opens: list, then create the user's store."""
    created = Dashboard(rag_playground.url).open_files_panel("developer")
    assert created.status == 200, created.body
    store: dict[str, Any] = created.body
    return store


@pytest.fixture(scope="module")
def uploaded(rag_playground: Playground, user_store: dict[str, Any]) -> dict[str, Any]:
    """An upload from the files panel: the file, then into the user's store."""
    dashboard = Dashboard(rag_playground.url)
    upload = dashboard.upload_file("release-notes.txt", DOCUMENT)
    assert upload.status == 200, upload.body
    attached = dashboard.add_file_to_vector_store(user_store["id"], upload.body["id"])
    assert attached.status == 200, attached.body
    file: dict[str, Any] = attached.body
    return file


def test_the_dropdown_hides_the_embedding_models(rag_playground: Playground) -> None:
    dashboard = Dashboard(rag_playground.url)
    listed = [m["id"] for m in dashboard.list_models().body["data"]]
    assert "granite-embedding-125m" in listed
    assert dashboard.playground_models() == [MODEL]


def test_the_users_store_is_found_again_when_the_playground_reopens(
    rag_playground: Playground, user_store: dict[str, Any]
) -> None:
    dashboard = Dashboard(rag_playground.url)
    assert dashboard.open_files_panel("developer").body["id"] == user_store["id"]
    assert [s["id"] for s in dashboard.list_vector_stores().body["data"]] == [user_store["id"]]


def test_an_uploaded_document_is_embedded_and_listed(
    rag_playground: Playground, user_store: dict[str, Any], uploaded: dict[str, Any]
) -> None:
    assert (uploaded["status"], uploaded["last_error"]) == ("completed", None)
    dashboard = Dashboard(rag_playground.url)
    files = dashboard.list_vector_store_files(user_store["id"])
    assert [f["id"] for f in files.body["data"]] == [uploaded["id"]]
    assert dashboard.get_file(uploaded["id"]).body["filename"] == "release-notes.txt"


def test_a_chat_with_the_store_searches_it_and_the_model_gets_the_passage(
    rag_playground: Playground, user_store: dict[str, Any], uploaded: dict[str, Any]
) -> None:
    dashboard = Dashboard(rag_playground.url)
    body = dashboard.response_body(MODEL, "What is the on-call code word?", vector_store_ids=[user_store["id"]])
    reply = dashboard.respond_streaming(body)
    assert reply.status == 200
    types = [e["type"] for e in reply.body]
    assert "response.file_search_call.completed" in types and types[-1] == "response.completed"
    answer = streamed_text(forwarded_events(reply.body))
    assert "the tool returned: knowledge_search tool found" in answer and "pineapple-42" in answer
    backend = rag_playground.backends[FITS.name]
    [search] = backend.requests[-2]["tools"]
    assert search["function"]["name"] == "knowledge_search"
    assert backend.requests[-1]["max_tokens"] == FITS.max_tokens
