"""Lab 10 (ROI): a small, explicit cost model for RAG, fine-tuning and both, per query and over time.

Every approach is four numbers with itemised parts (:class:`Approach`): what you pay once
before launch, what each query costs, what you pay each month whatever the traffic, and what
one refresh (retraining) costs at its cadence. All costs but self-hosted replicas (below) are
linear in the monthly query volume ``V``, so the total over ``T`` months is

    total(V, T) = one_off + T * (fixed_monthly + V * per_query) + retrains(T) * retrain_cost

and the break-even volume and month have closed forms. Conventions:

* Month 0 is before launch: the one-off cost (including the first training run) lands there.
  Month ``m`` (``m >= 1``) spans the time ``(m - 1, m]``.
* A model retrained every ``R`` months is refreshed at the start of months ``R + 1``,
  ``2R + 1``, ...; so ``retrains(T) = ceil(T / R) - 1`` refreshes fall within ``T`` months
  (none in the first year when ``R = 12``, eleven when ``R = 1``).
* An average month has ``HOURS_PER_MONTH = 730`` hours (8,760 / 12); 744 is a 31-day month.

Per-query costs come from MEASURED token counts times list prices
(:mod:`domainllm.costs.priced_approaches`), never from a guess; :mod:`domainllm.costs.sensitivity`
varies the inputs one at a time.

Self-hosted serving is the one cost that is not linear in ``V``: a model on rented GPUs is paid
by the replica, and the number of replicas is set by the busiest hour, not by the average
(:class:`~domainllm.costs.unit_costs.SelfHostedServing`, with the other unit costs in
:mod:`domainllm.costs.unit_costs`). An approach's ``serving`` adds
that step function to its monthly cost; :func:`break_even_volume` then searches the steps
(:func:`crossing_volumes`), since the cheaper approach can change more than once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from domainllm.costs.unit_costs import (
    HOURS_PER_MONTH,
    MILLION,
    PEAK_TO_AVERAGE,
    SelfHostedServing,
    always_on_monthly_cost,
    api_query_cost,
    capacity_queries_per_month,
    check_cadence,
    check_number,
    check_peak_to_average,
    check_utilisation,
    peak_tokens_per_second,
    replicas_needed,
    self_hosted_monthly_cost,
    self_hosted_query_cost,
)

__all__ = [
    "HOURS_PER_MONTH",
    "MAX_REPLICA_STEPS",
    "MILLION",
    "PEAK_TO_AVERAGE",
    "Approach",
    "SelfHostedServing",
    "always_on_monthly_cost",
    "api_query_cost",
    "break_even_month",
    "break_even_volume",
    "capacity_queries_per_month",
    "check_cadence",
    "check_number",
    "check_peak_to_average",
    "check_utilisation",
    "cheapest",
    "cost_per_1000_queries",
    "crossing_volumes",
    "cumulative_cost",
    "monthly_cost",
    "peak_tokens_per_second",
    "replicas_needed",
    "retrains_within",
    "self_hosted_monthly_cost",
    "self_hosted_query_cost",
    "settled_volume",
    "total_cost",
]

MAX_REPLICA_STEPS = 1_000_000  # crossing_volumes gives up beyond this many replica steps


def _items(name: str, items: Mapping[str, float]) -> Mapping[str, float]:
    if not isinstance(items, Mapping):
        raise ValueError(f"{name} must be a mapping of item name to cost, got {type(items).__name__}")
    return MappingProxyType({str(k): check_number(f"{name}[{k!r}]", v) for k, v in items.items()})


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Approach:
    """One way to answer questions, costed in ``currency``.

    ``one_off``: paid once before launch (data preparation, training run, evaluation, indexing).
    ``per_query``: cost of answering one question (generation, query embedding, vector reads).
    ``fixed_monthly``: paid every month whatever the traffic (vector DB plan, always-on GPU).
    ``retrain_every_months``: refresh cadence (``None``: never); ``retrain_cost``: one refresh.
    ``serving``: models served on rented GPU replicas (:class:`SelfHostedServing`), paid by the
    month in whole replicas sized for the peak rate of the month's volume; empty for API-hosted
    models, whose generation is a per-query item.
    """

    name: str
    one_off: Mapping[str, float] = field(default_factory=dict)
    per_query: Mapping[str, float] = field(default_factory=dict)
    fixed_monthly: Mapping[str, float] = field(default_factory=dict)
    retrain_every_months: int | None = None
    retrain_cost: float = 0.0
    currency: str = "USD"
    serving: tuple[SelfHostedServing, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "one_off", _items("one_off", self.one_off))
        object.__setattr__(self, "per_query", _items("per_query", self.per_query))
        object.__setattr__(self, "fixed_monthly", _items("fixed_monthly", self.fixed_monthly))
        cadence = check_cadence("retrain_every_months", self.retrain_every_months)
        object.__setattr__(self, "retrain_every_months", cadence)
        object.__setattr__(self, "retrain_cost", check_number("retrain_cost", self.retrain_cost))
        serving = tuple(self.serving)
        for item in serving:
            if not isinstance(item, SelfHostedServing):
                raise ValueError(f"serving must hold SelfHostedServing items, got {type(item).__name__}")
        object.__setattr__(self, "serving", serving)

    @property
    def one_off_total(self) -> float:
        """Sum of the one-off items."""
        return float(sum(self.one_off.values()))

    @property
    def per_query_total(self) -> float:
        """Cost of one query (sum of the per-query items; self-hosted replicas are paid by the month)."""
        return float(sum(self.per_query.values()))

    @property
    def fixed_monthly_total(self) -> float:
        """Sum of the fixed monthly items."""
        return float(sum(self.fixed_monthly.values()))

    def serving_monthly(self, queries_per_month: float) -> float:
        """Monthly cost of the self-hosted replicas at this volume (0.0 without ``serving``)."""
        return float(sum(item.monthly_cost(queries_per_month) for item in self.serving))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of totals and items, e.g. for a table in the book."""
        return {
            "name": self.name,
            "currency": self.currency,
            "one_off": self.one_off_total,
            "per_query": self.per_query_total,
            "fixed_monthly": self.fixed_monthly_total,
            "retrain_every_months": self.retrain_every_months,
            "retrain_cost": self.retrain_cost,
            "items": {
                "one_off": dict(self.one_off),
                "per_query": dict(self.per_query),
                "fixed_monthly": dict(self.fixed_monthly),
            },
            "serving": [item.to_dict() for item in self.serving],
        }


