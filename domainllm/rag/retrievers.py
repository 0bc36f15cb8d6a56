"""Retrievers the labs use: dense, BM25 and hybrid (RRF) search over one shared chunk index.

Build the index once, then make as many retrievers over it as you like::

    index = ChunkIndex.build(chunks, embedder)          # embeds, inserts into Milvus Lite
    for kind in RETRIEVERS:
        retriever = make_retriever(kind, index, embedder)
        top = retriever.retrieve(["What is the notice period?"], k=5)

``encode`` is either a callable ``list[str] -> np.ndarray`` or an object with ``.encode``
(a SentenceTransformer). Rows are normalised here, so inner product equals cosine similarity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from tqdm.auto import tqdm

from domainllm.rag.chunking import Chunk
from domainllm.rag.fusion import reciprocal_rank_fusion
from domainllm.rag.vectorstore import Hit, MilvusIndex, check_positive, check_queries

Encode = Callable[[list[str]], np.ndarray]


def as_encode(encoder: Any) -> Encode:
    """Turn an embedder (callable or object with ``.encode``) into ``list[str] -> normalised float32``."""
    if encoder is None:
        raise ValueError("An encoder is needed: a callable list[str] -> array, or an object with .encode.")
    raw = encoder.encode if hasattr(encoder, "encode") else encoder
    if not callable(raw):
        raise TypeError(f"{encoder!r} is neither callable nor has an .encode method.")

    def encode(texts: list[str]) -> np.ndarray:
        vectors = np.asarray(raw(list(texts)), dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise ValueError(f"The encoder returned shape {vectors.shape} for {len(texts)} texts.")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    return encode


class ChunkIndex:
    """Chunks, their Milvus index and the encoder that embedded them; shared by all retrievers."""

    def __init__(self, chunks: Sequence[Chunk], index: MilvusIndex, encode: Any) -> None:
        self.chunks_by_id: dict[str, Chunk] = {chunk.id: chunk for chunk in chunks}
        self.index = index
        self.encode = as_encode(encode)

    @classmethod
    def build(
        cls,
        chunks: Sequence[Chunk],
        encode: Any,
        batch_size: int = 64,
        uri: str | None = None,
        index_text: Callable[[Chunk], str] | None = None,
        **options: Any,
    ) -> ChunkIndex:
        """Embed ``chunks`` (with a progress bar) and insert them into a new :class:`MilvusIndex`.

        ``index_text(chunk)`` is the text embedded and indexed for BM25 (default: the chunk's
        text); the chunk itself, with its offsets, is what retrieval returns. ``options`` go
        to :class:`MilvusIndex` (``collection``, ``index_type``, ``overwrite``, ...).
        """
        check_positive(batch_size, "batch_size")
        chunks = list(chunks)
        if not chunks:
            raise ValueError("No chunks to index.")
        if len({chunk.id for chunk in chunks}) != len(chunks):
            raise ValueError("Chunk ids must be unique.")
        encoder = as_encode(encode)
        texts = [index_text(c) for c in chunks] if index_text else [c.text for c in chunks]
        batches = range(0, len(chunks), batch_size)
        bar = tqdm(batches, desc="embedding chunks", unit="batch", disable=len(batches) < 2)
        vectors = np.concatenate([encoder(texts[i : i + batch_size]) for i in bar])
        index = MilvusIndex(dim=vectors.shape[1], uri=uri, **options)
        try:
            index.add(chunks, vectors, texts=texts)
        except BaseException:
            index.close()
            raise
        return cls(chunks, index, encoder)

    def embed_questions(self, questions: Sequence[str]) -> np.ndarray:
        """Validate and embed questions (empty ones raise ValueError)."""
        questions = check_queries(questions)
        return self.encode(questions) if questions else np.zeros((0, self.index.dim), np.float32)

    def to_chunks(self, hits: list[list[Hit]]) -> list[list[Chunk]]:
        """Look the chunks behind search hits up."""
        return [[self.chunks_by_id[hit.chunk_id] for hit in row] for row in hits]

    def __len__(self) -> int:
        return len(self.chunks_by_id)

    def close(self) -> None:
        """Close the Milvus index (and delete its temporary database)."""
        self.index.close()

    def __enter__(self) -> ChunkIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@runtime_checkable
class Retriever(Protocol):
    """Anything that returns the top-``k`` chunks for each question."""

    name: str

    def retrieve(
        self, questions: Sequence[str], k: int = 5, filter: str | None = None
    ) -> list[list[Chunk]]: ...


class _BaseRetriever:
    name = "base"

    def __init__(self, index: ChunkIndex, encode: Any = None) -> None:
        self.index = index
        self.encode = as_encode(encode) if encode is not None else index.encode

    def search(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Hit]]:
        """Hits (ids, scores, ranks) instead of chunks; ``filter`` is a Milvus expression."""
        raise NotImplementedError

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        """Top-``k`` chunks per question, best first; ``filter`` e.g. ``'doc_type == "nda"'``."""
        return self.index.to_chunks(self.search(questions, k=k, filter=filter))

    def _questions(self, questions: Sequence[str], k: int) -> list[str]:
        check_positive(k)
        return check_queries(questions)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(chunks={len(self.index)})"


class DenseRetriever(_BaseRetriever):
    """Nearest chunks by cosine similarity of embeddings."""

    name = "dense"

    def search(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Hit]]:
        questions = self._questions(questions, k)
        if not questions:
            return []
        return self.index.index.search_dense(self.encode(questions), k=k, filter=filter)


class BM25Retriever(_BaseRetriever):
    """Chunks ranked by BM25 over Milvus's analysed text (no embeddings needed)."""

    name = "bm25"

    def search(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Hit]]:
        questions = self._questions(questions, k)
        return self.index.index.search_bm25(questions, k=k, filter=filter)


