"""Shared comparison plots for the labs.

Every function returns a matplotlib ``Figure`` and never calls ``plt.show()``; Jupyter Book
renders the returned figure. Sizes (about 7 x 4 inches), font sizes and the Okabe-Ito
colour-blind-safe palette are chosen to read well in an HTML page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from domainllm.metrics.stats import Estimate

__all__ = ["PALETTE", "bar_with_intervals", "grouped_bars", "recall_at_k_plot", "similarity_heatmap"]

# Okabe & Ito (2008), distinguishable under the common forms of colour blindness.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
BASELINE_COLOR = "#999999"
FIGSIZE = (7.0, 4.0)
_FONT = {"title": 13, "label": 11, "tick": 10, "annot": 9}


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax  # type: ignore[return-value]
    fig, new_ax = plt.subplots(figsize=figsize)
    return fig, new_ax


def _style(ax: Axes, title: str, xlabel: str = "", ylabel: str = "") -> None:
    if title:
        ax.set_title(title, fontsize=_FONT["title"])
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=_FONT["label"])
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.spines[["top", "right"]].set_visible(False)


def _errors(estimates: Sequence[Estimate]) -> np.ndarray:
    """Asymmetric error-bar lengths (2 x n), never negative."""
    below = [max(0.0, e.mean - e.low) for e in estimates]
    above = [max(0.0, e.high - e.mean) for e in estimates]
    return np.array([below, above])


def _finish(fig: Figure) -> Figure:
    fig.tight_layout()
    return fig


def bar_with_intervals(
    estimates: Mapping[str, Estimate],
    title: str = "",
    ylabel: str = "",
    baseline: str | None = None,
    ax: Axes | None = None,
    horizontal: bool | None = None,
    fmt: str = "{:.2f}",
) -> Figure:
    """One bar per system with its bootstrap interval as an asymmetric error bar.

    ``baseline`` names the reference system: its bar is grey and hatched and a dashed line
    marks its mean across the plot. ``horizontal`` defaults to True when there are more than
    six bars or a label is longer than 14 characters. ``ylabel`` labels the value axis.
    """
    if not estimates:
        raise ValueError("bar_with_intervals needs at least one estimate")
    if baseline is not None and baseline not in estimates:
        raise ValueError(f"baseline {baseline!r} is not one of {list(estimates)}")
    names = list(estimates)
    values = list(estimates.values())
    if horizontal is None:
        horizontal = len(names) > 6 or max(len(n) for n in names) > 14
    height = max(FIGSIZE[1], 0.45 * len(names) + 1.2) if horizontal else FIGSIZE[1]
    fig, ax = _new_axes(ax, figsize=(FIGSIZE[0], height))
    colors = [BASELINE_COLOR if n == baseline else _color(0) for n in names]
    hatches = ["//" if n == baseline else "" for n in names]
    means = [e.mean for e in values]
    positions = np.arange(len(names))
    err_kw: dict[str, Any] = {"capsize": 4, "ecolor": "#333333", "elinewidth": 1.2}
    if horizontal:
        bars = ax.barh(positions, means, xerr=_errors(values), color=colors, error_kw=err_kw, height=0.6)
        ax.set_yticks(positions, names)
        ax.invert_yaxis()  # first system on top
        _style(ax, title, xlabel=ylabel)
    else:
        bars = ax.bar(positions, means, yerr=_errors(values), color=colors, error_kw=err_kw, width=0.6)
        ax.set_xticks(positions, names)
        _style(ax, title, ylabel=ylabel)
    for bar, hatch in zip(bars, hatches, strict=True):
        if hatch:
            bar.set_hatch(hatch)
            bar.set_edgecolor("white")
    for pos, est in zip(positions, values, strict=True):
        # Label just past the interval's upper end so the error bar does not cover it.
        end = max(est.high, est.mean)
        text_kw: dict[str, Any] = {"textcoords": "offset points", "fontsize": _FONT["annot"]}
        if horizontal:
            ax.annotate(fmt.format(est.mean), (end, pos), xytext=(4, 0), ha="left", va="center", **text_kw)
        else:
            ax.annotate(fmt.format(est.mean), (pos, end), xytext=(0, 3), ha="center", va="bottom", **text_kw)
    if baseline is not None:
        line = ax.axvline if horizontal else ax.axhline
        line(estimates[baseline].mean, color="#555555", linestyle="--", linewidth=1.2, zorder=0)
    _pad_value_axis(ax, values, horizontal)
    return _finish(fig)


def _pad_value_axis(ax: Axes, values: Sequence[Estimate], horizontal: bool) -> None:
    """Leave room past the longest interval for the value labels."""
    top = max(max(e.high, e.mean) for e in values)
    bottom = min(0.0, min(min(e.low, e.mean) for e in values))
    span = (top - bottom) or 1.0
    limits = (bottom - (0.05 * span if bottom < 0 else 0.0), top + 0.15 * span)
    (ax.set_xlim if horizontal else ax.set_ylim)(*limits)


def grouped_bars(
    table: Mapping[str, Mapping[str, Estimate]],
    title: str = "",
    ylabel: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Grouped bars: one group per outer key (e.g. a data split), one bar per inner key (a system).

    Systems are coloured consistently across groups and listed in the legend in order of
    first appearance; a system missing from a group simply has no bar there.
    """
    if not table:
        raise ValueError("grouped_bars needs at least one group")
    groups = list(table)
    systems: list[str] = []
    for row in table.values():
        systems.extend(name for name in row if name not in systems)
    fig, ax = _new_axes(ax)
    width = 0.8 / max(1, len(systems))
    centers = np.arange(len(groups))
    for j, system in enumerate(systems):
        present = [g for g in groups if system in table[g]]
        if not present:
            continue
        estimates = [table[g][system] for g in present]
        x = centers[[groups.index(g) for g in present]] + (j - (len(systems) - 1) / 2) * width
        ax.bar(
            x,
            [e.mean for e in estimates],
            width=width * 0.95,
            yerr=_errors(estimates),
            color=_color(j),
            label=system,
            error_kw={"capsize": 3, "ecolor": "#333333", "elinewidth": 1.0},
        )
    ax.set_xticks(centers, groups)
    _style(ax, title, ylabel=ylabel)
    all_estimates = [e for row in table.values() for e in row.values()]
    top = max(max(e.high, e.mean) for e in all_estimates)
    ax.set_ylim(min(0.0, min(e.low for e in all_estimates)), top * 1.12 if top > 0 else 1.0)
    # Outside the axes on the right, so it never hides a bar.
    ax.legend(fontsize=_FONT["annot"], frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _finish(fig)


def recall_at_k_plot(
    curves: Mapping[str, Mapping[int, float]],
    title: str = "Recall@k",
    ylabel: str = "recall@k",
    ax: Axes | None = None,
) -> Figure:
    """One line per retriever: mean recall@k against k (output of ``retrieval_metrics.recall_curve``)."""
    if not curves:
        raise ValueError("recall_at_k_plot needs at least one curve")
    fig, ax = _new_axes(ax)
    markers = "osD^vP*X"
    for i, (name, curve) in enumerate(curves.items()):
        ks = sorted(curve)
        ax.plot(
            ks,
            [curve[k] for k in ks],
            marker=markers[i % len(markers)],
            markersize=4,
            linewidth=1.8,
            color=_color(i),
            label=name,
        )
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    all_ks = sorted({k for curve in curves.values() for k in curve})
    if all_ks and len(all_ks) <= 20:
        ax.set_xticks(all_ks)
    _style(ax, title, xlabel="k (retrieved chunks)", ylabel=ylabel)
    ax.legend(fontsize=_FONT["annot"], frameon=False, loc="lower right")
    return _finish(fig)


def similarity_heatmap(
    matrix: np.ndarray,
    labels: Sequence[str],
    title: str = "",
    ax: Axes | None = None,
    fmt: str = "{:.2f}",
) -> Figure:
    """Annotated heatmap of a square similarity matrix (e.g. cosine similarities of sentences)."""
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2 or data.shape[0] != data.shape[1] or data.shape[0] != len(labels):
        raise ValueError(f"need a square matrix matching {len(labels)} labels, got shape {data.shape}")
    n = len(labels)
    side = min(9.0, max(4.5, 0.6 * n + 2.5))
    fig, ax = _new_axes(ax, figsize=(side + 1.0, side))
    image = ax.imshow(
        data, cmap="viridis", vmin=min(0.0, float(data.min())), vmax=max(1.0, float(data.max()))
    )
    ax.set_xticks(np.arange(n), labels, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(np.arange(n), labels)
    if n <= 15:
        threshold = (image.norm.vmin + image.norm.vmax) / 2
        for i in range(n):
            for j in range(n):
                color = "black" if data[i, j] > threshold else "white"
                ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center", color=color, fontsize=8)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    _style(ax, title)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _finish(fig)


def loss_curves(
    curves: Mapping[str, Sequence[float]], title: str = "Training loss", ax: Axes | None = None
) -> Figure:
    """One line per training run: loss at each optimizer step."""
    if not curves:
        raise ValueError("loss_curves needs at least one run")
    fig, ax = _new_axes(ax)
    for i, (name, losses) in enumerate(curves.items()):
        ax.plot(
            np.arange(1, len(losses) + 1), list(losses), marker="o", markersize=3, color=_color(i), label=name
        )
    ax.legend(frameon=False)
    _style(ax, title, "optimizer step", "loss")
    return _finish(fig)
