"""MilvusIndex on an embedded Milvus Lite database: dense, BM25, hybrid, filters, clean-up."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from domainllm.rag.chunking import Chunk
from domainllm.rag.vectorstore import Hit, MilvusIndex

DIM = 64
TEXTS = {
    "nda-1": ("nda", "Confidentiality", "The receiving party shall keep confidential information secret."),
    "nda-2": ("nda", "Term", "This non-disclosure agreement lasts three years from the effective date."),
    "msa-1": ("msa", "Payment", "Invoices are payable within thirty days of receipt by wire transfer."),
    "msa-2": ("msa", "Termination", "Either party may terminate for convenience with ninety days notice."),
    "msa-3": ("msa", "Governing Law", "The laws of Delaware govern this agreement and any dispute."),
    "lease-1": ("lease", "Rent", "Monthly rent is due on the first day of each calendar month."),
}


def bag_of_words(texts: list[str], dim: int = DIM) -> np.ndarray:
    """A deterministic toy embedding: hashed word counts, L2-normalised."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, zlib.crc32(word.encode()) % dim] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def make_chunks() -> list[Chunk]:
    return [
        Chunk(
            id=f"{cid}:fixed:0",
            doc_id=cid,
            start=0,
            end=len(text),
            text=text,
            metadata={"doc_type": doc_type, "section": section, "title": cid.upper()},
        )
        for cid, (doc_type, section, text) in TEXTS.items()
    ]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    return tmp_path / "milvus"


@pytest.fixture
def index(cache):
    chunks = make_chunks()
    with MilvusIndex(dim=DIM) as idx:
        idx.add(chunks, bag_of_words([c.text for c in chunks]), batch_size=4)
        yield idx


def test_dense_search_finds_the_matching_chunk(index):
    queries = ["keep confidential information secret", "rent due first day of month"]
    hits = index.search_dense(bag_of_words(queries), k=3)
    assert [row[0].doc_id for row in hits] == ["nda-1", "lease-1"]
    assert all(isinstance(h, Hit) for row in hits for h in row)
    assert [h.rank for h in hits[0]] == [1, 2, 3]
    scores = [h.score for h in hits[0]]
    assert scores == sorted(scores, reverse=True) and scores[0] <= 1.0 + 1e-5


def test_bm25_search_scores_positive_and_misses_give_empty_lists(index):
    hits = index.search_bm25(["terminate for convenience", "Delaware dispute", "zebra quokka"], k=2)
    assert hits[0][0].chunk_id == "msa-2:fixed:0"
    assert hits[1][0].doc_id == "msa-3"
    assert hits[2] == []
    assert all(h.score > 0 for row in hits for h in row)


def test_bm25_ignores_stop_words_and_case(index):
    (hits,) = index.search_bm25(["THE RENT"], k=5)
    assert [h.doc_id for h in hits] == ["lease-1"]


def test_filters_on_scalar_fields(index):
    query = ["agreement"]
    vec = bag_of_words(query)
    assert {h.doc_id for h in index.search_dense(vec, k=10, filter='doc_type == "nda"')[0]} == {
        "nda-1",
        "nda-2",
    }
    assert {h.doc_id for h in index.search_bm25(query, k=10, filter='doc_type == "msa"')[0]} == {"msa-3"}
    hybrid = index.search_hybrid(query, vec, k=10, filter='doc_id in ["lease-1", "nda-2"]')[0]
    assert {h.doc_id for h in hybrid} == {"lease-1", "nda-2"}
    assert index.search_dense(vec, k=3, filter='section == "Rent"')[0][0].doc_id == "lease-1"
    assert index.search_bm25(["rent"], k=3, filter='metadata["title"] == "NDA-1"') == [[]]
    with pytest.raises(ValueError, match="doc_typ"):
        index.search_dense(vec, k=3, filter='doc_typ == "nda"')


def test_hybrid_returns_rrf_scores(index):
    texts = ["terminate with notice", "payable invoices"]
    hits = index.search_hybrid(texts, bag_of_words(texts), k=3, candidates=6, rrf_k=60)
    assert [row[0].doc_id for row in hits] == ["msa-2", "msa-1"]
    assert hits[0][0].score == pytest.approx(2 / 61, rel=1e-6)  # rank 1 in both lists


def test_batch_search_matches_one_at_a_time(index):
    texts = [t for _, _, t in TEXTS.values()]
    vectors = bag_of_words(texts)
    batch = index.search_dense(vectors, k=2)
    single = [index.search_dense(vectors[i], k=2)[0] for i in range(len(texts))]
    assert [[h.chunk_id for h in row] for row in batch] == [[h.chunk_id for h in row] for row in single]


def test_len_and_bad_input(index):
    assert len(index) == len(TEXTS)
    with pytest.raises(ValueError, match="empty question"):
        index.search_bm25(["fine", "  "])
    with pytest.raises(ValueError):
        index.search_dense(bag_of_words(["x"]), k=0)
    with pytest.raises(ValueError):
        index.search_dense(np.ones((1, DIM + 1), np.float32))
    with pytest.raises(ValueError, match="unique"):
        index.add(make_chunks()[:1], bag_of_words(["x"]))
    with pytest.raises(ValueError, match="shape"):
        index.add(make_chunks()[:2], bag_of_words(["x"]))
    with pytest.raises(TypeError):
        index.search_bm25("a single string")


def test_empty_index_and_empty_query_lists(cache):
    with MilvusIndex(dim=DIM) as idx:
        assert len(idx) == 0
        assert idx.search_dense(bag_of_words(["a"]), k=3) == [[]]
        assert idx.search_bm25([], k=3) == []


def test_database_lives_in_a_private_temporary_folder_removed_on_close(cache):
    first, second = MilvusIndex(dim=DIM), MilvusIndex(dim=DIM)
    try:
        folder = Path(first.uri).parent
        assert folder.parent == cache and folder.exists()
        assert Path(second.uri).parent != folder
        repo = Path(__file__).resolve().parents[2]
        assert repo not in folder.parents
    finally:
        first.close()
        second.close()
        first.close()  # closing twice is harmless
    assert not folder.exists() and not Path(second.uri).parent.exists()
