"""Lab 4 (post-retrieval): arrange the passages a reader sees: best ones at the ends, and no passage twice.

Liu et al. (2023), "Lost in the Middle", found that language models use information at the
start and end of a long context better than in its middle. :func:`ends_first_order` therefore
puts the best-ranked passages at both ends and the weakest in the middle. Retrieval over
overlapping windows (such as the naive 1,024/256 chunks) often returns two windows sharing a
quarter of their text; :func:`deduplicate` merges overlapping windows of one document and drops
near-duplicate passages, so the reader does not pay for the same sentences twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, TypeVar

from domainllm.metrics.answers import jaccard, normalize_answer
from domainllm.rag.chunking import Chunk

T = TypeVar("T")

ORDERS = ("ranked", "ends", "reverse")


def ends_first_order(items: Sequence[T]) -> list[T]:
    """Ranks 1, 3, 5, ... from the front and 2, 4, ... from the back: [1, 2, 3, 4, 5] -> [1, 3, 5, 4, 2]."""
    items = list(items)
    return items[0::2] + items[1::2][::-1]


def reorder(items: Sequence[T], order: str = "ends") -> list[T]:
    """``ranked`` (as retrieved), ``ends`` (best at both ends) or ``reverse`` (best last, next to the question)."""
    if order == "ranked":
        return list(items)
    if order == "ends":
        return ends_first_order(items)
    if order == "reverse":
        return list(items)[::-1]
    raise ValueError(f"Unknown order {order!r}; choose one of {', '.join(ORDERS)}.")


def char_overlap(a: Chunk, b: Chunk) -> int:
    """Characters two chunks of the same document share (0 for different documents)."""
    if a.doc_id != b.doc_id:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def token_jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the normalized word sets of two texts."""
    return jaccard(normalize_answer(a).split(), normalize_answer(b).split(), both_empty=1.0)


def merge_chunks(a: Chunk, b: Chunk) -> Chunk:
    """One chunk spanning two overlapping or touching chunks of the same document (texts are exact slices)."""
    if a.doc_id != b.doc_id or min(a.end, b.end) < max(a.start, b.start):
        raise ValueError(f"{a.id} and {b.id} do not overlap.")
    first, second = (a, b) if a.start <= b.start else (b, a)
    if second.end <= first.end:
        return dataclasses.replace(first, metadata={**first.metadata, "merged": [a.id, b.id]})
    text = first.text + second.text[first.end - second.start :]
    return dataclasses.replace(
        first,
        id=f"{first.id}+{second.id}",
        end=second.end,
        text=text,
        metadata={**first.metadata, "merged": [a.id, b.id]},
    )


def deduplicate(
    chunks: Sequence[Chunk], merge_overlaps: bool = True, max_jaccard: float = 0.9
) -> list[Chunk]:
    """Passages without repeats, in rank order.

    A chunk overlapping an earlier-ranked chunk of the same document is merged into it
    (``merge_overlaps``) or dropped; a chunk whose words are nearly those of an earlier one
    (Jaccard >= ``max_jaccard``, e.g. identical boilerplate in two contracts) is dropped.
    """
    kept: list[Chunk] = []
    for chunk in chunks:
        overlapping = next((i for i, k in enumerate(kept) if char_overlap(k, chunk) > 0), None)
        if overlapping is not None:
            if merge_overlaps:
                kept[overlapping] = merge_chunks(kept[overlapping], chunk)
            continue
        if any(token_jaccard(k.text, chunk.text) >= max_jaccard for k in kept):
            continue
        kept.append(chunk)
    return kept


class DedupRetriever:
    """Wrap a retriever: fetch ``k`` passages and return them de-duplicated (possibly fewer)."""

    def __init__(self, base: Any, merge_overlaps: bool = True, max_jaccard: float = 0.9) -> None:
        self.base = base
        self.merge_overlaps = merge_overlaps
        self.max_jaccard = max_jaccard
        self.name = f"{getattr(base, 'name', 'retriever')}+dedup"

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        found = self.base.retrieve(list(questions), k=k, filter=filter)
        return [deduplicate(chunks, self.merge_overlaps, self.max_jaccard) for chunks in found]

    def __repr__(self) -> str:
        return f"DedupRetriever({self.base!r})"


class ReorderingRetriever:
    """Wrap a retriever so its top-k passages come back in another order (see :func:`reorder`)."""

    def __init__(self, base: Any, order: str = "ends") -> None:
        reorder([], order)  # validates the name
        self.base = base
        self.order = order
        self.name = f"{getattr(base, 'name', 'retriever')}+{order}"

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        return [
            reorder(chunks, self.order) for chunks in self.base.retrieve(list(questions), k=k, filter=filter)
        ]

    def __repr__(self) -> str:
        return f"ReorderingRetriever({self.base!r}, order={self.order!r})"