def retrains_within(approach: Approach, months: float) -> int:
    """Number of refreshes in the first ``months`` months (``ceil(months / R) - 1``, at least 0)."""
    months = check_number("months", months)
    cadence = approach.retrain_every_months
    if cadence is None or months <= 0:
        return 0
    return max(0, math.ceil(months / cadence) - 1)


def total_cost(approach: Approach, queries_per_month: float, months: float) -> float:
    """Everything paid up to the end of month ``months`` (fractional months allowed)."""
    volume = check_number("queries_per_month", queries_per_month)
    months = check_number("months", months)
    monthly = (
        approach.fixed_monthly_total + volume * approach.per_query_total + approach.serving_monthly(volume)
    )
    return (
        approach.one_off_total + months * monthly + retrains_within(approach, months) * approach.retrain_cost
    )


def monthly_cost(approach: Approach, queries_per_month: float, *, include_retraining: bool = False) -> float:
    """Running cost of one month: fixed + volume x per-query cost + self-hosted replicas.

    The one-off cost is not included. With ``include_retraining`` the refresh cost is spread
    evenly over its cadence (``retrain_cost / R`` per month), as in the book's formula for V*.
    """
    volume = check_number("queries_per_month", queries_per_month)
    cost = approach.fixed_monthly_total + volume * approach.per_query_total + approach.serving_monthly(volume)
    if include_retraining and approach.retrain_every_months is not None:
        cost += approach.retrain_cost / approach.retrain_every_months
    return cost


