"""Lab 4b (reading): how well the sentence around a candidate answer matches the question.

The span model scores every value in a window, and two values of one kind in neighbouring
sentences (the effective date and the expiry date, the cure period and the notice period) often
score alike. The sentence that holds the answer usually says what the question asks about, so the
extractive reader adds the cosine similarity, under the shipped MiniLM sentence embedder, between
the question and the sentence around each candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from domainllm.rag.chunking import sentence_spans


def enclosing_sentence(text: str, position: int) -> str:
    """The sentence of ``text`` that holds character ``position`` (the whole text if none does)."""
    for start, end in sentence_spans(text):
        if start <= position < end:
            return text[start:end]
    return text


def sentence_vectors(
    question: str, sentences: Sequence[str], embedder: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Normalized embeddings of ``question`` and of each of ``sentences`` (pass them distinct)."""
    if embedder is None:
        from domainllm.runtime.models import load_embedder

        embedder = load_embedder()
    vectors = np.asarray(embedder.encode([question, *sentences], normalize_embeddings=True, batch_size=32))
    return vectors[0], vectors[1:]


def sentence_similarities(question: str, sentences: Sequence[str], embedder: Any = None) -> np.ndarray:
    """Cosine similarity of ``question`` to each sentence (each distinct sentence embedded once)."""
    if not sentences:
        return np.zeros(0)
    distinct = list(dict.fromkeys(sentences))
    asked, written = sentence_vectors(question, distinct, embedder)
    by_sentence = dict(zip(distinct, written @ asked, strict=True))
    return np.array([float(by_sentence[s]) for s in sentences])
