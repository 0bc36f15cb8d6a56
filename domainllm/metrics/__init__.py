"""Scoring (labs 1-3 and 9, the Performance chapter): answer and span metrics, intervals, measurement summaries."""

from __future__ import annotations

from domainllm.metrics.answers import (
    contains_answer,
    exact_match,
    normalize_answer,
    rouge_l_recall,
    score_answer,
    token_f1,
    token_recall,
)
from domainllm.metrics.measurements import crossing_point, describe, latency_ms, spread
from domainllm.metrics.retrieval import (
    is_relevant,
    mean_reciprocal_rank,
    ndcg_at_k,
    recall_at_k,
    recall_curve,
)
from domainllm.metrics.stats import (
    Estimate,
    PairedComparison,
    bootstrap_ci,
    paired_bootstrap,
    summarize,
    win_rate,
)

__all__ = [
    "contains_answer",
    "exact_match",
    "token_f1",
    "token_recall",
    "rouge_l_recall",
    "score_answer",
    "normalize_answer",
    "is_relevant",
    "recall_at_k",
    "mean_reciprocal_rank",
    "ndcg_at_k",
    "recall_curve",
    "Estimate",
    "PairedComparison",
    "bootstrap_ci",
    "paired_bootstrap",
    "summarize",
    "win_rate",
    "crossing_point",
    "describe",
    "latency_ms",
    "spread",
]