def cumulative_cost(approach: Approach, queries_per_month: float, months: int) -> np.ndarray:
    """Cumulative cost at the end of months 0, 1, ..., ``months`` (``months + 1`` values).

    Index 0 is the one-off cost alone; index ``m`` is :func:`total_cost` after ``m`` months.
    """
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 0:
        raise ValueError(f"months must be a whole number >= 0, got {months!r}")
    return np.array([total_cost(approach, queries_per_month, m) for m in range(int(months) + 1)])


def cost_per_1000_queries(
    approach: Approach, queries_per_month: float, months: float = 12, *, marginal: bool = False
) -> float:
    """Fully loaded cost of 1,000 queries over ``months`` months at the given volume.

    ``marginal=True`` gives 1,000 x the per-query items alone (self-hosted replicas, paid by the
    month, are not among them). At zero volume the loaded cost is ``math.inf`` (or 0.0 when the
    approach costs nothing at all).
    """
    volume = check_number("queries_per_month", queries_per_month)
    months = check_number("months", months, positive=True)
    if marginal:
        return 1000.0 * approach.per_query_total
    total = total_cost(approach, volume, months)
    if volume == 0:
        return 0.0 if total == 0 else math.inf
    return 1000.0 * total / (volume * months)


def cheapest(approaches: Iterable[Approach], queries_per_month: float, months: float = 12) -> Approach:
    """The approach with the lowest total cost over ``months`` (first listed wins a tie).

    Use it to write a conclusion from the numbers rather than beside them.
    """
    options = list(approaches)
    if not options:
        raise ValueError("cheapest needs at least one approach")
    return min(options, key=lambda a: total_cost(a, queries_per_month, months))


def break_even_volume(a: Approach, b: Approach, months: int | None = 12) -> float | None:
    """Monthly query volume at which ``a`` and ``b`` cost the same in total over ``months``.

    With ``F`` the volume-independent part of the total (one-off + months x fixed + refreshes)
    and ``q`` the per-query cost, the totals are equal where
    ``(F_a - F_b) + V * months * (q_a - q_b) = 0``, i.e. ``V = (F_b - F_a) / (months (q_a - q_b))``.
    With ``months=None`` the steady-state monthly costs are compared instead (one-off ignored,
    refreshes spread over their cadence): ``V = (F_b - F_a) / (q_a - q_b)`` with
    ``F = fixed + retrain_cost / R``, the book's V*.

    Returns ``None`` when there is no break-even at any volume >= 0: the lines are parallel
    (same per-query cost: equal everywhere or nowhere) or they cross at a negative volume (one
    approach is cheaper at every volume). Returns ``0.0`` when the totals are already equal at
    zero volume and diverge after, and ``math.inf`` only if the per-query costs differ by so
    little that the volume overflows a float. Above the returned volume the approach with the
    lower per-query cost is the cheaper one.

    When either approach has self-hosted ``serving`` (whole GPU replicas, a step in cost), the
    result is the first of :func:`crossing_volumes`: below it the same approach is cheaper at
    every volume, but above it the cheaper one may change again at a later step;
    :func:`settled_volume` gives the volume above which it no longer does.
    """
    if a.serving or b.serving:
        crossings = crossing_volumes(a, b, months)
        return crossings[0] if crossings else None
    slope = a.per_query_total - b.per_query_total
    if months is None:
        gap = monthly_cost(b, 0, include_retraining=True) - monthly_cost(a, 0, include_retraining=True)
    else:
        months = check_cadence("months", months)
        gap = total_cost(b, 0, months) - total_cost(a, 0, months)
        slope *= months
    if slope == 0:
        return None
    with np.errstate(over="ignore"):
        volume = gap / slope
    if volume < 0:
        return None
    return abs(volume) if volume == 0 else float(volume)


