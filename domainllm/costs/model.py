"""A small, explicit cost model for RAG, fine-tuning and both, per query and over time.

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

Per-query costs come from MEASURED token counts (:class:`TokenUsage`) times list prices from
``data/pricing.yml`` (:mod:`domainllm.costs.pricing`), never from a guess.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeVar

import numpy as np

from domainllm.costs.pricing import Pricing, PricingError

__all__ = [
    "DEFAULT_BOUNDS",
    "HOURS_PER_MONTH",
    "Approach",
    "FineTuneSpec",
    "RetrievalSpec",
    "SensitivityBar",
    "TokenUsage",
    "always_on_monthly_cost",
    "api_query_cost",
    "break_even_month",
    "break_even_volume",
    "capacity_queries_per_month",
    "cheapest",
    "clamp_inputs",
    "combined_approach",
    "cost_per_1000_queries",
    "cumulative_cost",
    "fine_tuned_approach",
    "monthly_cost",
    "rag_approach",
    "retrains_within",
    "self_hosted_query_cost",
    "sensitivity",
    "total_cost",
]

HOURS_PER_MONTH = 8760.0 / 12  # 730 h: an average month
_MTOK = 1_000_000.0
T = TypeVar("T")


def _check(name: str, value: Any, *, positive: bool = False) -> float:
    """Return ``value`` as a float, or raise ValueError naming ``name`` if not finite and >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return value


