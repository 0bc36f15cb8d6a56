"""Lab 10 (ROI): a small, explicit cost model for RAG, fine-tuning and both, per query and over time.

Every approach is four numbers with itemised parts (:class:`Approach`): what you pay once
before launch, what each query costs, what you pay each month whatever the traffic, and what
one refresh (retraining) costs at its cadence. All costs are linear in the monthly query
volume ``V``, so the total over ``T`` months is

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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = [
    "HOURS_PER_MONTH",
    "MILLION",
    "Approach",
    "always_on_monthly_cost",
    "api_query_cost",
    "break_even_month",
    "break_even_volume",
    "capacity_queries_per_month",
    "check_cadence",
    "check_number",
    "cheapest",
    "cost_per_1000_queries",
    "cumulative_cost",
    "monthly_cost",
    "retrains_within",
    "self_hosted_query_cost",
    "total_cost",
]

HOURS_PER_MONTH = 8760.0 / 12  # 730 h: an average month
MILLION = 1_000_000.0  # prices are quoted per million tokens


def check_number(name: str, value: Any, *, positive: bool = False) -> float:
    """Return ``value`` as a float, or raise ValueError naming ``name`` if not finite and >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return value


def check_cadence(name: str, value: Any) -> int | None:
    """Return ``value`` as a whole number of months >= 1 (or None), or raise ValueError naming ``name``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a whole number of months >= 1, or None, got {value!r}")
    return int(value)


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
    """

    name: str
    one_off: Mapping[str, float] = field(default_factory=dict)
    per_query: Mapping[str, float] = field(default_factory=dict)
    fixed_monthly: Mapping[str, float] = field(default_factory=dict)
    retrain_every_months: int | None = None
    retrain_cost: float = 0.0
    currency: str = "USD"

    def __post_init__(self) -> None:
        object.__setattr__(self, "one_off", _items("one_off", self.one_off))
        object.__setattr__(self, "per_query", _items("per_query", self.per_query))
        object.__setattr__(self, "fixed_monthly", _items("fixed_monthly", self.fixed_monthly))
        cadence = check_cadence("retrain_every_months", self.retrain_every_months)
        object.__setattr__(self, "retrain_every_months", cadence)
        object.__setattr__(self, "retrain_cost", check_number("retrain_cost", self.retrain_cost))

    @property
    def one_off_total(self) -> float:
        """Sum of the one-off items."""
        return float(sum(self.one_off.values()))

    @property
    def per_query_total(self) -> float:
        """Cost of one query (sum of the per-query items)."""
        return float(sum(self.per_query.values()))

    @property
    def fixed_monthly_total(self) -> float:
        """Sum of the fixed monthly items."""
        return float(sum(self.fixed_monthly.values()))

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
    running = months * (approach.fixed_monthly_total + volume * approach.per_query_total)
    return approach.one_off_total + running + retrains_within(approach, months) * approach.retrain_cost


def monthly_cost(approach: Approach, queries_per_month: float, *, include_retraining: bool = False) -> float:
    """Running cost of one month: fixed + volume x per-query cost.

    The one-off cost is not included. With ``include_retraining`` the refresh cost is spread
    evenly over its cadence (``retrain_cost / R`` per month), as in the book's formula for V*.
    """
    volume = check_number("queries_per_month", queries_per_month)
    cost = approach.fixed_monthly_total + volume * approach.per_query_total
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

    ``marginal=True`` gives 1,000 x the per-query cost alone. At zero volume the loaded cost
    is ``math.inf`` (or 0.0 when the approach costs nothing at all).
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
    """
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


# --------------------------------------------------------------------------- per-query builders


def api_query_cost(
    prompt_tokens: float, completion_tokens: float, price_in_per_mtok: float, price_out_per_mtok: float
) -> float:
    """Cost of one call to a hosted model: tokens x price per million tokens, in and out."""
    prompt = check_number("prompt_tokens", prompt_tokens)
    completion = check_number("completion_tokens", completion_tokens)
    price_in = check_number("price_in_per_mtok", price_in_per_mtok)
    price_out = check_number("price_out_per_mtok", price_out_per_mtok)
    return (prompt * price_in + completion * price_out) / MILLION


def self_hosted_query_cost(
    tokens_per_query: float, tokens_per_second: float, gpu_hour_price: float, utilisation: float = 1.0
) -> float:
    """GPU cost of one query on a GPU you rent by the hour.

    ``tokens_per_second`` is MEASURED throughput at the serving batch size, counting the same
    tokens as ``tokens_per_query``. At ``utilisation`` u (0 < u <= 1) you also pay for the idle
    share: cost = tokens / throughput / u x price per second.
    """
    tokens = check_number("tokens_per_query", tokens_per_query)
    throughput = check_number("tokens_per_second", tokens_per_second, positive=True)
    price = check_number("gpu_hour_price", gpu_hour_price)
    share = check_number("utilisation", utilisation, positive=True)
    if share > 1:
        raise ValueError(f"utilisation must be in (0, 1], got {utilisation!r}")
    return tokens / throughput / share * price / 3600.0


def always_on_monthly_cost(gpu_hour_price: float, replicas: int = 1, hours: float = HOURS_PER_MONTH) -> float:
    """Monthly cost of ``replicas`` GPUs kept running all month."""
    price = check_number("gpu_hour_price", gpu_hour_price)
    count = check_number("replicas", replicas)
    return price * count * check_number("hours", hours)


def capacity_queries_per_month(
    tokens_per_query: float, tokens_per_second: float, replicas: int = 1, hours: float = HOURS_PER_MONTH
) -> float:
    """Most queries ``replicas`` always-on GPUs can answer in a month at the measured throughput."""
    tokens = check_number("tokens_per_query", tokens_per_query, positive=True)
    throughput = check_number("tokens_per_second", tokens_per_second, positive=True)
    return throughput * 3600.0 * check_number("hours", hours) * check_number("replicas", replicas) / tokens
