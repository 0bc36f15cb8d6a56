"""Lab 10 (ROI): the unit costs the cost model adds up, and self-hosted serving sized for the peak.

One API call (:func:`api_query_cost`), one query's GPU time (:func:`self_hosted_query_cost`),
GPUs kept running all month (:func:`always_on_monthly_cost`), and a self-hosted model's month:
the replicas its busiest hour needs, at least one always on (:func:`replicas_needed`,
:func:`self_hosted_monthly_cost`, :class:`SelfHostedServing`). Every function checks its inputs
and raises ValueError naming the bad one. :mod:`domainllm.costs.model` adds these up into
approaches and break-even volumes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "HOURS_PER_MONTH",
    "MILLION",
    "PEAK_TO_AVERAGE",
    "SelfHostedServing",
    "always_on_monthly_cost",
    "api_query_cost",
    "capacity_queries_per_month",
    "check_cadence",
    "check_number",
    "check_peak_to_average",
    "check_utilisation",
    "peak_tokens_per_second",
    "replicas_needed",
    "self_hosted_monthly_cost",
    "self_hosted_query_cost",
]

HOURS_PER_MONTH = 8760.0 / 12  # 730 h: an average month
MILLION = 1_000_000.0  # prices are quoted per million tokens
# The busiest hour's query rate as a multiple of the month's average: an ASSUMPTION (lab 10 varies
# it from 1.5 to 8). Traffic spread evenly over 8 working hours a day is 3x its daily average.
PEAK_TO_AVERAGE = 3.0


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
    """GPU time of one query on a GPU rented by the second, at ``utilisation`` (lab 10).

    ``tokens_per_second`` is MEASURED throughput at the serving batch size, counting the same
    tokens as ``tokens_per_query``. At ``utilisation`` u (0 < u <= 1) you also pay for the idle
    share: cost = tokens / throughput / u x price per second. This is what a deployment that
    scales to zero pays; one with always-on replicas pays :func:`self_hosted_monthly_cost`.
    """
    tokens = check_number("tokens_per_query", tokens_per_query)
    throughput = check_number("tokens_per_second", tokens_per_second, positive=True)
    price = check_number("gpu_hour_price", gpu_hour_price)
    share = check_utilisation(utilisation)
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


# --------------------------------------------------------------------------- self-hosted serving


def check_utilisation(value: Any) -> float:
    """Return a utilisation as a float in (0, 1], or raise ValueError."""
    share = check_number("utilisation", value, positive=True)
    if share > 1:
        raise ValueError(f"utilisation must be in (0, 1], got {value!r}")
    return share


def check_peak_to_average(value: Any) -> float:
    """Return a peak-to-average factor as a float >= 1 (the peak is never below the average), or raise."""
    factor = check_number("peak_to_average", value, positive=True)
    if factor < 1:
        raise ValueError(
            f"peak_to_average must be >= 1 (the busiest hour is at least the average), got {value!r}"
        )
    return factor


def peak_tokens_per_second(
    queries_per_month: float,
    tokens_per_query: float,
    peak_to_average: float = PEAK_TO_AVERAGE,
    hours: float = HOURS_PER_MONTH,
) -> float:
    """Tokens per second the busiest hour asks of a self-hosted model (lab 10).

    The month's average rate is ``queries_per_month x tokens_per_query / (hours x 3600)``; the
    peak is ``peak_to_average`` times that (an assumption: traffic is not flat).
    """
    volume = check_number("queries_per_month", queries_per_month)
    tokens = check_number("tokens_per_query", tokens_per_query)
    factor = check_peak_to_average(peak_to_average)
    span = check_number("hours", hours, positive=True)
    return volume * tokens / (span * 3600.0) * factor


def replicas_needed(
    queries_per_month: float,
    tokens_per_query: float,
    tokens_per_second: float,
    utilisation: float = 0.5,
    peak_to_average: float = PEAK_TO_AVERAGE,
    *,
    scale_to_zero: bool = False,
    hours: float = HOURS_PER_MONTH,
) -> int:
    """GPU replicas a self-hosted model needs for its peak rate (lab 10).

    ``ceil(peak tokens per second / (tokens_per_second x utilisation))``, with
    ``tokens_per_second`` the MEASURED throughput of one replica and ``utilisation`` the share of
    it the busiest hour may use (headroom for bursts and latency). At least 1: a model that
    answers at all keeps one replica running, unless ``scale_to_zero`` (no traffic, no replica).
    """
    peak = peak_tokens_per_second(queries_per_month, tokens_per_query, peak_to_average, hours)
    throughput = check_number("tokens_per_second", tokens_per_second, positive=True)
    usable = throughput * check_utilisation(utilisation)
    needed = math.ceil(peak / usable)
    return needed if scale_to_zero else max(1, needed)


def self_hosted_monthly_cost(
    queries_per_month: float,
    tokens_per_query: float,
    tokens_per_second: float,
    gpu_hour_price: float,
    utilisation: float = 0.5,
    peak_to_average: float = PEAK_TO_AVERAGE,
    *,
    scale_to_zero: bool = False,
    hours: float = HOURS_PER_MONTH,
) -> float:
    """Monthly cost of serving a self-hosted model at ``queries_per_month`` (lab 10).

    The larger of the always-on cost of the :func:`replicas_needed` for the peak rate and the
    GPU time the month's queries use at ``utilisation`` (:func:`self_hosted_query_cost`). With
    ``peak_to_average >= 1`` the replicas are always the larger, so the model is never cheaper
    than one always-on replica. ``scale_to_zero=True`` is the exception, chosen explicitly: a
    serverless deployment billed per second of GPU time, which pays the GPU time alone (its cold
    starts and any per-second price premium are not modelled).
    """
    volume = check_number("queries_per_month", queries_per_month)
    used = volume * self_hosted_query_cost(tokens_per_query, tokens_per_second, gpu_hour_price, utilisation)
    if scale_to_zero:
        check_peak_to_average(peak_to_average)
        return used
    count = replicas_needed(
        volume, tokens_per_query, tokens_per_second, utilisation, peak_to_average, hours=hours
    )
    return max(always_on_monthly_cost(gpu_hour_price, count, hours), used)


@dataclass(frozen=True)
class SelfHostedServing:
    """A model served on rented GPU replicas, part of an :class:`Approach`'s cost (lab 10).

    ``tokens_per_query``: MEASURED prompt + completion tokens per answer; ``tokens_per_second``:
    MEASURED (or converted) throughput of one replica, counting the same tokens;
    ``gpu_hour_price``: one replica's price per hour; ``utilisation`` and ``peak_to_average``:
    the assumptions of :func:`replicas_needed`. The monthly cost at a volume is
    :func:`self_hosted_monthly_cost`.
    """

    item: str
    tokens_per_query: float
    tokens_per_second: float
    gpu_hour_price: float
    utilisation: float = 0.5
    peak_to_average: float = PEAK_TO_AVERAGE
    scale_to_zero: bool = False
    hours: float = HOURS_PER_MONTH

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "tokens_per_query", check_number("tokens_per_query", self.tokens_per_query, positive=True)
        )
        object.__setattr__(
            self,
            "tokens_per_second",
            check_number("tokens_per_second", self.tokens_per_second, positive=True),
        )
        object.__setattr__(self, "gpu_hour_price", check_number("gpu_hour_price", self.gpu_hour_price))
        object.__setattr__(self, "utilisation", check_utilisation(self.utilisation))
        object.__setattr__(self, "peak_to_average", check_peak_to_average(self.peak_to_average))
        object.__setattr__(self, "hours", check_number("hours", self.hours, positive=True))
        if not isinstance(self.scale_to_zero, bool):
            raise ValueError(f"scale_to_zero must be True or False, got {self.scale_to_zero!r}")

    @property
    def queries_per_replica(self) -> float:
        """Monthly volume one replica serves at the peak rate: the replica count steps up at each multiple."""
        capacity = capacity_queries_per_month(
            self.tokens_per_query, self.tokens_per_second * self.utilisation, 1, self.hours
        )
        return capacity / self.peak_to_average

    @property
    def replica_monthly_cost(self) -> float:
        """One replica kept running all month."""
        return always_on_monthly_cost(self.gpu_hour_price, 1, self.hours)

    @property
    def gpu_time_cost_per_query(self) -> float:
        """GPU time of one query at the utilisation (what scaling to zero pays per query)."""
        return self_hosted_query_cost(
            self.tokens_per_query, self.tokens_per_second, self.gpu_hour_price, self.utilisation
        )

    def replicas(self, queries_per_month: float) -> int:
        """:func:`replicas_needed` at this volume."""
        return replicas_needed(
            queries_per_month,
            self.tokens_per_query,
            self.tokens_per_second,
            self.utilisation,
            self.peak_to_average,
            scale_to_zero=self.scale_to_zero,
            hours=self.hours,
        )

    def monthly_cost(self, queries_per_month: float) -> float:
        """:func:`self_hosted_monthly_cost` at this volume."""
        return self_hosted_monthly_cost(
            queries_per_month,
            self.tokens_per_query,
            self.tokens_per_second,
            self.gpu_hour_price,
            self.utilisation,
            self.peak_to_average,
            scale_to_zero=self.scale_to_zero,
            hours=self.hours,
        )

    def monthly_costs(self, volumes: np.ndarray) -> np.ndarray:
        """:meth:`monthly_cost` at many volumes at once (for searching and plotting)."""
        v = np.asarray(volumes, dtype=float)
        used = v * self.gpu_time_cost_per_query
        if self.scale_to_zero:
            return used
        count = np.maximum(1.0, np.ceil(v / self.queries_per_replica))
        return np.maximum(count * self.replica_monthly_cost, used)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the inputs, e.g. for a table in the book."""
        return {
            "item": self.item,
            "tokens_per_query": self.tokens_per_query,
            "tokens_per_second": self.tokens_per_second,
            "gpu_hour_price": self.gpu_hour_price,
            "utilisation": self.utilisation,
            "peak_to_average": self.peak_to_average,
            "scale_to_zero": self.scale_to_zero,
            "hours": self.hours,
        }
