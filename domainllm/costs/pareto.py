"""Lab 10 (ROI): the Pareto front of systems scored on cost (lower is better) and quality (higher is better)."""

from __future__ import annotations

from collections.abc import Mapping


def pareto_front(points: Mapping[str, tuple[float, float]]) -> list[str]:
    """Names of the points no other point beats on both cost and quality (ties do not dominate)."""
    front = []
    for name, (cost, quality) in points.items():
        dominated = any(
            other_cost <= cost and other_quality >= quality and (other_cost < cost or other_quality > quality)
            for other, (other_cost, other_quality) in points.items()
            if other != name
        )
        if not dominated:
            front.append(name)
    return front
