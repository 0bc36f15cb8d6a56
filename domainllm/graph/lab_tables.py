"""Lab 5 (knowledge graph): the tables, chart and glued numbers of its extraction and comparison.

The lab extracts triples with patterns and with the LLM (``benchmark.llm_extraction_report``),
then answers multi-document questions three ways and scores them (``benchmark.score_answers``
per approach). These helpers lay those results out, so the lab's cells keep the extraction,
graph and question-answering calls in view. Numbers the text quotes come back as dicts keyed
by their glue name without the ``kg_`` prefix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from domainllm.corpus.records import Question
from domainllm.metrics.stats import Estimate, paired_bootstrap
from domainllm.plots import bar_with_intervals, grouped_bars
from domainllm.rag.pipeline import RagPipeline
from domainllm.rag.recipes import PIPELINES, make_pipeline
from domainllm.runtime.generation import Generator

APPROACH_TAGS = {"vector RAG": "vector", "graph RAG": "graph", "map-reduce": "mapreduce"}
KIND_METRICS = {"list (set F1)": "list_f1", "count": "count", "compare": "compare", "amended": "amended"}


def sample_table(
    questions: Sequence[Question], sample: Sequence[Question], kinds: Sequence[str]
) -> pd.DataFrame:
    """Questions of each kind in the split and in the sample, with an example from the sample."""
    return pd.DataFrame(
        {
            "in the split": {kind: sum(q.kind == kind for q in questions) for kind in kinds},
            "in the sample": {kind: sum(q.kind == kind for q in sample) for kind in kinds},
            "example": {kind: next(q.question for q in sample if q.kind == kind) for kind in kinds},
        }
    )


def _scores(table: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {
        f"{prefix} {label}": table.get(key)
        for key, label in (("precision", "precision"), ("recall", "recall"), ("f1", "F1"))
    }


def extraction_table(extraction: Mapping[str, Any]) -> pd.DataFrame:
    """Precision, recall and F1 of the LLM and the patterns per field, and over all fields (micro)."""
    rows = {
        category: {
            **_scores(extraction["llm"]["per_category"].get(category, {}), "LLM"),
            **_scores(extraction["pattern"]["per_category"].get(category, {}), "pattern"),
        }
        for category in extraction["categories"]
    }
    rows["all (micro)"] = {
        **_scores(extraction["llm"]["total"], "LLM"),
        **_scores(extraction["pattern"]["total"], "pattern"),
    }
    return pd.DataFrame(rows).T.astype(float).round(2)


def _rate(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.2f}"


def _interval(estimate: Mapping[str, float] | None) -> str:
    if estimate is None:
        return "undefined (no value returned)"
    return f"{estimate['mean']:.2f} [{estimate['low']:.2f}, {estimate['high']:.2f}]"


def extraction_numbers(extraction: Mapping[str, Any]) -> dict[str, Any]:
    """What the text quotes about LLM extraction: requests, precision and recall with intervals,
    F1 of both extractors, how many replies were valid, why others were refused, recall by the
    kind of value, and how often the LLM returned a value for a clause that states none."""
    stats = extraction["llm_stats"]
    positives = [r for r in extraction["results"] if r["gold"] is not None]
    by_kind: dict[str, list[bool]] = {}
    for r in positives:
        by_kind.setdefault(r["kind"], []).append(r["correct"])
    recall_by_kind = {kind: sum(hits) / len(hits) for kind, hits in sorted(by_kind.items())}
    negatives = [r for r in extraction["results"] if r["gold"] is None]
    return {
        "llm_requests": extraction["requests"],
        "llm_positives": extraction["positives"],
        "llm_precision": _interval(extraction["llm_precision"]),
        "llm_recall": _interval(extraction["llm_recall"]),
        "llm_f1": _rate(extraction["llm"]["total"]["f1"]),
        "pattern_sample_f1": _rate(extraction["pattern"]["total"]["f1"]),
        "llm_valid_first": stats["valid_first"],
        "llm_valid_retry": stats["valid_after_retry"],
        "llm_rejected": stats["rejected"],
        "llm_reasons": ", ".join(f"{k} {v}" for k, v in stats["reasons"].items()) or "none",
        "llm_recall_by_kind": ", ".join(
            f"{kind} {value:.2f} ({len(by_kind[kind])})" for kind, value in recall_by_kind.items()
        ),
        "llm_negatives": len(negatives),
        "llm_false_values": sum(r["value"] is not None for r in negatives),
    }


def extraction_requests_table(extraction: Mapping[str, Any]) -> pd.DataFrame:
    """Every request: the field asked, the replies (two when retried), why a reply was refused, and what was kept."""
    return pd.DataFrame(
        [
            {
                "field": r["category"],
                "clause": r["clause"][:70] + "...",
                "replies": " | ".join(r["replies"]),
                "status": r["status"],
                "refused because": "; ".join(dict.fromkeys(r["reasons"])) or "-",
                "value kept": r["value"],
                "gold": r["gold"] or "(states another field)",
                "right": r["correct"],
            }
            for r in extraction["results"]
        ]
    )


def vector_rag_pipeline(
    generator: Generator, indexes: dict[Any, Any], recipe: str = "advanced_rag"
) -> RagPipeline:
    """The vector-RAG baseline: lab 4's advanced pipeline, its index added to ``indexes`` (close them after)."""
    return make_pipeline(PIPELINES[recipe], generator, indexes)


