"""Performance chapter: summaries of repeated measurements (percentiles, run-to-run spread, crossings).

Pure NumPy: the book page reads ``bench.json`` through these without importing torch. A latency
summary is :func:`describe` in milliseconds (:func:`latency_ms`); :func:`spread` says how much a
number moved between runs; :func:`crossing_point` reads off where a rising curve (latency against
corpus size) reaches a target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["crossing_point", "describe", "latency_ms", "spread"]


def describe(values: Sequence[float]) -> dict[str, float]:
    """Count, mean, p50, p95, min and max of ``values`` (percentiles linearly interpolated)."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise ValueError("describe() needs at least one value.")
    return {
        "n": int(array.size),
        "mean": float(array.mean()),
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
        "min": float(array.min()),
        "max": float(array.max()),
    }


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """:func:`describe` of per-call latencies given in seconds, reported in milliseconds."""
    return describe(np.asarray(seconds, dtype=float) * 1000.0)


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Each run's value, their mean, and the spread (max - min) relative to the mean."""
    runs = [float(v) for v in values]
    if not runs:
        raise ValueError("spread() needs at least one run.")
    mean = sum(runs) / len(runs)
    relative = (max(runs) - min(runs)) / mean if mean else 0.0
    return {"runs": runs, "mean": mean, "min": min(runs), "max": max(runs), "relative": relative}


def crossing_point(
    sizes: Sequence[float], values: Sequence[float], threshold: float
) -> dict[str, Any] | None:
    """Where an increasing curve first reaches ``threshold``, interpolated on log-log axes.

    Returns ``{"size": x, "how": ...}`` with ``how`` one of ``"interpolated"`` (between two
    measured sizes), ``"extrapolated"`` (past the largest size, along the power law through
    the last two points) or ``"at or below the smallest size"``; ``None`` if the curve does not
    rise towards the threshold.
    """
    points = sorted((float(x), float(y)) for x, y in zip(sizes, values, strict=True))
    if not points or any(x <= 0 or y <= 0 for x, y in points) or threshold <= 0:
        raise ValueError("crossing_point() needs positive sizes, values and threshold.")
    if points[0][1] >= threshold:
        return {"size": points[0][0], "how": "at or below the smallest size"}
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if y0 < threshold <= y1:
            t = (math.log(threshold) - math.log(y0)) / (math.log(y1) - math.log(y0))
            return {"size": math.exp(math.log(x0) + t * (math.log(x1) - math.log(x0))), "how": "interpolated"}
    if len(points) < 2:
        return None
    (x0, y0), (x1, y1) = points[-2], points[-1]
    if y1 <= y0 or x1 == x0:
        return None
    slope = (math.log(y1) - math.log(y0)) / (math.log(x1) - math.log(x0))
    return {"size": x1 * (threshold / y1) ** (1 / slope), "how": "extrapolated"}
