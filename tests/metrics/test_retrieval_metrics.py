"""Retrieval metrics on a tiny hand-made example.

Evidence:  E1 = d1[100, 200)  (100 chars),  E2 = d2[0, 50)  (50 chars)
Ranking:   c1 = d1[0, 100)   touches E1 at 100 but shares no character -> not relevant
           c2 = d2[40, 90)   overlaps E2 on [40, 50)   (10 chars)  -> relevant
           c3 = d1[150, 300) overlaps E1 on [150, 200) (50 chars)  -> relevant
           c4 = d3[0, 100)   other document -> not relevant
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from domainllm.metrics.retrieval import (
    SpanLike,
    context_precision,
    context_recall,
    hit_at_k,
    is_relevant,
    mean_reciprocal_rank,
    ndcg_at_k,
    overlaps,
    recall_at_k,
    recall_curve,
    reciprocal_rank,
)


@dataclass(frozen=True)
class Span:
    doc_id: str
    start: int
    end: int


E1, E2 = Span("d1", 100, 200), Span("d2", 0, 50)
EVIDENCE = [E1, E2]
C1, C2, C3, C4 = Span("d1", 0, 100), Span("d2", 40, 90), Span("d1", 150, 300), Span("d3", 0, 100)
RANKING = [C1, C2, C3, C4]


def test_span_protocol_and_overlap() -> None:
    assert isinstance(E1, SpanLike)
    assert not overlaps(C1, E1)  # adjacent, end is exclusive
    assert overlaps(C3, E1) and overlaps(E1, C3)
    assert not overlaps(Span("d9", 100, 200), E1)  # same offsets, other document
    assert not overlaps(Span("d1", 150, 150), E1)  # empty span
    assert [is_relevant(c, EVIDENCE) for c in RANKING] == [False, True, True, False]


def test_recall_and_hit_at_k() -> None:
    # top-1 {c1}: no evidence span hit; top-2 adds c2 -> E2 (1/2); top-3 adds c3 -> E1 (2/2)
    assert [recall_at_k(RANKING, EVIDENCE, k) for k in (1, 2, 3, 10)] == [0.0, 0.5, 1.0, 1.0]
    assert [hit_at_k(RANKING, EVIDENCE, k) for k in (1, 2)] == [0.0, 1.0]
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k(RANKING, EVIDENCE, 0)
    with pytest.raises(ValueError, match="without gold evidence"):
        recall_at_k(RANKING, [], 3)
    assert hit_at_k(RANKING, [], 3) == 0.0


def test_reciprocal_rank_and_mrr() -> None:
    # first relevant chunk is c2 at rank 2 -> 1/2; a ranking with only c4 -> 0
    assert reciprocal_rank(RANKING, EVIDENCE) == 0.5
    assert reciprocal_rank([C4], EVIDENCE) == 0.0
    # MRR = (1/2 + 0) / 2
    assert mean_reciprocal_rank([RANKING, [C4]], [EVIDENCE, EVIDENCE]) == 0.25
    with pytest.raises(ValueError, match="evidence lists"):
        mean_reciprocal_rank([RANKING], [])


def test_ndcg_at_k() -> None:
    # rel = [0, 1, 1]: DCG = 1/log2(3) + 1/log2(4); ideal puts min(3, 2 spans) = 2 first: 1 + 1/log2(3)
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at_k(RANKING, EVIDENCE, 3) == pytest.approx(dcg / idcg)  # about 0.6934
    # k = 1: c1 not relevant -> 0
    assert ndcg_at_k(RANKING, EVIDENCE, 1) == 0.0
    # Two small chunks inside one evidence span: both relevant, ideal grows to 2 items -> exactly 1
    one = [Span("d1", 0, 100)]
    assert ndcg_at_k([Span("d1", 0, 10), Span("d1", 10, 20)], one, 5) == pytest.approx(1.0)


def test_context_precision_is_rank_aware() -> None:
    # relevant at ranks 2 and 3: precision@2 = 1/2, precision@3 = 2/3 -> mean = 7/12
    assert context_precision(RANKING, EVIDENCE, 3) == pytest.approx(7 / 12)
    # same chunks ranked first: precision@1 = 1, precision@2 = 1 -> 1
    assert context_precision([C2, C3, C1, C4], EVIDENCE, 4) == pytest.approx(1.0)
    assert context_precision(RANKING, EVIDENCE, 1) == 0.0


def test_context_recall_counts_characters() -> None:
    # evidence chars 100 + 50 = 150; top-3 covers [150, 200) of E1 (50) and [40, 50) of E2 (10) -> 60/150
    assert context_recall(RANKING, EVIDENCE, 3) == pytest.approx(0.4)
    assert context_recall(RANKING, EVIDENCE, 1) == 0.0
    # overlapping evidence d1[0,10) + d1[5,15) merges to 15 chars; chunks d1[0,5) + d1[3,8) cover [0,8)
    evidence = [Span("d1", 0, 10), Span("d1", 5, 15)]
    chunks = [Span("d1", 0, 5), Span("d1", 3, 8)]
    assert context_recall(chunks, evidence, 2) == pytest.approx(8 / 15)
    with pytest.raises(ValueError):
        context_recall(chunks, [], 2)


def test_recall_curve_averages_questions() -> None:
    # q1: recall@1,2,3 = 0, 0.5, 1; q2: first chunk overlaps its only span -> 1, 1, 1
    q2_ranking = [C4, Span("d3", 0, 5)]
    q2_evidence = [Span("d3", 50, 60)]
    curve = recall_curve([RANKING, q2_ranking], [EVIDENCE, q2_evidence], ks=[1, 2, 3])
    assert curve == pytest.approx({1: 0.5, 2: 0.75, 3: 1.0})
    assert list(recall_curve([RANKING], [EVIDENCE])) == list(range(1, 21))