def crossing_volumes(a: Approach, b: Approach, months: int | None = 12) -> list[float]:
    """Every monthly volume >= 0 at which the cheaper of ``a`` and ``b`` changes (lab 10).

    Costs are compared as in :func:`break_even_volume` (total over ``months``, or the steady
    state for ``None``). Without self-hosted ``serving`` that is at most one volume, the closed
    form. With it, each approach's cost jumps by one replica's monthly price whenever the peak
    rate needs another replica, so the difference is linear between those steps and the
    cheaper approach can change at a step or between two. Far enough out the per-query costs
    and the replicas' average cost per query decide, so the search ends at a volume beyond
    which the order can no longer change (bounded by one replica's price each way). When both
    grow at exactly the same average rate the order may alternate for ever; the search then
    stops after ``MAX_REPLICA_STEPS / 100`` steps of the larger replica.

    Returns the volumes in increasing order; ``[0.0, ...]`` when the costs are equal at zero
    volume and differ just above it. Raises ValueError when that takes more than
    :data:`MAX_REPLICA_STEPS` replica steps to decide.
    """
    if months is not None:
        months = check_cadence("months", months)
    if not (a.serving or b.serving):
        volume = break_even_volume(a, b, months)
        return [] if volume is None else [volume]
    weight = 1.0 if months is None else float(months)
    (ia, sa), (ib, sb) = _linear_part(a, months), _linear_part(b, months)
    base, slope = ia - ib, sa - sb  # the linear part of cost(a) - cost(b)
    fluid, ripple_a, ripple_b = 0.0, 0.0, 0.0
    capacities: list[float] = []
    for sign, approach in ((1.0, a), (-1.0, b)):
        for item in approach.serving:
            if item.scale_to_zero:  # GPU time per query: linear, no steps
                slope += sign * weight * item.gpu_time_cost_per_query
                continue
            replica = item.replica_monthly_cost
            fluid += sign * replica / item.queries_per_replica
            ripple_a += replica if sign > 0 else 0.0
            ripple_b += replica if sign < 0 else 0.0
            if math.isfinite(item.queries_per_replica):
                capacities.append(item.queries_per_replica)
    # cost(a) - cost(b) lies in [base + trend V - w R_b, base + trend V + w R_a] at every V >= 0.
    trend = slope + weight * fluid
    if trend > 0:
        settled = max(0.0, (weight * ripple_b - base) / trend)
    elif trend < 0:
        settled = max(0.0, (base + weight * ripple_a) / -trend)
    else:  # the same growth: the order may alternate for ever; search a fixed number of steps
        settled = MAX_REPLICA_STEPS / 100 * max(capacities, default=1.0)
    end = settled * (1 + 1e-9) + 1.0
    steps = sum(math.floor(end / c) for c in capacities)
    if steps > MAX_REPLICA_STEPS:
        raise ValueError(
            f"{a.name} and {b.name}: deciding which is cheaper takes {steps:,} replica steps "
            f"(more than {MAX_REPLICA_STEPS:,}); their costs grow at almost the same rate"
        )
    edges = {c * k for c in capacities for k in range(1, math.floor(end / c) + 1)}
    points = np.array(sorted(edges | {end}))
    lows = np.concatenate(([0.0], points[:-1]))
    middles = (lows + points) / 2
    gaps = _cost_curve(a, middles, months) - _cost_curve(b, middles, months)
    segments: list[tuple[float, float]] = []  # (start volume, sign of cost(a) - cost(b))
    for low, high, middle, gap in zip(lows, points, middles, gaps, strict=True):
        root = middle - gap / slope if slope != 0 else math.nan
        if low < root < high:
            segments += [(float(low), -math.copysign(1.0, slope)), (float(root), math.copysign(1.0, slope))]
        else:
            segments.append((float(low), float(np.sign(gap))))
    tail = (
        float(np.sign(trend))
        if trend != 0
        else float(np.sign(_cost_curve(a, [2 * end], months) - _cost_curve(b, [2 * end], months))[0])
    )
    segments.append((end, tail))
    at_zero = _cost_curve(a, [0.0], months)[0] - _cost_curve(b, [0.0], months)[0]
    previous = float(np.sign(at_zero))
    crossings: list[float] = []
    for start, sign in segments:
        if sign != 0 and sign != previous:
            crossings.append(start)
            previous = sign
    return crossings


