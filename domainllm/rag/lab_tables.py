"""Labs 1-4 (naive RAG to post-retrieval): the tables and charts of their measurements.

The labs score pipelines with ``benchmark.evaluate_pipeline`` (a JSON-ready *report* per
pipeline) and retrievers with bootstrap :class:`~domainllm.metrics.stats.Estimate` s per metric.
These helpers turn both into the tables and bar charts the labs show, so a lab's cells keep
the retrieval, reranking and compression calls in view instead of the formatting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from domainllm.metrics.stats import Estimate
from domainllm.plots import bar_with_intervals, recall_at_k_plot

RETRIEVAL_LABELS = {
    "recall@k": "recall@{k}",
    "mrr": "MRR",
    "ndcg@k": "nDCG@{k}",
    "context_precision": "context precision",
    "context_recall": "context recall",
}


def interval(estimate: Estimate) -> str:
    """``mean [low, high]`` to three decimals: one table cell (``str(estimate)`` adds n)."""
    return f"{estimate.mean:.3f} [{estimate.low:.3f}, {estimate.high:.3f}]"


def report_estimate(report: Mapping[str, Any], metric: str = "f1") -> Estimate:
    """The :class:`Estimate` of one metric in an ``evaluate_pipeline`` report."""
    values = report["metrics"][metric]
    return Estimate(**{key: values[key] for key in ("mean", "low", "high", "n")})


def report_estimates(reports: Mapping[str, Mapping[str, Any]], metric: str = "f1") -> dict[str, Estimate]:
    """:func:`report_estimate` of every pipeline, keyed by its name."""
    return {name: report_estimate(report, metric) for name, report in reports.items()}


def report_table(
    reports: Mapping[str, Mapping[str, Any]],
    metrics: Sequence[str] = ("contains", "f1"),
    names: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per pipeline: each metric as ``mean [low, high]``, mean prompt tokens and seconds per answer.

    ``names`` picks and orders the pipelines (default: all); ``labels`` renames metric columns.
    """
    labels = labels or {}
    rows = {}
    for name in reports if names is None else names:
        report = reports[name]
        rows[name] = {labels.get(m, m): interval(report_estimate(report, m)) for m in metrics}
        rows[name]["prompt tokens"] = round(report["prompt_tokens"])
        rows[name]["s/answer"] = round(report["seconds_per_answer"], 2)
    return pd.DataFrame(rows).T


def report_bars(
    reports: Mapping[str, Mapping[str, Any]],
    metrics: Sequence[str],
    ylabel: str = "score",
    baseline: str | None = None,
    title: str | None = None,
    horizontal: bool | None = None,
) -> Figure:
    """Bars with 95% intervals of every pipeline, one panel per metric (titled by the metric).

    A single metric gets :func:`~domainllm.plots.bar_with_intervals`' own figure (and ``title``);
    several sit side by side, 5 x 3.6 inches each.
    """
    if len(metrics) == 1:
        estimates = report_estimates(reports, metrics[0])
        return bar_with_intervals(
            estimates, title=title or metrics[0], ylabel=ylabel, baseline=baseline, horizontal=horizontal
        )
    figure, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6))
    for ax, metric in zip(axes, metrics, strict=True):
        estimates = report_estimates(reports, metric)
        bar_with_intervals(
            estimates, title=metric, ylabel=ylabel, baseline=baseline, ax=ax, horizontal=horizontal
        )
    figure.tight_layout()
    return figure


def retrieval_table(
    estimates: Mapping[str, Mapping[str, Estimate]],
    k: int,
    metrics: Sequence[str] = ("recall@k", "mrr"),
    first: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per retriever, a column per retrieval metric as ``mean [low, high]``.

    ``estimates`` maps a retriever to its metrics (``metrics.summarize`` of
    ``benchmark.retrieval_scores``); ``first`` adds columns in front, e.g. ``{"chunks": sizes}``.
    """
    rows = {}
    for name, found in estimates.items():
        rows[name] = {column: values[name] for column, values in (first or {}).items()}
        rows[name] |= {RETRIEVAL_LABELS[m].format(k=k): interval(found[m]) for m in metrics}
    return pd.DataFrame(rows).T


def recall_bars(estimates: Mapping[str, Estimate], k: int, title: str, baseline: str | None = None) -> Figure:
    """Recall@k of each retriever with its 95% interval; ``baseline`` is hatched, its mean dashed."""
    return bar_with_intervals(estimates, title=title, ylabel=f"recall@{k}", baseline=baseline)


def recall_curves(curves: Mapping[str, Mapping[int, float]], title: str) -> Figure:
    """Mean recall@k against k, one line per retriever (``metrics.recall_curve`` of each)."""
    return recall_at_k_plot(curves, title=title)
