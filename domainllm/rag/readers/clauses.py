"""Clause extraction (lab 4b): return the clause or clauses that answer a question, with their spans.

A clause question ("highlight the parts of this contract related to Governing Law") is answered
with the contract's own sentences, ranked by three signals, each standardized over the candidates:

* the question: MiniLM cosine between question and sentence (the trivial baseline's only signal);
* exemplar clauses: the gold clauses of the :data:`EXEMPLARS` training questions closest to the
  question, averaged into one vector: contract wording answers contract wording better than a
  question does (HyDE's idea, lab 2, with real clauses instead of generated ones);
* the question's words: BM25 over the contract's sentences (the lexical half of lab 3's hybrid).

Candidates are the sentences of the passages plus the contract's opening, where contracts state
their name, parties and dates. The best sentences are returned in document order while the
answer stays within :data:`MAX_CHARS` (the mean length of a CUAD gold answer); a sentence longer
than that is cut at a space.
"""

from __future__ import annotations

import functools
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from domainllm.corpus.records import Evidence, Question
from domainllm.metrics.recall_overlap import overlap_tokens
from domainllm.rag.chunking import Chunk, sentence_spans
from domainllm.rag.readers.base import (
    Reading,
    chunk_source,
    corpus_text,
    register_reader,
    unreadable,
    usable_passages,
)

MAX_CHARS = 385
OPENING_CHARS = 1200
EXEMPLARS = 5
EXEMPLAR_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.3


def _unit(vectors: Any) -> np.ndarray:
    array = np.asarray(vectors, dtype=float)
    return array / np.maximum(np.linalg.norm(array, axis=-1, keepdims=True), 1e-12)


def _standard(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / (values.std() + 1e-9) if len(values) > 1 else values * 0.0


@functools.lru_cache(maxsize=32)
def _sentence_tokens(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(overlap_tokens(text[s:e])) for s, e in sentence_spans(text))


def bm25_scores(
    query: str, sentences: Sequence[str], document: str, k1: float = 1.2, b: float = 0.75
) -> np.ndarray:
    """BM25 of each sentence for the query's words, with document frequencies over the document's sentences."""
    units = _sentence_tokens(document) or (tuple(overlap_tokens(document)),)
    frequency = Counter(w for unit in units for w in set(unit))
    average = sum(map(len, units)) / len(units) or 1.0
    words = set(overlap_tokens(query))
    scores = []
    for sentence in sentences:
        tokens = overlap_tokens(sentence)
        counts = Counter(tokens)
        score = 0.0
        for word in words & counts.keys():
            idf = math.log(1 + (len(units) - frequency[word] + 0.5) / (frequency[word] + 0.5))
            tf = counts[word]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(tokens) / average))
        scores.append(score)
    return np.asarray(scores, dtype=float)


def clip(sentence: str, max_chars: int) -> str:
    """A sentence longer than ``max_chars`` cut at the last space that keeps it within the limit."""
    if len(sentence) <= max_chars:
        return sentence
    cut = sentence.rfind(" ", 0, max_chars + 1)
    return sentence[: cut if cut > 0 else max_chars].rstrip()


def pick_within(lengths: Sequence[int], order: Sequence[int], max_chars: int) -> list[int]:
    """The best candidate, then each next best that still fits in ``max_chars`` characters in all."""
    if not order:
        return []
    chosen, used = [order[0]], lengths[order[0]]
    for i in order[1:]:
        if used + lengths[i] + 1 <= max_chars:
            chosen.append(i)
            used += lengths[i] + 1
    return chosen


