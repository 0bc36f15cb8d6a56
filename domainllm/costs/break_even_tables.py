"""Lab 10 (ROI): break-even tables: for each pair of approaches, the volume where they cost the same.

:func:`break_even_rows` gives, per pair and horizon (12 or 24 months, or the steady state), the
monthly query volume at which the two approaches cost the same and which is cheaper either side
of it; :func:`format_volume` writes a volume for a table (``35k``, ``1.2M``). A self-hosted
approach pays whole GPU replicas, so the cheaper one can change more than once: the rows then
also give the volume above which it no longer changes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from domainllm.costs.model import Approach, crossing_volumes, monthly_cost, total_cost

__all__ = ["break_even_rows", "break_even_sentence", "format_volume"]


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
    ``break_even_queries_per_month`` is the first volume at which the cheaper approach changes
    (``cheaper_below`` is cheaper below it), ``settled_queries_per_month`` the last
    (``cheaper_above`` is cheaper above it) and ``crossings`` how many times it changes: once,
    unless self-hosted replicas make the costs step.
    """
    options = list(approaches.values()) if isinstance(approaches, Mapping) else list(approaches)
    rows = []
    for a, b in itertools.combinations(options, 2):
        for months in horizons:
            crossings = crossing_volumes(a, b, months)
            volume = crossings[0] if crossings else None
            settled = crossings[-1] if crossings else None
            if volume is None or math.isinf(volume):
                below = above = _cheaper(a, b, 1.0, months)
            else:
                below = _cheaper(a, b, volume / 2, months) if volume > 0 else "n/a"
                above = _cheaper(a, b, 2 * settled + 1, months)
            rows.append(
                {
                    "pair": f"{a.name} vs {b.name}",
                    "horizon": "steady state" if months is None else f"{months} months",
                    "break_even_queries_per_month": volume,
                    "cheaper_below": below,
                    "cheaper_above": above,
                    "settled_queries_per_month": settled,
                    "crossings": len(crossings),
                }
            )
    return rows


def break_even_sentence(row: Mapping[str, Any]) -> str:
    """One break-even row as a sentence: who is cheaper below and above the volume (or at every volume).

    With self-hosted replicas the cheaper one can change more than once: the sentence then
    names the first change and the volume above which it no longer changes.
    """
    volume = row["break_even_queries_per_month"]
    if volume is None:
        return f"{row['cheaper_below']} is cheaper at every volume"
    settled = row.get("settled_queries_per_month", volume)
    if settled is None or settled == volume:
        return (
            f"{row['cheaper_below']} is cheaper below {format_volume(volume)} queries per month "
            f"and {row['cheaper_above']} above"
        )
    return (
        f"{row['cheaper_below']} is cheaper below {format_volume(volume)} queries per month and "
        f"{row['cheaper_above']} above {format_volume(settled)}; in between the cheaper one changes "
        f"{row['crossings'] - 1} more times, as one or the other needs another GPU replica"
    )
