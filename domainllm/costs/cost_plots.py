"""Lab 10 (ROI): plots for the cost model: cumulative cost, cost against volume, and a tornado chart.

Every function returns a matplotlib ``Figure`` and never calls ``plt.show()``. Break-even
points are computed with the closed forms in :mod:`domainllm.costs.model`, never read off a curve.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from domainllm.costs.model import Approach, break_even_month, break_even_volume, total_cost
from domainllm.costs.sensitivity import SensitivityBar
from domainllm.plots import FIGSIZE, PALETTE

__all__ = ["cumulative_cost_plot", "tornado_plot", "volume_cost_plot"]

_MARKER = {"color": "#000000", "s": 36, "zorder": 5}
_LABEL_BOX = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85}


def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax  # type: ignore[return-value]
    return plt.subplots(figsize=figsize)


def _style(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    if title:
        ax.set_title(title, fontsize=13)
    ax.set_xlabel(xlabel, fontsize=11)
    ax.set_ylabel(ylabel, fontsize=11)
    ax.tick_params(labelsize=10)
    ax.spines[["top", "right"]].set_visible(False)


def _check_approaches(approaches: Sequence[Approach]) -> None:
    if not approaches:
        raise ValueError("need at least one approach to plot")
    currencies = {a.currency for a in approaches}
    if len(currencies) > 1:
        raise ValueError(f"approaches mix currencies {sorted(currencies)}; convert them first")


def cumulative_cost_plot(
    approaches: Sequence[Approach],
    queries_per_month: float,
    months: int = 24,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Cumulative cost over ``months`` months at one volume, break-even months marked.

    The curves start at the one-off cost (month 0) and jump at each retraining.
    """
    _check_approaches(approaches)
    fig, ax = _axes(ax)
    grid = set(np.linspace(0.0, months, 24 * months + 1).tolist())
    for a in approaches:
        if a.retrain_every_months is not None:
            for k in range(1, math.ceil(months / a.retrain_every_months)):
                grid.update((k * a.retrain_every_months, k * a.retrain_every_months + 1e-6))
    t = np.array(sorted(x for x in grid if x <= months))
    for i, a in enumerate(approaches):
        y = [total_cost(a, queries_per_month, x) for x in t]
        ax.plot(t, y, color=PALETTE[i % len(PALETTE)], linewidth=2, label=a.name)
    for a, b in itertools.combinations(approaches, 2):
        month = break_even_month(a, b, queries_per_month, horizon_months=months)
        if month is not None and month > 0:
            cost = total_cost(a, queries_per_month, month)
            ax.scatter([month], [cost], **_MARKER)
            ax.annotate(
                f"{a.name} = {b.name}\nmonth {month:.1f}",
                (month, cost),
                xytext=(6, -18),
                textcoords="offset points",
                fontsize=9,
                bbox=_LABEL_BOX,
            )
    ax.set_xlim(0, months)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=10)
    _style(ax, title, "months after launch", f"cumulative cost ({approaches[0].currency})")
    fig.tight_layout()
    return fig


def volume_cost_plot(
    approaches: Sequence[Approach],
    max_queries_per_month: float,
    months: int = 12,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Total cost over ``months`` months against monthly query volume, break-even volumes marked."""
    _check_approaches(approaches)
    if not (max_queries_per_month > 0 and math.isfinite(max_queries_per_month)):
        raise ValueError(f"max_queries_per_month must be > 0, got {max_queries_per_month!r}")
    fig, ax = _axes(ax)
    volumes = np.linspace(0.0, max_queries_per_month, 201)
    for i, a in enumerate(approaches):
        y = [total_cost(a, v, months) for v in volumes]
        ax.plot(volumes, y, color=PALETTE[i % len(PALETTE)], linewidth=2, label=a.name)
    for a, b in itertools.combinations(approaches, 2):
        volume = break_even_volume(a, b, months)
        if volume is not None and 0 < volume <= max_queries_per_month:
            cost = total_cost(a, volume, months)
            ax.scatter([volume], [cost], **_MARKER)
            ax.axvline(volume, color="#777777", linestyle=":", linewidth=1, zorder=0)
            ax.annotate(
                f"{a.name} = {b.name}\n{volume:,.0f} queries/month",
                (volume, cost),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=9,
                bbox=_LABEL_BOX,
            )
    ax.set_xlim(0, max_queries_per_month)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=10)
    ylabel = f"total cost over {months} months ({approaches[0].currency})"
    _style(ax, title, "queries per month", ylabel)
    fig.tight_layout()
    return fig


def tornado_plot(
    bars: Sequence[SensitivityBar],
    title: str = "",
    xlabel: str = "",
    fmt: str = "{:,.4g}",
    undefined: str = "no break-even",
    ax: Axes | None = None,
) -> Figure:
    """Tornado chart of :func:`domainllm.costs.sensitivity.sensitivity` output, widest bar on top.

    Each bar spans the metric at the input's low value (blue) to its high value (orange);
    the dashed line is the base case. An end where the metric is undefined (NaN) is drawn as
    the text ``undefined`` beside the base line instead of a bar; when the base case itself is
    undefined, no bars are drawn.
    """
    if not bars:
        raise ValueError("tornado_plot needs at least one bar")
    height = max(FIGSIZE[1], 0.5 * len(bars) + 1.2)
    fig, ax = _axes(ax, figsize=(FIGSIZE[0], height))
    base = bars[0].base_metric
    labels = []
    for pos, bar in enumerate(bars):
        labels.append(f"{bar.name}\n({fmt.format(bar.low_input)} to {fmt.format(bar.high_input)})")
        ends = ((bar.low_metric, bar.high_metric, PALETTE[0]), (bar.high_metric, bar.low_metric, PALETTE[1]))
        for value, other, color in ends:
            if math.isnan(base):
                continue
            if math.isnan(value):
                side = 1 if math.isnan(other) or other <= base else -1  # away from the other bar
                ax.annotate(
                    undefined,
                    (base, pos),
                    xytext=(6 * side, 0),
                    textcoords="offset points",
                    ha="left" if side > 0 else "right",
                    va="center",
                    fontsize=9,
                    color=color,
                )
                continue
            ax.barh(pos, value - base, left=base, color=color, height=0.6)
    ax.set_yticks(range(len(bars)), labels, fontsize=9)
    ax.invert_yaxis()
    if not math.isnan(base):
        ax.axvline(base, color="#555555", linestyle="--", linewidth=1.2)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (PALETTE[0], PALETTE[1])]
    ax.legend(handles, ["input at low value", "input at high value"], frameon=False, fontsize=9)
    _style(ax, title, xlabel, "")
    fig.tight_layout()
    return fig