def approach_estimate(report: Mapping[str, Any], metric: str = "set_f1") -> Estimate:
    """One metric of a ``benchmark.score_answers`` report as an :class:`Estimate`."""
    return Estimate(**report["metrics"][metric])


def approach_table(reports: Mapping[str, Mapping[str, Any]], seconds: Mapping[str, float]) -> pd.DataFrame:
    """One row per approach: set F1 over all kinds, the score of each kind, and seconds per question."""
    return pd.DataFrame(
        {
            name: {
                "set F1 (all kinds)": str(approach_estimate(report)),
                "list: set F1": str(approach_estimate(report, "list_f1")),
                "count: accuracy": str(approach_estimate(report, "count")),
                "compare: accuracy": str(approach_estimate(report, "compare")),
                "amended: accuracy": str(approach_estimate(report, "amended")),
                "s/question": round(seconds[name], 2),
            }
            for name, report in reports.items()
        }
    ).T


def comparison_figure(reports: Mapping[str, Mapping[str, Any]], baseline: str = "vector RAG") -> Figure:
    """Set F1 of each approach over all kinds (left) and its score on each kind of question (right)."""
    by_kind = {
        label: {name: approach_estimate(report, metric) for name, report in reports.items()}
        for label, metric in KIND_METRICS.items()
    }
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1, 2]})
    bar_with_intervals(
        {name: approach_estimate(report) for name, report in reports.items()},
        title="All kinds",
        ylabel="set F1",
        baseline=baseline,
        ax=axes[0],
    )
    grouped_bars(by_kind, title="By kind of question", ylabel="set F1 / accuracy", ax=axes[1])
    figure.tight_layout()
    return figure


def comparison_numbers(
    reports: Mapping[str, Mapping[str, Any]],
    seconds: Mapping[str, float],
    everything: Mapping[str, Any],
    seed: int = 0,
    baseline: str = "vector RAG",
    target: float = 2.0,
) -> dict[str, Any]:
    """What the text quotes about the comparison: the best approach, its ratio to ``baseline``
    against the 2x ``target`` and their paired difference, each approach's set F1, score per kind
    and seconds per question, and map-reduce's set F1 over the whole split (``everything``)."""

    def estimate(name: str, metric: str = "set_f1") -> Estimate:
        return approach_estimate(reports[name], metric)

    best = max(reports, key=lambda name: estimate(name).mean)
    vector = estimate(baseline).mean
    ratio = estimate(best).mean / vector if vector > 0 else float("inf")
    difference = paired_bootstrap(
        [r["f1"] for r in reports[baseline]["per_question"]],
        [r["f1"] for r in reports[best]["per_question"]],
        seed=seed,
    )
    numbers: dict[str, Any] = {
        "best_approach": best,
        "best_f1": estimate(best).mean,
        "best_f1_text": str(estimate(best)),
        **{f"{tag}_f1": str(estimate(name)) for name, tag in APPROACH_TAGS.items()},
        "mapreduce_all_f1": str(approach_estimate(everything)),
        "ratio": "more than 100" if ratio == float("inf") else f"{ratio:.1f}",
        "target": "meets" if ratio >= target else "misses",
        "best_diff": str(difference),
    }
    for name, tag in APPROACH_TAGS.items():
        for metric in KIND_METRICS.values():
            numbers[f"{tag}_{metric}"] = f"{estimate(name, metric).mean:.2f}"
        numbers[f"{tag}_seconds"] = f"{seconds[name]:.2f}"
        numbers[f"amended_{tag}"] = str(estimate(name, "amended"))
    return numbers
