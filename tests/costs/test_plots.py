"""Comparison plots return figures with the expected number of bars and lines."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from domainllm.metrics.stats import Estimate  # noqa: E402
from domainllm.plots import bar_with_intervals, grouped_bars, recall_at_k_plot, similarity_heatmap  # noqa: E402

ESTIMATES = {
    "base": Estimate(0.30, 0.22, 0.39, 100),
    "rag": Estimate(0.52, 0.43, 0.60, 100),
    "fine-tuned": Estimate(0.41, 0.33, 0.50, 100),
}


def _bars(fig: Figure) -> int:
    return sum(len(c) for ax in fig.axes for c in ax.containers if isinstance(c, BarContainer))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_bar_with_intervals_vertical_with_baseline() -> None:
    fig = bar_with_intervals(ESTIMATES, title="Exact match", ylabel="EM", baseline="base")
    assert isinstance(fig, Figure)
    assert _bars(fig) == 3
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(ESTIMATES)
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_ydata()[0] == pytest.approx(0.30)
    assert {t.get_text() for t in ax.texts} >= {"0.30", "0.52", "0.41"}  # value labels
    assert ax.patches[0].get_hatch() == "//"


def test_bar_with_intervals_horizontal_on_given_axes() -> None:
    many = {f"system number {i}": Estimate(0.1 * i, 0.1 * i - 0.05, 0.1 * i + 0.05, 20) for i in range(8)}
    fig, ax = plt.subplots()
    out = bar_with_intervals(many, ax=ax)
    assert out is fig and _bars(fig) == 8
    assert [t.get_text() for t in ax.get_yticklabels()] == list(many)  # horizontal: names on the y axis
    with pytest.raises(ValueError, match="baseline"):
        bar_with_intervals(ESTIMATES, baseline="missing")


def test_grouped_bars_counts_and_legend() -> None:
    table = {
        "train": {"base": ESTIMATES["base"], "rag": ESTIMATES["rag"]},
        "test": {"base": ESTIMATES["base"], "rag": ESTIMATES["rag"], "fine-tuned": ESTIMATES["fine-tuned"]},
    }
    fig = grouped_bars(table, title="EM by split", ylabel="EM")
    assert _bars(fig) == 5  # 2 + 3, no bar for the system missing from "train"
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["base", "rag", "fine-tuned"]


def test_recall_at_k_plot_one_line_per_retriever() -> None:
    curves = {"bm25": {1: 0.2, 2: 0.35, 5: 0.6}, "dense": {1: 0.3, 2: 0.5, 5: 0.7}, "hybrid": {1: 0.35}}
    fig = recall_at_k_plot(curves)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 5]
    assert ax.get_title() == "Recall@k"


def test_similarity_heatmap_annotates_cells() -> None:
    matrix = np.array([[1.0, 0.25, 0.1], [0.25, 1.0, 0.6], [0.1, 0.6, 1.0]])
    fig = similarity_heatmap(matrix, ["a", "b", "c"], title="Cosine similarity")
    ax = fig.axes[0]
    assert len(ax.images) == 1 and len(ax.texts) == 9
    assert len(fig.axes) == 2  # heatmap and colour bar
    with pytest.raises(ValueError, match="square"):
        similarity_heatmap(matrix, ["a", "b"])
