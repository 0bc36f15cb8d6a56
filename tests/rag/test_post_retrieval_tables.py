"""Lab 4's helpers (rag.post_retrieval_tables): compression chart, dedup table, citations, best variant."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from domainllm.corpus.records import Evidence, Question
from domainllm.metrics.stats import Estimate
from domainllm.rag.chunking import Chunk
from domainllm.rag.post_retrieval_tables import (
    best_variant_numbers,
    citation_report,
    compression_figure,
    dedup_table,
)


def test_compression_figure_plots_one_point_per_setting_and_the_naive_line() -> None:
    e = Estimate(0.4, 0.3, 0.5, 12)
    figure = compression_figure({"no compression": (e, 0.0), "top-1 sentences": (e, 0.6)}, naive=e)
    assert tuple(figure.get_size_inches()) == pytest.approx((6.5, 3.8))
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["naive RAG", "no compression", "top-1 sentences"]
    plt.close(figure)


def test_dedup_table_formats_shares_and_recall() -> None:
    table = dedup_table(0.375, 0.2, Estimate(0.5, 0.4, 0.6, 8), Estimate(0.5, 0.4, 0.6, 8), 5)
    assert table.iloc[0].tolist() == ["38%", "20%", "0.500", "0.500"]
    assert list(table.columns)[0] == "questions whose top 5 had overlapping windows"


def test_citation_report_resolves_and_checks_citations() -> None:
    text = "Payment is due within 30 days of invoice."
    chunks = [
        Chunk("SUP-1:0", "SUP-1", 0, len(text), text, {"section": "4. Payment"}),
        Chunk("SUP-1:99", "SUP-1", 99, 120, "Other unrelated text.", {"section": "9. Other"}),
    ]
    question = Question(
        "q", "When is payment due?", "30 days", (), (Evidence("SUP-1", 10, 30),), "payment", "t", "T"
    )
    report = citation_report([question, question], ["30 days [1]", "30 days"], [chunks, chunks])
    assert report.table["cites"].tolist() == ["[1] SUP-1, 4. Payment", "-"]
    assert report.table["cited passage has evidence"].tolist()[0] == 1.0
    assert report.cite_rate.mean == 0.5 and report.bracket_rate.mean == 0.5
    assert report.accuracy is not None and report.accuracy.mean == 1.0
    none = citation_report([question], ["30 days"], [chunks])
    assert none.accuracy is None


def _report(f1s: list[float], prompt_tokens: float) -> dict:
    mean = sum(f1s) / len(f1s)
    metric = {"mean": mean, "low": mean - 0.1, "high": mean + 0.1, "n": len(f1s)}
    return {
        "metrics": {"f1": metric, "contains": metric},
        "per_question": {"f1": f1s},
        "prompt_tokens": prompt_tokens,
    }


def test_best_variant_numbers_pick_the_highest_f1_against_naive_rag() -> None:
    reports = {
        "naive_rag": _report([0.0, 0.2, 0.2, 0.0], 900.0),
        "advanced_rag": _report([0.5, 0.5, 0.5, 0.5], 400.0),
        "compressed": _report([0.2, 0.2, 0.2, 0.2], 200.0),
    }
    numbers = best_variant_numbers(reports, baseline="naive_rag", target=1.3)
    assert numbers["best"] == "advanced_rag"
    assert numbers["ratio"] == "5.00" and numbers["target"] == "meets"
    assert numbers["prompt_naive"] == "900" and numbers["prompt_best"] == "400"
    assert numbers["best_zero"] in {"excludes", "includes"}
    assert numbers["best_f1"].startswith("0.500 [")
