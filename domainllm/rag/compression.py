"""Lab 4 (post-retrieval): context compression: keep only the sentences of each passage that matter for the question.

Every passage is split into sentences (pysbd, as in ``chunking``), each sentence is embedded,
and the sentences most similar to the question are kept -- the ``top_n`` best, or every one
above ``threshold`` -- in their original order. A clause heading or a contract id costs the
reader tokens without helping it answer; fewer tokens also means a cheaper, faster prompt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from domainllm.rag.chunking import Chunk, sentence_spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (empty list for blank text)."""
    return [text[s:e] for s, e in sentence_spans(text) if text[s:e].strip()]


def select_sentences(
    scores: Sequence[float], top_n: int | None = 2, threshold: float | None = None, min_keep: int = 1
) -> list[int]:
    """Indexes of the sentences to keep, in original order.

    ``top_n`` keeps the best n; ``threshold`` keeps those scoring at least that much; with both,
    a sentence must pass both. At least ``min_keep`` best sentences are always kept.
    """
    if top_n is None and threshold is None:
        raise ValueError("Give top_n, threshold or both.")
    if top_n is not None and top_n <= 0:
        raise ValueError(f"top_n must be positive, got {top_n}.")
    ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep = ranked if top_n is None else ranked[:top_n]
    if threshold is not None:
        keep = [i for i in keep if scores[i] >= threshold]
    if len(keep) < min_keep:
        keep = ranked[:min_keep]
    return sorted(keep)


class SentenceCompressor:
    """Keep the sentences of a passage closest to the question in embedding space."""

    def __init__(
        self,
        encode: Callable[[list[str]], np.ndarray],
        top_n: int | None = 2,
        threshold: float | None = None,
        min_keep: int = 1,
    ) -> None:
        select_sentences([1.0], top_n, threshold, min_keep)  # validates the settings
        self.encode = encode
        self.top_n = top_n
        self.threshold = threshold
        self.min_keep = min_keep

    def sentence_scores(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each sentence to the question."""
        if not sentences:
            return np.zeros(0)
        vectors = np.asarray(self.encode([question, *sentences]), dtype=float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1.0, norms)
        return vectors[1:] @ vectors[0]

    def compress(self, question: str, text: str) -> str:
        """``text`` reduced to its kept sentences, joined by spaces in their original order."""
        sentences = split_sentences(text)
        if len(sentences) <= 1:
            return text
        keep = select_sentences(
            self.sentence_scores(question, sentences).tolist(), self.top_n, self.threshold, self.min_keep
        )
        return " ".join(sentences[i].strip() for i in keep)

    def compress_chunks(self, question: str, chunks: Sequence[Chunk]) -> list[Chunk]:
        """Copies of ``chunks`` whose text is compressed; ``metadata["original_chars"]`` keeps the old length.

        Offsets still describe the whole passage, so retrieval metrics are unchanged.
        """
        return [
            dataclasses.replace(
                c,
                text=self.compress(question, c.text),
                metadata={**c.metadata, "original_chars": len(c.text)},
            )
            for c in chunks
        ]


class CompressingRetriever:
    """Wrap a retriever so every passage it returns is compressed for its question."""

    def __init__(self, base: Any, compressor: SentenceCompressor) -> None:
        self.base = base
        self.compressor = compressor
        self.name = f"{getattr(base, 'name', 'retriever')}+compress"

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        found = self.base.retrieve(list(questions), k=k, filter=filter)
        return [
            self.compressor.compress_chunks(q, chunks) for q, chunks in zip(questions, found, strict=True)
        ]

    def __repr__(self) -> str:
        return f"CompressingRetriever({self.base!r}, top_n={self.compressor.top_n})"


def tokens_saved(
    before: Sequence[str], after: Sequence[str], count_tokens: Callable[[str], int]
) -> dict[str, float]:
    """Total tokens before and after compression and the share saved."""
    if len(before) != len(after):
        raise ValueError(f"got {len(before)} texts before but {len(after)} after")
    total_before = sum(count_tokens(t) for t in before)
    total_after = sum(count_tokens(t) for t in after)
    saved = 1 - total_after / total_before if total_before else 0.0
    return {"before": float(total_before), "after": float(total_after), "saved": saved}
