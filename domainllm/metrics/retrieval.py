"""Lab 3 (retrieval): retrieval metrics over character spans.

A retrieved chunk and a gold evidence passage are both *spans*: a ``doc_id`` plus character
offsets ``start`` (inclusive) and ``end`` (exclusive). A chunk is *relevant* when it overlaps
some evidence span: same document and an intersection of positive length. Working with
offsets instead of chunk ids lets one gold set score any chunking strategy.

Per-question functions take the ranked chunks (best first) and the question's evidence.
Metrics whose denominator is the evidence (recall@k, nDCG@k, context recall) raise
``ValueError`` for a question without evidence; filter unanswerable questions out first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "SpanLike",
    "context_precision",
    "context_recall",
    "hit_at_k",
    "is_relevant",
    "mean_reciprocal_rank",
    "ndcg_at_k",
    "overlaps",
    "recall_at_k",
    "recall_curve",
    "reciprocal_rank",
]


@runtime_checkable
class SpanLike(Protocol):
    """Anything with a document id and half-open character offsets ``[start, end)``.

    Members are read-only properties so frozen dataclasses such as ``chunking.Chunk`` match.
    """

    @property
    def doc_id(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def overlaps(a: SpanLike, b: SpanLike) -> bool:
    """True when both spans lie in the same document and share at least one character."""
    return a.doc_id == b.doc_id and min(a.end, b.end) > max(a.start, b.start)


def is_relevant(chunk: SpanLike, evidence: Iterable[SpanLike]) -> bool:
    """True when the chunk overlaps any evidence span."""
    return any(overlaps(chunk, span) for span in evidence)


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def _require_evidence(evidence: Sequence[SpanLike], metric: str) -> None:
    if len(evidence) == 0:
        raise ValueError(f"{metric} is undefined for a question without gold evidence")


def _relevance(retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike], k: int) -> list[bool]:
    return [is_relevant(chunk, evidence) for chunk in list(retrieved)[:k]]


def recall_at_k(retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike], k: int) -> float:
    """Fraction of evidence spans overlapped by at least one of the top-k chunks."""
    _check_k(k)
    _require_evidence(evidence, "recall@k")
    top = list(retrieved)[:k]
    found = sum(any(overlaps(chunk, span) for chunk in top) for span in evidence)
    return found / len(evidence)


def hit_at_k(retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike], k: int) -> float:
    """1.0 when any of the top-k chunks is relevant, else 0.0."""
    _check_k(k)
    return float(any(_relevance(retrieved, evidence, k)))


def reciprocal_rank(retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike]) -> float:
    """1 / rank of the first relevant chunk (ranks start at 1); 0.0 when none is relevant."""
    for rank, chunk in enumerate(retrieved, start=1):
        if is_relevant(chunk, evidence):
            return 1.0 / rank
    return 0.0


def _check_pairs(runs: Sequence[Sequence[SpanLike]], golds: Sequence[Sequence[SpanLike]]) -> None:
    if len(runs) != len(golds):
        raise ValueError(f"got {len(runs)} retrieval results but {len(golds)} evidence lists")
    if len(runs) == 0:
        raise ValueError("need at least one question to average over")


def mean_reciprocal_rank(
    list_of_retrieved: Sequence[Sequence[SpanLike]], list_of_evidence: Sequence[Sequence[SpanLike]]
) -> float:
    """Mean of :func:`reciprocal_rank` over questions."""
    _check_pairs(list_of_retrieved, list_of_evidence)
    ranks = [reciprocal_rank(r, e) for r, e in zip(list_of_retrieved, list_of_evidence, strict=True)]
    return float(np.mean(ranks))


def ndcg_at_k(retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike], k: int) -> float:
    """Normalised discounted cumulative gain with binary relevance.

    DCG@k = sum over ranks i <= k of rel_i / log2(i + 1), with rel_i = 1 for a relevant chunk.
    The ideal DCG puts min(k, m) relevant items first, where m is the number of evidence
    spans -- or the number of relevant chunks in the top k if that is larger (several
    small chunks can cut one evidence span), which keeps the score within [0, 1].
    """
    _check_k(k)
    _require_evidence(evidence, "nDCG@k")
    rel = _relevance(retrieved, evidence, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float(sum(d for d, r in zip(discounts, rel, strict=False) if r))
    n_ideal = min(k, max(len(evidence), sum(rel)))
    idcg = float(discounts[:n_ideal].sum())
    return dcg / idcg


def context_precision(retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike], k: int) -> float:
    """Rank-aware context precision in the style of RAGAS.

    With rel_i = 1 when the chunk at rank i is relevant and precision@i = (relevant chunks
    among the top i) / i, the score is

        sum over i <= k of precision@i * rel_i  /  (number of relevant chunks in the top k)

    i.e. the mean of precision@i over the ranks that hold a relevant chunk; 0.0 when none of
    the top k is relevant. Relevant chunks ranked early score higher than the same chunks
    ranked late.
    """
    _check_k(k)
    rel = _relevance(retrieved, evidence, k)
    hits = 0
    total = 0.0
    for rank, is_rel in enumerate(rel, start=1):
        if is_rel:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(iv for iv in intervals if iv[1] > iv[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _by_doc(spans: Iterable[SpanLike]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for span in spans:
        out.setdefault(span.doc_id, []).append((span.start, span.end))
    return {doc: _merge(ivs) for doc, ivs in out.items()}


def _intersection_length(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Characters shared by two sorted, merged interval lists."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def context_recall(retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike], k: int) -> float:
    """Fraction of evidence characters covered by the union of the top-k chunks.

    Overlapping evidence spans are merged first, so no character is counted twice.
    """
    _check_k(k)
    gold = _by_doc(evidence)
    gold_chars = sum(end - start for ivs in gold.values() for start, end in ivs)
    if gold_chars == 0:
        raise ValueError("context recall is undefined for a question without gold evidence characters")
    got = _by_doc(list(retrieved)[:k])
    covered = sum(_intersection_length(ivs, got.get(doc, [])) for doc, ivs in gold.items())
    return covered / gold_chars


def recall_curve(
    list_of_retrieved: Sequence[Sequence[SpanLike]],
    list_of_evidence: Sequence[Sequence[SpanLike]],
    ks: Iterable[int] = range(1, 21),
) -> dict[int, float]:
    """Mean recall@k over questions for every k in ``ks`` (ready for ``plots.recall_at_k_plot``)."""
    _check_pairs(list_of_retrieved, list_of_evidence)
    pairs = list(zip(list_of_retrieved, list_of_evidence, strict=True))
    curve: dict[int, float] = {}
    for k in ks:
        curve[int(k)] = float(np.mean([recall_at_k(r, e, k) for r, e in pairs]))
    return curve