def settled_volume(a: Approach, b: Approach, months: int | None = 12) -> float | None:
    """The volume above which the same approach is cheaper at every volume (lab 10).

    The last of :func:`crossing_volumes`; equal to :func:`break_even_volume` unless a
    self-hosted approach's replica steps make the cheaper one change more than once. ``None``
    when one approach is cheaper at every volume.
    """
    crossings = crossing_volumes(a, b, months)
    return crossings[-1] if crossings else None


def _linear_part(approach: Approach, months: int | None) -> tuple[float, float]:
    """Intercept and slope in ``V`` of the compared cost, self-hosted replicas left out."""
    if months is None:
        spread = (
            approach.retrain_cost / approach.retrain_every_months if approach.retrain_every_months else 0.0
        )
        return approach.fixed_monthly_total + spread, approach.per_query_total
    refreshes = retrains_within(approach, months) * approach.retrain_cost
    intercept = approach.one_off_total + months * approach.fixed_monthly_total + refreshes
    return intercept, months * approach.per_query_total


def _cost_curve(approach: Approach, volumes: Iterable[float], months: int | None) -> np.ndarray:
    """The compared cost (total over ``months``, or steady-state monthly) at many volumes at once."""
    v = np.asarray(list(volumes), dtype=float)
    intercept, slope = _linear_part(approach, months)
    weight = 1.0 if months is None else float(months)
    serving = sum((item.monthly_costs(v) for item in approach.serving), np.zeros_like(v))
    return intercept + slope * v + weight * serving


def break_even_month(
    a: Approach, b: Approach, queries_per_month: float, horizon_months: float = 120
) -> float | None:
    """First time (in months, fractional) at which the cumulative costs of ``a`` and ``b`` meet.

    Between refreshes each cumulative curve is a straight line ``C(t) = O + t r + n K`` (``r``
    the monthly running cost, ``n`` the refreshes so far, ``K`` one refresh), so the crossing
    within each stretch has the closed form ``t = -(O_a - O_b + n_a K_a - n_b K_b) / (r_a - r_b)``.
    When a refresh makes the curves jump past each other, the time of that refresh is returned.
    Without refreshes this is simply ``t = (O_b - O_a) / (r_a - r_b)``.

    Returns ``0.0`` when the one-off costs are equal (the curves start level), and ``None``
    when the curves do not meet within ``horizon_months``.
    """
    volume = check_number("queries_per_month", queries_per_month)
    horizon = check_number("horizon_months", horizon_months, positive=True)
    start = a.one_off_total - b.one_off_total
    if start == 0:
        return 0.0
    sign = math.copysign(1.0, start)
    slope = monthly_cost(a, volume) - monthly_cost(b, volume)
    events = {0.0, horizon}
    for approach in (a, b):
        cadence = approach.retrain_every_months
        if cadence is not None and approach.retrain_cost > 0:
            events.update(float(k * cadence) for k in range(1, math.ceil(horizon / cadence)))
    bounds = sorted(e for e in events if e <= horizon)
    for t0, t1 in zip(bounds[:-1], bounds[1:], strict=True):
        # Refresh counts are constant on (t0, t1]; d(t) = offset + slope * t there.
        mid = (t0 + t1) / 2
        offset = start + retrains_within(a, mid) * a.retrain_cost - retrains_within(b, mid) * b.retrain_cost
        just_after = offset + slope * t0
        if just_after == 0 or math.copysign(1.0, just_after) != sign:
            return t0
        if slope != 0:
            crossing = -offset / slope
            if t0 < crossing <= t1:
                return crossing
    return None
