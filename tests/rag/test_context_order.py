"""Reordering passages against lost-in-the-middle, and de-duplication."""

from __future__ import annotations

import pytest

from domainllm.rag.chunking import Chunk
from domainllm.rag.context_order import (
    DedupRetriever,
    ReorderingRetriever,
    deduplicate,
    ends_first_order,
    merge_chunks,
    reorder,
    token_jaccard,
)

DOC = "0123456789abcdefghijklmnopqrstuvwxyz"


def _span(doc_id: str, start: int, end: int) -> Chunk:
    return Chunk(f"{doc_id}:{start}", doc_id, start, end, DOC[start:end])


def test_ends_first_puts_best_at_both_ends() -> None:
    assert ends_first_order([1, 2, 3, 4, 5]) == [1, 3, 5, 4, 2]
    assert ends_first_order([1, 2, 3]) == [1, 3, 2]
    assert reorder([1, 2, 3], "reverse") == [3, 2, 1]
    assert reorder([1, 2], "ranked") == [1, 2]
    with pytest.raises(ValueError, match="Unknown order"):
        reorder([1], "middle")


def test_merge_overlapping_windows_rebuilds_the_exact_text() -> None:
    merged = merge_chunks(_span("D", 5, 15), _span("D", 0, 10))
    assert (merged.start, merged.end, merged.text) == (0, 15, DOC[0:15])
    contained = merge_chunks(_span("D", 0, 20), _span("D", 5, 10))
    assert contained.text == DOC[0:20]
    with pytest.raises(ValueError):
        merge_chunks(_span("D", 0, 5), _span("E", 0, 5))


def test_deduplicate_merges_overlaps_and_drops_near_duplicates() -> None:
    a, b = _span("D", 0, 10), _span("D", 8, 20)
    c = Chunk("E:0", "E", 0, 11, "other words")
    same_words = Chunk("F:0", "F", 0, 20, DOC[0:20])
    kept = deduplicate([a, c, b, same_words])
    assert [k.doc_id for k in kept] == ["D", "E"]
    assert kept[0].text == DOC[0:20]
    assert [k.id for k in deduplicate([a, b], merge_overlaps=False)] == [a.id]


def test_token_jaccard() -> None:
    assert token_jaccard("Notice of 30 days", "notice of 30 days.") == 1.0
    assert token_jaccard("a cat", "a dog") == 0.0


class _Base:
    def retrieve(self, questions, k=5, filter=None):
        return [[_span("D", 0, 10), _span("D", 5, 15), _span("E", 0, 3)][:k] for _ in questions]


def test_wrappers() -> None:
    assert [c.doc_id for c in DedupRetriever(_Base()).retrieve(["q"], k=3)[0]] == ["D", "E"]
    assert [c.id for c in ReorderingRetriever(_Base(), "reverse").retrieve(["q"], k=3)[0]] == [
        "E:0",
        "D:5",
        "D:0",
    ]
