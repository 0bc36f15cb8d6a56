"""One contract, checked for every retriever of the book (the base ones and every wrapper).

Whatever a lab stacks (filter, dedup, reranking, compression, reordering), ``retrieve`` answers
one list per question, at most ``k`` passages each, never the same passage twice, and passes a
Milvus filter through to the base search.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from domainllm.rag.chunking import Chunk, chunk_documents
from domainllm.rag.compression import CompressingRetriever, SentenceCompressor
from domainllm.rag.context_order import DedupRetriever, ReorderingRetriever
from domainllm.rag.reranking import RerankingRetriever
from domainllm.rag.retrievers import RETRIEVERS, ChunkIndex, FilteredRetriever, make_retriever
from tests.rag.test_retrievers import make_docs, toy_encode


class WordOverlapReranker:
    """A reranker that scores a passage by the question words it contains (no model needed)."""

    def score(self, question: str, chunks: Sequence[Chunk]) -> list[float]:
        words = set(question.lower().split())
        return [float(len(words & set(c.text.lower().split()))) for c in chunks]


def no_filter(question: str) -> str | None:
    return None


WRAPPERS: dict[str, Callable[[Any], Any]] = {
    "plain": lambda base: base,
    "filtered": lambda base: FilteredRetriever(base, no_filter),
    "dedup": lambda base: DedupRetriever(base),
    "reordered": lambda base: ReorderingRetriever(base, "ends"),
    "reranked": lambda base: RerankingRetriever(base, WordOverlapReranker(), candidates=8),
    "compressed": lambda base: CompressingRetriever(base, SentenceCompressor(toy_encode, top_n=1)),
}


@pytest.fixture(scope="module")
def chunk_index(tmp_path_factory):
    chunks = chunk_documents(make_docs(), "section")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOMAINLLM_CACHE", str(tmp_path_factory.mktemp("cache")))
        with ChunkIndex.build(chunks, toy_encode, batch_size=8) as index:
            yield index


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@pytest.mark.parametrize("kind", sorted(RETRIEVERS))
def test_every_retriever_keeps_the_contract(chunk_index, kind: str, wrapper: str) -> None:
    retriever = WRAPPERS[wrapper](make_retriever(kind, chunk_index, toy_encode))
    questions = ["termination clause of contract 3", "insurance premium coverage", "audit records"]
    results = retriever.retrieve(questions, k=4)
    assert len(results) == len(questions)
    for row in results:
        assert 0 < len(row) <= 4
        assert all(isinstance(c, Chunk) for c in row)
        assert len({c.id for c in row}) == len(row), "a passage came back twice"
        assert all(c.id in chunk_index.chunks_by_id for c in row)
    filtered = retriever.retrieve(["payment invoice"], k=3, filter='doc_type == "nda"')
    assert filtered[0] and all(c.metadata["doc_type"] == "nda" for c in filtered[0])
