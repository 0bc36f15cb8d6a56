"""The path onto a Milvus server: the address setting, the version floor, and clear errors.

The tests that need a running server (end of file) run when DOMAINLLM_MILVUS_URI is set, say
``docker compose -f deploy/milvus/docker-compose.yml up -d`` and
``DOMAINLLM_MILVUS_URI=http://localhost:19530 make test``; otherwise they are skipped, saying so.
"""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest

from domainllm.rag.milvus_server import (
    MIN_SERVER_VERSION,
    MilvusServerError,
    check_server_version,
    connect,
    parse_version,
    private_collection_name,
    server_uri,
)
from domainllm.rag.vectorstore import MilvusIndex


def test_unset_or_empty_uri_means_milvus_lite(monkeypatch) -> None:
    monkeypatch.delenv("DOMAINLLM_MILVUS_URI", raising=False)
    assert server_uri() is None
    monkeypatch.setenv("DOMAINLLM_MILVUS_URI", "  ")
    assert server_uri() is None
    monkeypatch.setenv("DOMAINLLM_MILVUS_URI", "http://milvus.internal:19530")
    assert server_uri() == "http://milvus.internal:19530"


def test_a_uri_that_is_not_a_server_address_is_refused_with_what_to_do(monkeypatch) -> None:
    monkeypatch.setenv("DOMAINLLM_MILVUS_URI", "localhost:19530")
    with pytest.raises(MilvusServerError, match="use one like http://localhost:19530, or unset"):
        server_uri()


@pytest.mark.parametrize(
    ("text", "expected"), [("v2.5.4", (2, 5, 4)), ("2.6.0-rc1", (2, 6, 0)), ("v2.4", (2, 4, 0))]
)
def test_parse_version(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_version(text) == expected


def test_servers_before_bm25_full_text_search_are_refused() -> None:
    assert check_server_version("v2.5.0", "http://h:19530") == (2, 5, 0)
    assert check_server_version("v2.6.1", "http://h:19530") == (2, 6, 1)
    with pytest.raises(MilvusServerError, match=r"runs v2\.4\.9; .*BM25 full-text search.*2\.5\.0 and later"):
        check_server_version("v2.4.9", "http://h:19530")
    with pytest.raises(MilvusServerError, match="could not read|Could not read"):
        check_server_version("unknown", "http://h:19530")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_server_gives_one_clear_message(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    uri = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(MilvusServerError, match="Could not reach a Milvus server at .*docker compose"):
        connect(uri)
    monkeypatch.setenv("DOMAINLLM_MILVUS_URI", uri)
    with pytest.raises(MilvusServerError, match="Could not reach"):
        MilvusIndex(dim=8)


def test_private_collection_names_differ_and_are_valid_milvus_names() -> None:
    first, second = private_collection_name(), private_collection_name()
    assert first != second
    assert first.replace("_", "").isalnum() and first[0].isalpha()


SERVER = os.environ.get("DOMAINLLM_MILVUS_URI", "").strip()
needs_server = pytest.mark.skipif(
    not SERVER, reason="DOMAINLLM_MILVUS_URI is not set: no Milvus server to test against"
)


def live_server_version() -> tuple[int, int, int]:
    from pymilvus import MilvusClient

    client = MilvusClient(SERVER, timeout=10)
    try:
        return parse_version(client.get_server_version())
    finally:
        client.close()


@pytest.fixture
def book_server() -> None:
    """Skip, saying why, when the live server predates what the book needs (the refusal has its own test)."""
    version = live_server_version()
    if version < MIN_SERVER_VERSION:
        pytest.skip(f"the server at {SERVER} runs {version}, older than the book needs: see the refusal test")


@needs_server
def test_a_live_server_is_used_when_new_enough_and_refused_with_what_to_do_when_older(
    monkeypatch, tmp_path
) -> None:
    """Checked on a real Milvus 2.3.5 standalone (the PyPI ``milvus`` package's embedded server), which is refused."""
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    if live_server_version() >= MIN_SERVER_VERSION:
        with MilvusIndex(dim=8) as index:
            assert not index.is_lite
        return
    with pytest.raises(MilvusServerError, match=r"BM25 full-text search and hybrid search.*docker compose"):
        MilvusIndex(dim=8)


@needs_server
@pytest.mark.usefixtures("book_server")
def test_the_server_runs_dense_bm25_and_hybrid_search_like_milvus_lite(monkeypatch, tmp_path) -> None:
    from tests.rag.test_vectorstore import bag_of_words, make_chunks

    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    chunks = make_chunks()
    vectors = bag_of_words([c.text for c in chunks])
    question = ["how long does the non-disclosure agreement last"]
    query = bag_of_words(question)
    results = {}
    for where in ("server", "lite"):
        if where == "lite":
            monkeypatch.delenv("DOMAINLLM_MILVUS_URI")
        with MilvusIndex(dim=vectors.shape[1]) as index:
            assert index.is_lite == (where == "lite")
            index.add(chunks, vectors)
            results[where] = (
                [h.chunk_id for h in index.search_dense(query, k=3)[0]],
                [h.chunk_id for h in index.search_bm25(question, k=3)[0]],
                [h.chunk_id for h in index.search_hybrid(question, query, k=3)[0]],
                [h.doc_id for h in index.search_dense(query, k=6, filter='doc_type == "msa"')[0]],
            )
            collection = index.collection
        if where == "server":
            from pymilvus import MilvusClient

            assert not MilvusClient(SERVER).has_collection(collection)  # dropped on close
    server, lite = results["server"], results["lite"]
    assert server[0] == lite[0]
    assert server[1][0] == lite[1][0] == "nda-2:fixed:0"  # BM25: the term clause
    assert server[2][0] == lite[2][0]
    assert set(server[3]) == set(lite[3]) == {"msa-1", "msa-2", "msa-3"}


@needs_server
@pytest.mark.usefixtures("book_server")
def test_the_server_builds_the_requested_ann_index(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    from tests.rag.test_ann import chunks_for, clustered

    vectors = clustered(300, dim=16)
    with MilvusIndex(dim=16, index_type="HNSW") as index:
        index.add(chunks_for(vectors), vectors)
        assert index.dense_index == "HNSW (server)"
        hits = index.search_dense(vectors[:1], k=1)[0]
        assert hits[0].chunk_id == "doc0:c0" and np.isclose(hits[0].score, 1.0, atol=1e-4)


def test_the_compose_file_pins_a_server_new_enough_for_the_book() -> None:
    import yaml

    from domainllm.paths import REPO_ROOT
    from domainllm.rag.milvus_server import COMPOSE_FILE

    services = yaml.safe_load((REPO_ROOT / COMPOSE_FILE).read_text())["services"]
    images = {name: service["image"] for name, service in services.items()}
    assert all(":" in image and not image.endswith(":latest") for image in images.values()), images
    milvus = images["standalone"]
    assert milvus.startswith("milvusdb/milvus:") and parse_version(milvus.split(":")[1]) >= MIN_SERVER_VERSION
    assert "19530:19530" in services["standalone"]["ports"]
