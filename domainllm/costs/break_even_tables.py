"""Lab 10 (ROI): break-even tables: for each pair of approaches, the volume where they cost the same.

:func:`break_even_rows` gives, per pair and horizon (12 or 24 months, or the steady state), the
monthly query volume at which the two approaches cost the same and which is cheaper either side
of it; :func:`format_volume` writes a volume for a table (``35k``, ``1.2M``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from domainllm.costs.model import Approach, break_even_volume, monthly_cost, total_cost

__all__ = ["break_even_rows", "format_volume"]


def format_volume(volume: float | None) -> str:
    """A monthly query volume for a table: ``820``, ``35k``, ``1.2M``, ``3.4B``; ``None`` or NaN -> ``none``."""
    if volume is None or math.isnan(volume):
        return "none"
    if math.isinf(volume):
        return "infinite"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if volume >= size:
            return f"{volume / size:.3g}{suffix}"
    return f"{volume:.3g}"


def _cost(approach: Approach, volume: float, months: int | None) -> float:
    if months is None:
        return monthly_cost(approach, volume, include_retraining=True)
    return total_cost(approach, volume, months)


def _cheaper(a: Approach, b: Approach, volume: float, months: int | None) -> str:
    gap = _cost(a, volume, months) - _cost(b, volume, months)
    return "equal" if gap == 0 else (a.name if gap < 0 else b.name)


def break_even_rows(
    approaches: Mapping[str, Approach] | Sequence[Approach],
    horizons: Sequence[int | None] = (12, 24, None),
) -> list[dict[str, Any]]:
    """One row per pair of approaches and horizon: the break-even volume and who is cheaper either side.

    A horizon of ``None`` is the steady state (one-off costs ignored, retraining spread over its
    cadence: the chapter's V*). Without a break-even the same approach is cheaper at every volume.
    """
    options = list(approaches.values()) if isinstance(approaches, Mapping) else list(approaches)
    rows = []
    for a, b in itertools.combinations(options, 2):
        for months in horizons:
            volume = break_even_volume(a, b, months)
            if volume is None or math.isinf(volume):
                below = above = _cheaper(a, b, 1.0, months)
            else:
                below = _cheaper(a, b, volume / 2, months) if volume > 0 else "n/a"
                above = _cheaper(a, b, 2 * volume + 1, months)
            rows.append(
                {
                    "pair": f"{a.name} vs {b.name}",
                    "horizon": "steady state" if months is None else f"{months} months",
                    "break_even_queries_per_month": volume,
                    "cheaper_below": below,
                    "cheaper_above": above,
                }
            )
    return rows