class HybridRetriever(_BaseRetriever):
    """Dense and BM25 candidates fused by reciprocal rank fusion inside Milvus (``RRFRanker``)."""

    name = "hybrid"

    def __init__(self, index: ChunkIndex, encode: Any = None, candidates: int = 50, rrf_k: int = 60) -> None:
        super().__init__(index, encode)
        check_positive(candidates, "candidates")
        self.candidates = candidates
        self.rrf_k = rrf_k

    def search(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Hit]]:
        questions = self._questions(questions, k)
        if not questions:
            return []
        vectors = self.encode(questions)
        return self.index.index.search_hybrid(
            questions, vectors, k=k, candidates=self.candidates, rrf_k=self.rrf_k, filter=filter
        )


RETRIEVERS: dict[str, type[_BaseRetriever]] = {
    "dense": DenseRetriever,
    "bm25": BM25Retriever,
    "hybrid": HybridRetriever,
}


def make_retriever(kind: str, index: ChunkIndex, encode: Any = None, **options: Any) -> Retriever:
    """A retriever by name (``dense``, ``bm25``, ``hybrid``); ``options`` e.g. ``candidates=100``."""
    if kind not in RETRIEVERS:
        raise ValueError(f"Unknown retriever {kind!r}; choose one of {', '.join(RETRIEVERS)}.")
    return RETRIEVERS[kind](index, encode, **options)


def rrf_in_python(
    index: ChunkIndex,
    questions: Sequence[str],
    k: int = 5,
    candidates: int = 50,
    rrf_k: int = 60,
    filter: str | None = None,
) -> list[list[tuple[str, float]]]:
    """Hybrid search done by hand: Milvus's dense and BM25 candidate lists fused by plain-Python RRF.

    Gives the same ranking as :meth:`MilvusIndex.search_hybrid` (see tests/test_retrievers.py);
    useful to show what ``RRFRanker`` does.
    """
    check_positive(k)
    check_positive(candidates, "candidates")
    questions = check_queries(questions)
    if not questions:
        return []
    candidates = max(candidates, k)
    dense = index.index.search_dense(index.encode(questions), k=candidates, filter=filter)
    bm25 = index.index.search_bm25(questions, k=candidates, filter=filter)
    return [
        reciprocal_rank_fusion([[h.chunk_id for h in d_hits], [h.chunk_id for h in b_hits]], k=rrf_k, top_n=k)
        for d_hits, b_hits in zip(dense, bm25, strict=True)
    ]


class FilteredRetriever:
    """Wrap a retriever so each question is searched with its own metadata filter.

    ``filter_of(question)`` returns a Milvus filter expression or None (search everything),
    e.g. :func:`domainllm.rag.contract_context.contract_filter`.
    """

    def __init__(self, base: Retriever, filter_of: Callable[[str], str | None]) -> None:
        self.base = base
        self.filter_of = filter_of
        self.name = f"{base.name}+filter"

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        results: list[list[Chunk]] = []
        for question in questions:
            own = self.filter_of(question)
            combined = f"({own}) and ({filter})" if own and filter else own or filter
            results.extend(self.base.retrieve([question], k=k, filter=combined))
        return results

    def __repr__(self) -> str:
        return f"FilteredRetriever({self.base!r})"
