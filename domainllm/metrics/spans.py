"""Character-span precision, recall and F1 of a clause answer against gold spans (lab 4b).

A clause answer is scored by *where* it points in the contract, not by how many words it shares
with the gold: both sides are sets of character positions (``doc_id`` plus offsets ``[start,
end)``; overlapping spans count once). Precision is the share of the answer's characters that
are gold, recall the share of gold characters the answer covers. Returning a whole page buys
recall at the cost of precision, so F1 cannot be gamed by length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from domainllm.metrics.retrieval import SpanLike

__all__ = ["merge_spans", "span_overlap", "span_scores"]


def merge_spans(spans: Iterable[SpanLike]) -> dict[str, list[tuple[int, int]]]:
    """Per document, the union of the spans as sorted, disjoint ``(start, end)`` intervals."""
    by_doc: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for span in spans:
        if span.end > span.start:
            by_doc[span.doc_id].append((span.start, span.end))
    merged: dict[str, list[tuple[int, int]]] = {}
    for doc_id, intervals in by_doc.items():
        out: list[tuple[int, int]] = []
        for start, end in sorted(intervals):
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[doc_id] = out
    return merged


def _length(merged: dict[str, list[tuple[int, int]]]) -> int:
    return sum(end - start for intervals in merged.values() for start, end in intervals)


def span_overlap(predicted: Iterable[SpanLike], gold: Iterable[SpanLike]) -> tuple[int, int, int]:
    """Characters predicted, characters gold, and characters in both (each position counted once)."""
    mine, theirs = merge_spans(predicted), merge_spans(gold)
    common = 0
    for doc_id, intervals in mine.items():
        others = theirs.get(doc_id, [])
        for start, end in intervals:
            for g_start, g_end in others:
                common += max(0, min(end, g_end) - max(start, g_start))
    return _length(mine), _length(theirs), common


def span_scores(predicted: Iterable[SpanLike], gold: Iterable[SpanLike]) -> dict[str, float]:
    """``span_precision``, ``span_recall`` and ``span_f1`` of predicted against gold spans.

    Both empty (a correct abstention on a question without an answer) scores 1 on all three;
    exactly one empty scores 0.
    """
    n_predicted, n_gold, common = span_overlap(predicted, gold)
    if n_predicted == 0 and n_gold == 0:
        return {"span_precision": 1.0, "span_recall": 1.0, "span_f1": 1.0}
    precision = common / n_predicted if n_predicted else 0.0
    recall = common / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return {"span_precision": precision, "span_recall": recall, "span_f1": f1}