class ClauseReader:
    """Rank the candidate sentences by question, exemplar clauses and question words; return the best within budget."""

    name = "clause"

    def __init__(
        self,
        generator: Any = None,
        max_chars: int = MAX_CHARS,
        exemplar_weight: float = EXEMPLAR_WEIGHT,
        lexical_weight: float = LEXICAL_WEIGHT,
        encode: Callable[[list[str]], Any] | None = None,
        exemplars: Any = None,
    ) -> None:
        self.max_chars = max_chars
        self.exemplar_weight = exemplar_weight
        self.lexical_weight = lexical_weight
        self._encode = encode
        self._exemplars = exemplars

    @property
    def encode(self) -> Callable[[list[str]], Any]:
        """The embedder (the shipped MiniLM with its disk cache unless one was given)."""
        if self._encode is None:
            from domainllm.runtime.embedding_cache import cached_embedder_encode

            self._encode = cached_embedder_encode()
        return self._encode

    @property
    def exemplars(self) -> tuple[np.ndarray, np.ndarray]:
        """(question vectors, clause vectors) of the training questions."""
        if self._exemplars is None:
            from domainllm.rag.readers.span_training import evidence_clauses, training_data

            questions, documents, _ = training_data()
            kept = [(q.question, clause) for q, clause in evidence_clauses(questions, documents)]
            self._exemplars = (
                _unit(self.encode([q for q, _ in kept])),
                _unit(self.encode([c for _, c in kept])),
            )
        return self._exemplars

    def candidates(self, chunks: Sequence[Chunk]) -> list[tuple[int | None, str, int, int, str]]:
        """(passage number or None, document, start, end, text) of every sentence of the passages
        and of the contracts' openings."""
        found: list[tuple[int | None, str, int, int, str]] = []
        for number, chunk in enumerate(chunks, 1):
            text, offset = chunk_source(chunk)
            found += [
                (number, chunk.doc_id, offset + s, offset + e, text[s:e]) for s, e in sentence_spans(text)
            ]
        for doc_id in dict.fromkeys(c.doc_id for c in chunks):
            opening = corpus_text(doc_id)[:OPENING_CHARS]
            covered = {(f[1], f[2]) for f in found}
            found += [
                (None, doc_id, s, e, opening[s:e])
                for s, e in sentence_spans(opening)
                if (doc_id, s) not in covered
            ]
        return found

    def scores(self, question: str, sentences: Sequence[str], documents: Sequence[str]) -> np.ndarray:
        """The combined, standardized score of each candidate sentence."""
        vectors = _unit(self.encode([question, *sentences]))
        asked, rows = vectors[0], vectors[1:]
        total = _standard(rows @ asked)
        if self.exemplar_weight:
            bank_questions, bank_clauses = self.exemplars
            nearest = np.argsort(-(bank_questions @ asked))[:EXEMPLARS]
            total += self.exemplar_weight * _standard(rows @ _unit(bank_clauses[nearest].mean(axis=0)))
        if self.lexical_weight:
            lexical = np.zeros(len(sentences))
            for document in set(documents):
                mine = [i for i, d in enumerate(documents) if d == document]
                texts = [sentences[i] for i in mine]
                lexical[mine] = bm25_scores(question, texts, corpus_text(document) or " ".join(texts))
            total += self.lexical_weight * _standard(lexical)
        return total

    def read_one(self, question: Question, chunks: Sequence[Chunk]) -> Reading:
        """One question, read from its (non-empty) passages."""
        started = time.perf_counter()
        found = self.candidates(chunks)
        sentences = [f[4] for f in found]
        order = np.argsort(-self.scores(question.question, sentences, [f[1] for f in found])).tolist()
        lengths = [min(len(text), self.max_chars) for text in sentences]
        chosen = sorted(pick_within(lengths, order, self.max_chars), key=lambda i: found[i][1:3])
        pieces = [clip(sentences[i], self.max_chars) for i in chosen]
        answer = " ".join(pieces)
        spans = tuple(
            Evidence(found[i][1], found[i][2], found[i][2] + len(piece))
            for i, piece in zip(chosen, pieces, strict=True)
        )
        return Reading(answer, spans, found[order[0]][0], seconds=time.perf_counter() - started)

    def read(
        self, questions: Sequence[Question], passages: Sequence[Sequence[Chunk]], progress: bool | None = None
    ) -> list[Reading]:
        """Read every question (no reading cache: the sentence embeddings are cached)."""
        from tqdm.auto import tqdm

        show = progress if progress is not None else len(questions) > 16
        readings = []
        for question, chunks in tqdm(
            list(zip(questions, passages, strict=True)), desc="clause reading", disable=not show
        ):
            problem = unreadable(question, chunks)
            readings.append(problem or self.read_one(question, usable_passages(chunks)))
        return readings

    def __repr__(self) -> str:
        return f"ClauseReader(max_chars={self.max_chars})"


register_reader("clause", lambda generator=None, **options: ClauseReader(generator, **options))
