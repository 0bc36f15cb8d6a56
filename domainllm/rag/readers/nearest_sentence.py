"""A trivial baseline reader (lab 4b): the passage sentences most similar to the question.

No training and no generation: every sentence of the passages is embedded with MiniLM and the
``sentences`` closest to the question (cosine) are returned, in document order. Given the whole
right contract (:func:`gold_contract_passages`, an oracle that retrieval does not have), it is
the yardstick the book's clause readers must beat on CUAD.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from domainllm.corpus.records import Evidence, Question
from domainllm.rag.chunking import Chunk, sentence_spans
from domainllm.rag.readers.base import (
    Reading,
    chunk_source,
    corpus_text,
    register_reader,
    unreadable,
    usable_passages,
)


class NearestSentenceReader:
    """Return the ``sentences`` sentences of the passages closest to the question in embedding space."""

    name = "nearest_sentence"

    def __init__(
        self, generator: Any = None, sentences: int = 1, encode: Callable[[list[str]], Any] | None = None
    ) -> None:
        if sentences < 1:
            raise ValueError(f"sentences must be at least 1, got {sentences}.")
        self.sentences = sentences
        self._encode = encode

    @property
    def encode(self) -> Callable[[list[str]], Any]:
        """The embedder (the shipped MiniLM with its disk cache unless one was given)."""
        if self._encode is None:
            from domainllm.runtime.embedding_cache import cached_embedder_encode

            self._encode = cached_embedder_encode()
        return self._encode

    def read_one(self, question: Question, chunks: Sequence[Chunk]) -> Reading:
        """One question, read from its (non-empty) passages."""
        started = time.perf_counter()
        pieces: list[tuple[int, int, int]] = []  # passage, start, end
        sources = [chunk_source(c) for c in chunks]
        for number, (text, _) in enumerate(sources):
            pieces += [(number, s, e) for s, e in sentence_spans(text)]
        vectors = np.asarray(
            self.encode([question.question] + [sources[p][0][s:e] for p, s, e in pieces]), dtype=float
        )
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        best = sorted(np.argsort(-(vectors[1:] @ vectors[0]))[: self.sentences].tolist())
        chosen = [pieces[i] for i in best]
        answer = " ".join(sources[p][0][s:e] for p, s, e in chosen)
        spans = tuple(Evidence(chunks[p].doc_id, sources[p][1] + s, sources[p][1] + e) for p, s, e in chosen)
        top = pieces[int(np.argmax(vectors[1:] @ vectors[0]))][0] + 1
        return Reading(answer, spans, top, seconds=time.perf_counter() - started)

    def read(
        self, questions: Sequence[Question], passages: Sequence[Sequence[Chunk]], progress: bool | None = None
    ) -> list[Reading]:
        """Read every question (no cache needed: the embeddings are cached)."""
        readings = []
        for question, chunks in zip(questions, passages, strict=True):
            problem = unreadable(question, chunks)
            readings.append(problem or self.read_one(question, usable_passages(chunks)))
        return readings

    def __repr__(self) -> str:
        return f"NearestSentenceReader(sentences={self.sentences})"


def gold_contract_passages(
    questions: Sequence[Question], document_text: Callable[[str], str] | None = None
) -> list[list[Chunk]]:
    """For each question, its whole gold contract as one passage (an oracle: retrieval is skipped)."""
    text_of = document_text or corpus_text
    passages = []
    for question in questions:
        doc_ids = list(dict.fromkeys(e.doc_id for e in question.evidence))
        passages.append([Chunk(f"{d}:whole:0", d, 0, len(text_of(d)), text_of(d)) for d in doc_ids])
    return passages


register_reader(
    "nearest_sentence", lambda generator=None, **options: NearestSentenceReader(generator, **options)
)
