"""Sentence-level context compression."""

from __future__ import annotations

import numpy as np
import pytest

from domainllm.rag.chunking import Chunk
from domainllm.rag.compression import CompressingRetriever, SentenceCompressor, select_sentences, tokens_saved

WORDS = ("notice", "ohio", "payment")


def _encode(texts: list[str]) -> np.ndarray:
    """Bag-of-keywords embedding: enough to make similarity meaningful in tests."""
    return np.array([[t.lower().count(w) + 0.01 for w in WORDS] for t in texts], dtype=float)


def test_top_n_keeps_best_sentences_in_original_order() -> None:
    assert select_sentences([0.1, 0.9, 0.2, 0.8], top_n=2) == [1, 3]


def test_threshold_and_min_keep() -> None:
    assert select_sentences([0.1, 0.6, 0.7], top_n=None, threshold=0.5) == [1, 2]
    assert select_sentences([0.1, 0.2], top_n=None, threshold=0.9, min_keep=1) == [1]
    with pytest.raises(ValueError):
        select_sentences([0.1], top_n=None, threshold=None)


def test_compress_keeps_the_sentence_about_the_question() -> None:
    compressor = SentenceCompressor(_encode, top_n=1)
    text = "Payment is due in 30 days. Notice must be given 90 days ahead. Ohio law governs."
    assert compressor.compress("How much notice?", text) == "Notice must be given 90 days ahead."
    assert compressor.compress("Notice?", "One sentence only.") == "One sentence only."


def test_compressing_retriever_keeps_offsets_and_records_length() -> None:
    text = "Payment is due in 30 days. Ohio law governs."
    chunk = Chunk("D:0", "D", 5, 5 + len(text), text)

    class Base:
        def retrieve(self, questions, k=5, filter=None):
            return [[chunk] for _ in questions]

    found = CompressingRetriever(Base(), SentenceCompressor(_encode, top_n=1)).retrieve(
        ["Which law, Ohio?"], k=1
    )
    assert found[0][0].text == "Ohio law governs."
    assert (found[0][0].start, found[0][0].end) == (chunk.start, chunk.end)
    assert found[0][0].metadata["original_chars"] == len(text)


def test_tokens_saved_counts_share() -> None:
    result = tokens_saved(["a b c d"], ["a"], lambda t: len(t.split()))
    assert result == {"before": 4.0, "after": 1.0, "saved": 0.75}