def _check_cadence(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a whole number of months >= 1, or None, got {value!r}")
    return int(value)


def _items(name: str, items: Mapping[str, float]) -> Mapping[str, float]:
    if not isinstance(items, Mapping):
        raise ValueError(f"{name} must be a mapping of item name to cost, got {type(items).__name__}")
    return MappingProxyType({str(k): _check(f"{name}[{k!r}]", v) for k, v in items.items()})


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
        cadence = _check_cadence("retrain_every_months", self.retrain_every_months)
        object.__setattr__(self, "retrain_every_months", cadence)
        object.__setattr__(self, "retrain_cost", _check("retrain_cost", self.retrain_cost))

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
    months = _check("months", months)
    cadence = approach.retrain_every_months
    if cadence is None or months <= 0:
        return 0
    return max(0, math.ceil(months / cadence) - 1)


def total_cost(approach: Approach, queries_per_month: float, months: float) -> float:
    """Everything paid up to the end of month ``months`` (fractional months allowed)."""
    volume = _check("queries_per_month", queries_per_month)
    months = _check("months", months)
    running = months * (approach.fixed_monthly_total + volume * approach.per_query_total)
    return approach.one_off_total + running + retrains_within(approach, months) * approach.retrain_cost


def monthly_cost(approach: Approach, queries_per_month: float, *, include_retraining: bool = False) -> float:
    """Running cost of one month: fixed + volume x per-query cost.

    The one-off cost is not included. With ``include_retraining`` the refresh cost is spread
    evenly over its cadence (``retrain_cost / R`` per month), as in the book's formula for V*.
    """
    volume = _check("queries_per_month", queries_per_month)
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
    volume = _check("queries_per_month", queries_per_month)
    months = _check("months", months, positive=True)
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
        months = _check_cadence("months", months)
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
    volume = _check("queries_per_month", queries_per_month)
    horizon = _check("horizon_months", horizon_months, positive=True)
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
    prompt = _check("prompt_tokens", prompt_tokens)
    completion = _check("completion_tokens", completion_tokens)
    price_in = _check("price_in_per_mtok", price_in_per_mtok)
    price_out = _check("price_out_per_mtok", price_out_per_mtok)
    return (prompt * price_in + completion * price_out) / _MTOK


def self_hosted_query_cost(
    tokens_per_query: float, tokens_per_second: float, gpu_hour_price: float, utilisation: float = 1.0
) -> float:
    """GPU cost of one query on a GPU you rent by the hour.

    ``tokens_per_second`` is MEASURED throughput at the serving batch size, counting the same
    tokens as ``tokens_per_query``. At ``utilisation`` u (0 < u <= 1) you also pay for the idle
    share: cost = tokens / throughput / u x price per second.
    """
    tokens = _check("tokens_per_query", tokens_per_query)
    throughput = _check("tokens_per_second", tokens_per_second, positive=True)
    price = _check("gpu_hour_price", gpu_hour_price)
    share = _check("utilisation", utilisation, positive=True)
    if share > 1:
        raise ValueError(f"utilisation must be in (0, 1], got {utilisation!r}")
    return tokens / throughput / share * price / 3600.0


def always_on_monthly_cost(gpu_hour_price: float, replicas: int = 1, hours: float = HOURS_PER_MONTH) -> float:
    """Monthly cost of ``replicas`` GPUs kept running all month."""
    price = _check("gpu_hour_price", gpu_hour_price)
    count = _check("replicas", replicas)
    return price * count * _check("hours", hours)


def capacity_queries_per_month(
    tokens_per_query: float, tokens_per_second: float, replicas: int = 1, hours: float = HOURS_PER_MONTH
) -> float:
    """Most queries ``replicas`` always-on GPUs can answer in a month at the measured throughput."""
    tokens = _check("tokens_per_query", tokens_per_query, positive=True)
    throughput = _check("tokens_per_second", tokens_per_second, positive=True)
    return throughput * 3600.0 * _check("hours", hours) * _check("replicas", replicas) / tokens


# --------------------------------------------------------------------------- approaches from prices


@dataclass(frozen=True)
class TokenUsage:
    """MEASURED mean tokens per answer: prompt, completion, and query tokens embedded (RAG)."""

    prompt_tokens: float
    completion_tokens: float
    query_tokens: float = 0.0
    n: int = 0

    def __post_init__(self) -> None:
        for name in ("prompt_tokens", "completion_tokens", "query_tokens"):
            object.__setattr__(self, name, _check(name, getattr(self, name)))

    @classmethod
    def from_completions(cls, completions: Iterable[Any], query_tokens: float = 0.0) -> TokenUsage:
        """Means over generated answers (objects or dicts with ``prompt_tokens``/``completion_tokens``)."""
        prompts: list[float] = []
        outputs: list[float] = []
        for item in completions:
            get = item.get if isinstance(item, Mapping) else lambda k, i=item: getattr(i, k, None)
            prompts.append(_check("prompt_tokens", get("prompt_tokens")))
            outputs.append(_check("completion_tokens", get("completion_tokens")))
        if not prompts:
            raise ValueError("from_completions needs at least one measured answer")
        return cls(float(np.mean(prompts)), float(np.mean(outputs)), query_tokens, len(prompts))


@dataclass(frozen=True)
class RetrievalSpec:
    """What retrieval costs: embedding model, vector store and one-off indexing.

    ``vector_db`` names an entry under ``vector_db`` in the price table; its ``monthly`` and
    ``hourly`` prices become fixed monthly costs, its ``read_units`` price a per-query cost
    (``read_units_per_query`` each; Pinecone bills at least 0.25 per query).
    """

    embedding: str = "text_embedding_3_small"
    vector_db: str = "pinecone_standard"
    read_units_per_query: float = 0.25
    corpus_tokens: float = 0.0
    setup_hours: float = 0.0

    def __post_init__(self) -> None:
        for name in ("read_units_per_query", "corpus_tokens", "setup_hours"):
            _check(name, getattr(self, name))


Serving = Literal["self_hosted", "always_on", "api"]


@dataclass(frozen=True)
class FineTuneSpec:
    """What fine-tuning costs: people, training compute, serving and refresh cadence.

    ``serving``: ``"self_hosted"`` pays GPU time per query (measured ``tokens_per_second`` at
    ``utilisation``); ``"always_on"`` pays ``replicas`` GPUs all month (check
    :func:`capacity_queries_per_month`); ``"api"`` uses a hosted fine-tuned model
    (``api_model`` under ``llm_api``, trained on ``training_tokens`` = file tokens x epochs).
    ``refresh_hours``: engineer hours per retraining (default: ``evaluation_hours``).
    """

    data_prep_hours: float = 0.0
    evaluation_hours: float = 0.0
    training_gpu: str = "lambda_h100_sxm"
    training_gpu_hours: float = 0.0
    serving: Serving = "self_hosted"
    serving_gpu: str = "aws_g5_xlarge"
    tokens_per_second: float = 0.0
    utilisation: float = 0.5
    replicas: int = 1
    api_model: str = "gpt_4o_mini_fine_tuned"
    training_tokens: float = 0.0
    retrain_every_months: int | None = None
    refresh_hours: float | None = None

    def __post_init__(self) -> None:
        for name in ("data_prep_hours", "evaluation_hours", "training_gpu_hours", "training_tokens"):
            _check(name, getattr(self, name))
        if self.refresh_hours is not None:
            _check("refresh_hours", self.refresh_hours)
        if self.serving not in ("self_hosted", "always_on", "api"):
            raise ValueError(f"serving must be 'self_hosted', 'always_on' or 'api', got {self.serving!r}")
        if self.serving == "self_hosted":
            _check("tokens_per_second", self.tokens_per_second, positive=True)
            if not 0 < _check("utilisation", self.utilisation, positive=True) <= 1:
                raise ValueError(f"utilisation must be in (0, 1], got {self.utilisation!r}")
        _check("replicas", self.replicas, positive=True)
        _check_cadence("retrain_every_months", self.retrain_every_months)


_Parts = tuple[dict[str, float], dict[str, float], dict[str, float]]


def _engineer_rate(pricing: Pricing, currency: str) -> float:
    return pricing.value("people.ml_engineer.hourly", "per hour", currency)


def _api_generation(usage: TokenUsage, pricing: Pricing, model: str, currency: str) -> float:
    price_in = pricing.value(f"llm_api.{model}.input", "per 1M tokens", currency)
    price_out = pricing.value(f"llm_api.{model}.output", "per 1M tokens", currency)
    return api_query_cost(usage.prompt_tokens, usage.completion_tokens, price_in, price_out)


def _retrieval_parts(usage: TokenUsage, pricing: Pricing, spec: RetrievalSpec, currency: str) -> _Parts:
    embed = pricing.value(f"embedding_api.{spec.embedding}.input", "per 1M tokens", currency)
    one_off = {
        "indexing (embedding the corpus)": spec.corpus_tokens * embed / _MTOK,
        "retrieval setup (engineering)": spec.setup_hours * _engineer_rate(pricing, currency),
    }
    per_query = {"query embedding": usage.query_tokens * embed / _MTOK}
    fixed: dict[str, float] = {}
    group = f"vector_db.{spec.vector_db}"
    if f"{group}.monthly" in pricing:
        fixed["vector DB plan"] = pricing.value(f"{group}.monthly", "per month", currency)
    if f"{group}.hourly" in pricing:
        hourly = pricing.value(f"{group}.hourly", "per hour", currency)
        fixed["vector DB server"] = hourly * HOURS_PER_MONTH
    if f"{group}.read_units" in pricing:
        per_read = pricing.value(f"{group}.read_units", "per 1M read units", currency) / _MTOK
        per_query["vector DB reads"] = spec.read_units_per_query * per_read
    if not fixed and "vector DB reads" not in per_query:
        raise PricingError(
            pricing.path, group, "no 'monthly', 'hourly' or 'read_units' price for this vector DB"
        )
    return one_off, per_query, fixed


def _fine_tune_parts(
    usage: TokenUsage, pricing: Pricing, spec: FineTuneSpec, currency: str
) -> tuple[dict[str, float], dict[str, float], dict[str, float], float]:
    rate = _engineer_rate(pricing, currency)
    if spec.serving == "api":
        per_token = pricing.value(f"llm_api.{spec.api_model}.training", "per 1M tokens", currency)
        training = ("fine-tuning (API training tokens)", spec.training_tokens * per_token / _MTOK)
    else:
        gpu_hour = pricing.value(f"gpu.{spec.training_gpu}.hourly", "per hour", currency)
        training = ("fine-tuning (GPU hours)", spec.training_gpu_hours * gpu_hour)
    one_off = {
        "data preparation": spec.data_prep_hours * rate,
        training[0]: training[1],
        "evaluation": spec.evaluation_hours * rate,
    }
    per_query: dict[str, float] = {}
    fixed: dict[str, float] = {}
    if spec.serving == "api":
        per_query["generation (fine-tuned model API)"] = _api_generation(
            usage, pricing, spec.api_model, currency
        )
    else:
        serve_hour = pricing.value(f"gpu.{spec.serving_gpu}.hourly", "per hour", currency)
        if spec.serving == "always_on":
            fixed["model hosting (always-on GPU)"] = always_on_monthly_cost(serve_hour, spec.replicas)
        else:
            tokens = usage.prompt_tokens + usage.completion_tokens
            per_query["generation (self-hosted GPU)"] = self_hosted_query_cost(
                tokens, spec.tokens_per_second, serve_hour, spec.utilisation
            )
    refresh_hours = spec.evaluation_hours if spec.refresh_hours is None else spec.refresh_hours
    retrain = training[1] + refresh_hours * rate
    return one_off, per_query, fixed, retrain


def rag_approach(
    usage: TokenUsage,
    pricing: Pricing,
    *,
    llm: str = "gpt_4o_mini",
    retrieval: RetrievalSpec | None = None,
    currency: str = "USD",
    name: str = "RAG",
) -> Approach:
    """RAG with a hosted base model ``llm`` (a name under ``llm_api``).

    ``usage`` is measured on the RAG system, so ``prompt_tokens`` include the retrieved passages
    and ``query_tokens`` the tokens embedded per query. Never retrained; re-indexing a changed
    corpus can be added as a one-off item.
    """
    one_off, per_query, fixed = _retrieval_parts(usage, pricing, retrieval or RetrievalSpec(), currency)
    per_query = {"generation (model API)": _api_generation(usage, pricing, llm, currency), **per_query}
    return Approach(name, one_off, per_query, fixed, None, 0.0, currency)


def fine_tuned_approach(
    usage: TokenUsage,
    pricing: Pricing,
    spec: FineTuneSpec,
    *,
    currency: str = "USD",
    name: str = "Fine-tuned",
) -> Approach:
    """A fine-tuned model answering without retrieval (``usage`` measured on short prompts)."""
    one_off, per_query, fixed, retrain = _fine_tune_parts(usage, pricing, spec, currency)
    return Approach(name, one_off, per_query, fixed, spec.retrain_every_months, retrain, currency)


def combined_approach(
    usage: TokenUsage,
    pricing: Pricing,
    spec: FineTuneSpec,
    *,
    retrieval: RetrievalSpec | None = None,
    currency: str = "USD",
    name: str = "RAG + fine-tuned",
) -> Approach:
    """A fine-tuned model fed retrieved passages: fine-tuning costs plus retrieval costs.

    ``usage`` is measured on the combined system (long prompts, as in RAG).
    """
    one_off, per_query, fixed, retrain = _fine_tune_parts(usage, pricing, spec, currency)
    r_one_off, r_per_query, r_fixed = _retrieval_parts(usage, pricing, retrieval or RetrievalSpec(), currency)
    return Approach(
        name,
        {**one_off, **r_one_off},
        {**per_query, **r_per_query},
        {**fixed, **r_fixed},
        spec.retrain_every_months,
        retrain,
        currency,
    )


# --------------------------------------------------------------------------- sensitivity and sliders


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


# Valid ranges for the calculator's sliders; anything not listed is clamped to [0, inf).
DEFAULT_BOUNDS: dict[str, tuple[float, float]] = {
    "queries_per_month": (0.0, 1e9),
    "prompt_tokens": (0.0, 1_000_000.0),
    "completion_tokens": (0.0, 100_000.0),
    "query_tokens": (0.0, 100_000.0),
    "tokens_per_second": (1.0, 1e6),
    "utilisation": (0.01, 1.0),
    "retrain_every_months": (1.0, 120.0),
    "training_gpu_hours": (0.0, 100_000.0),
    "data_prep_hours": (0.0, 10_000.0),
    "evaluation_hours": (0.0, 10_000.0),
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
