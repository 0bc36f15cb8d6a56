"""Scoring (labs 1-3, 4b and 9, the Performance chapter): answer and span metrics, intervals, measurement summaries."""

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
from domainllm.metrics.recall_overlap import overlap_token_recall
from domainllm.metrics.retrieval import (
    is_relevant,
    mean_reciprocal_rank,
    ndcg_at_k,
    recall_at_k,
    recall_curve,
)
from domainllm.metrics.significance import (
    McNemar,
    Verdict,
    floor_verdict,
    mcnemar_exact,
    minimum_detectable_difference,
    verdict,
)
from domainllm.metrics.spans import span_scores
from domainllm.metrics.stats import (
    Estimate,
    PairedComparison,
    bootstrap_ci,
    interval,
    is_binary,
    paired_bootstrap,
    proportion,
    summarize,
    wilson_interval,
    win_rate,
)
from domainllm.metrics.value_match import value_accuracy

__all__ = [
    "contains_answer",
    "exact_match",
    "token_f1",
    "token_recall",
    "rouge_l_recall",
    "score_answer",
    "overlap_token_recall",
    "span_scores",
    "value_accuracy",
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
    "interval",
    "summarize",
    "win_rate",
    "proportion",
    "wilson_interval",
    "is_binary",
    "McNemar",
    "mcnemar_exact",
    "Verdict",
    "verdict",
    "floor_verdict",
    "minimum_detectable_difference",
    "crossing_point",
    "describe",
    "latency_ms",
    "spread",
]
