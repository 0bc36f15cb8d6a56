"""The tables and charts of labs 1-4 (rag.lab_tables): formats, column order, figure sizes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from domainllm.metrics.stats import Estimate
from domainllm.rag.lab_tables import (
    interval,
    recall_bars,
    recall_curves,
    report_bars,
    report_estimate,
    report_estimates,
    report_table,
    retrieval_table,
)


def _metric(mean: float) -> dict:
    return {"mean": mean, "low": mean - 0.1, "high": mean + 0.1, "n": 12}


def _report(f1: float, contains: float, prompt_tokens: float = 812.4, seconds: float = 1.234) -> dict:
    return {
        "metrics": {"f1": _metric(f1), "contains": _metric(contains)},
        "prompt_tokens": prompt_tokens,
        "seconds_per_answer": seconds,
    }


REPORTS = {"closed_book": _report(0.2, 0.25, 60.0, 0.5), "naive_rag": _report(0.4, 0.5)}


def test_interval_has_three_decimals_and_no_n() -> None:
    assert interval(Estimate(0.5, 0.25, 0.75, 10)) == "0.500 [0.250, 0.750]"


def test_report_estimate_reads_a_metric_of_an_evaluation_report() -> None:
    assert report_estimate(REPORTS["naive_rag"]) == Estimate(0.4, 0.4 - 0.1, 0.4 + 0.1, 12)
    assert report_estimate(REPORTS["naive_rag"], "contains").mean == 0.5
    assert list(report_estimates(REPORTS, "f1")) == ["closed_book", "naive_rag"]


def test_report_table_lists_metrics_then_cost_columns() -> None:
    table = report_table(REPORTS, ["f1", "contains"], labels={"f1": "token F1"})
    assert list(table.columns) == ["token F1", "contains", "prompt tokens", "s/answer"]
    assert list(table.index) == ["closed_book", "naive_rag"]
    assert table.loc["naive_rag", "token F1"] == "0.400 [0.300, 0.500]"
    assert table.loc["naive_rag", "prompt tokens"] == 812
    assert table.loc["naive_rag", "s/answer"] == 1.23
    assert list(report_table(REPORTS, names=["naive_rag"]).index) == ["naive_rag"]


def test_report_bars_one_panel_per_metric() -> None:
    figure = report_bars(REPORTS, ["contains", "f1"], baseline="closed_book")
    assert len(figure.axes) == 2 and tuple(figure.get_size_inches()) == pytest.approx((10, 3.6))
    assert [ax.get_title() for ax in figure.axes] == ["contains", "f1"]
    plt.close(figure)
    single = report_bars(REPORTS, ["f1"], ylabel="token F1", title="Token F1", horizontal=True)
    assert len(single.axes) == 1 and single.axes[0].get_title() == "Token F1"
    plt.close(single)


def test_retrieval_table_labels_metrics_with_k_and_puts_extra_columns_first() -> None:
    e = Estimate(0.5, 0.25, 0.75, 10)
    estimates = {"dense": {"recall@k": e, "mrr": e, "context_precision": e}}
    table = retrieval_table(
        estimates, 5, ["recall@k", "mrr", "context_precision"], first={"chunks": {"dense": 7}}
    )
    assert list(table.columns) == ["chunks", "recall@5", "MRR", "context precision"]
    assert table.loc["dense", "recall@5"] == "0.500 [0.250, 0.750]"
    assert table.loc["dense", "chunks"] == 7


def test_recall_charts_label_their_axes() -> None:
    e = Estimate(0.5, 0.25, 0.75, 10)
    bars = recall_bars({"naive": e, "hybrid": e}, 5, title="Recall", baseline="naive")
    assert "recall@5" in (bars.axes[0].get_ylabel(), bars.axes[0].get_xlabel())
    plt.close(bars)
    curves = recall_curves({"dense": {1: 0.2, 2: 0.4}}, title="Curves")
    assert curves.axes[0].get_title() == "Curves"
    plt.close(curves)
