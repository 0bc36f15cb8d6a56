"""Lab 10 (ROI): what-if analysis: one input at a time for the tornado chart, and the sliders' ranges.

:func:`sensitivity` sets each uncertain input to its low and then its high value, every other
input at its base value, and records a metric (e.g. a break-even volume) each time: one
:class:`SensitivityBar` per input, drawn by :func:`~domainllm.costs.cost_plots.tornado_plot`.
:func:`clamp_inputs` keeps the ROI calculator's slider values inside :data:`DEFAULT_BOUNDS`, so
no combination of controls gives a negative cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

__all__ = ["DEFAULT_BOUNDS", "SensitivityBar", "clamp_inputs", "select_bars", "sensitivity"]

T = TypeVar("T")


@dataclass(frozen=True)
class SensitivityBar:
    """One bar of a tornado chart: the metric with one input at its low and high value."""

    name: str
    low_input: float
    high_input: float
    low_metric: float
    high_metric: float
    base_metric: float

    @property
    def swing(self) -> float:
        """Width of the bar, ``|high_metric - low_metric|`` (NaN when a metric is undefined)."""
        return abs(self.high_metric - self.low_metric)


def _metric(value: float | None) -> float:
    return math.nan if value is None else float(value)


def sensitivity(
    base_inputs: Mapping[str, float],
    build_fn: Callable[[dict[str, float]], T],
    metric_fn: Callable[[T], float | None],
    ranges: Mapping[str, tuple[float, float]],
) -> list[SensitivityBar]:
    """One-at-a-time sensitivity for a tornado chart.

    Each input named in ``ranges`` is set to its low and then its high value while every other
    input stays at ``base_inputs``; ``build_fn`` turns the inputs into whatever ``metric_fn``
    measures (e.g. two approaches and their break-even volume). A ``None`` metric (no
    break-even) becomes NaN. Bars with an undefined end come first, since that input can
    remove the break-even altogether; the rest follow by swing, widest first.
    """
    unknown = sorted(set(ranges) - set(base_inputs))
    if unknown:
        raise ValueError(f"ranges name inputs not in base_inputs: {', '.join(unknown)}")
    base = _metric(metric_fn(build_fn(dict(base_inputs))))
    bars = []
    for name, (low, high) in ranges.items():
        results = [_metric(metric_fn(build_fn({**base_inputs, name: value}))) for value in (low, high)]
        bars.append(SensitivityBar(name, float(low), float(high), results[0], results[1], base))
    return sorted(bars, key=lambda bar: -math.inf if math.isnan(bar.swing) else -bar.swing)


def select_bars(
    bars: Sequence[SensitivityBar], limit: int = 12, keep: Iterable[str] = ()
) -> list[SensitivityBar]:
    """The bars a tornado chart shows (lab 10): every bar named in ``keep``, then the widest others.

    ``keep`` holds inputs the reader must see whatever their effect (the invented assumptions);
    the rest of the ``limit`` bars are the widest of the others. The order of ``bars`` (widest
    first) is kept, so the chart still reads from the top. ``keep`` may name inputs that have no
    bar (an assumption the setup does not use); they are skipped.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a whole number >= 1, got {limit!r}")
    kept = set(keep)
    room = max(0, limit - sum(1 for bar in bars if bar.name in kept))
    others = [bar.name for bar in bars if bar.name not in kept][:room]
    chosen = kept | set(others)
    return [bar for bar in bars if bar.name in chosen]


# Valid ranges for the calculator's sliders; anything not listed is clamped to [0, inf).
DEFAULT_BOUNDS: dict[str, tuple[float, float]] = {
    "queries_per_month": (0.0, 1e9),
    "prompt_tokens": (0.0, 1_000_000.0),
    "completion_tokens": (0.0, 100_000.0),
    "query_tokens": (0.0, 100_000.0),
    "tokens_per_second": (1.0, 1e6),
    "utilisation": (0.01, 1.0),
    "peak_to_average": (1.0, 100.0),
    "api_chars_per_token": (1.0, 10.0),
    "retrain_every_months": (1.0, 120.0),
    "training_gpu_hours": (0.0, 100_000.0),
    "data_prep_hours": (0.0, 10_000.0),
    "evaluation_hours": (0.0, 10_000.0),
    "rag_setup_hours": (0.0, 10_000.0),
    "refresh_hours": (0.0, 10_000.0),
    "months": (1.0, 120.0),
}


def clamp_inputs(
    values: Mapping[str, float], bounds: Mapping[str, tuple[float, float]] | None = None
) -> dict[str, float]:
    """Clamp slider values into valid ranges so the calculator never yields negative costs.

    ``bounds`` defaults to :data:`DEFAULT_BOUNDS`; inputs without bounds are clamped to
    ``[0, inf)``. NaN goes to the lower bound. Bounds must satisfy ``0 <= low <= high``.
    """
    bounds = DEFAULT_BOUNDS if bounds is None else bounds
    out: dict[str, float] = {}
    for name, raw in values.items():
        low, high = bounds.get(name, (0.0, math.inf))
        if not (0 <= low <= high):
            raise ValueError(f"bounds for {name} must satisfy 0 <= low <= high, got ({low}, {high})")
        if isinstance(raw, bool) or not isinstance(raw, int | float | np.integer | np.floating):
            raise ValueError(f"{name} must be a number, got {raw!r}")
        value = float(raw)
        out[name] = low if math.isnan(value) else min(max(value, low), high)
    return out
