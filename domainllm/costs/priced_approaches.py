"""Lab 10 (ROI): the three approaches costed from measured token counts and the price table.

:class:`TokenUsage` holds mean tokens per answer, counted by the tokenizer of the model that is
priced (an API model's own tokenizer for token prices: convert other counts first, as
:class:`~domainllm.costs.roi.RoiModel` does); :class:`RetrievalSpec` and
:class:`FineTuneSpec` say what retrieval and fine-tuning cost besides (embedding model, vector
store, people, training compute, serving, refresh cadence). :func:`rag_approach`,
:func:`fine_tuned_approach` and :func:`combined_approach` turn them, with list prices from
``data/pricing.yml`` (:mod:`domainllm.costs.pricing`), into itemised
:class:`~domainllm.costs.model.Approach` objects, never from a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from domainllm.costs.model import (
    HOURS_PER_MONTH,
    MILLION,
    PEAK_TO_AVERAGE,
    Approach,
    SelfHostedServing,
    always_on_monthly_cost,
    api_query_cost,
    check_cadence,
    check_number,
    check_peak_to_average,
    check_utilisation,
)
from domainllm.costs.pricing import Pricing, PricingError

__all__ = [
    "FineTuneSpec",
    "RetrievalSpec",
    "TokenUsage",
    "combined_approach",
    "fine_tuned_approach",
    "rag_approach",
    "self_hosted_serving",
]


@dataclass(frozen=True)
class TokenUsage:
    """MEASURED mean tokens per answer: prompt, completion, and query tokens embedded (RAG)."""

    prompt_tokens: float
    completion_tokens: float
    query_tokens: float = 0.0
    n: int = 0

    def __post_init__(self) -> None:
        for name in ("prompt_tokens", "completion_tokens", "query_tokens"):
            object.__setattr__(self, name, check_number(name, getattr(self, name)))

    @classmethod
    def from_completions(cls, completions: Iterable[Any], query_tokens: float = 0.0) -> TokenUsage:
        """Means over generated answers (objects or dicts with ``prompt_tokens``/``completion_tokens``)."""
        prompts: list[float] = []
        outputs: list[float] = []
        for item in completions:
            get = item.get if isinstance(item, Mapping) else lambda k, i=item: getattr(i, k, None)
            prompts.append(check_number("prompt_tokens", get("prompt_tokens")))
            outputs.append(check_number("completion_tokens", get("completion_tokens")))
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
            check_number(name, getattr(self, name))


Serving = Literal["self_hosted", "always_on", "api"]


@dataclass(frozen=True)
class FineTuneSpec:
    """What fine-tuning costs: people, training compute, serving and refresh cadence.

    ``serving``: ``"self_hosted"`` pays the replicas of ``serving_gpu`` the peak rate needs, at
    least one always on (:class:`~domainllm.costs.model.SelfHostedServing`: measured
    ``tokens_per_second`` per replica, ``utilisation`` of it at the peak, ``peak_to_average``),
    or with ``scale_to_zero=True`` only the GPU time its queries use; ``"always_on"`` pays a
    fixed ``replicas`` GPUs all month whatever the traffic (check
    :func:`~domainllm.costs.model.capacity_queries_per_month`); ``"api"`` uses a hosted
    fine-tuned model (``api_model`` under ``llm_api``, trained on ``training_tokens`` = file
    tokens x epochs, counted by that model's tokenizer).
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
    peak_to_average: float = PEAK_TO_AVERAGE
    scale_to_zero: bool = False
    replicas: int = 1
    api_model: str = "gpt_4o_mini_fine_tuned"
    training_tokens: float = 0.0
    retrain_every_months: int | None = None
    refresh_hours: float | None = None

    def __post_init__(self) -> None:
        for name in ("data_prep_hours", "evaluation_hours", "training_gpu_hours", "training_tokens"):
            check_number(name, getattr(self, name))
        if self.refresh_hours is not None:
            check_number("refresh_hours", self.refresh_hours)
        if self.serving not in ("self_hosted", "always_on", "api"):
            raise ValueError(f"serving must be 'self_hosted', 'always_on' or 'api', got {self.serving!r}")
        if self.serving == "self_hosted":
            check_number("tokens_per_second", self.tokens_per_second, positive=True)
            check_utilisation(self.utilisation)
            check_peak_to_average(self.peak_to_average)
        if not isinstance(self.scale_to_zero, bool):
            raise ValueError(f"scale_to_zero must be True or False, got {self.scale_to_zero!r}")
        check_number("replicas", self.replicas, positive=True)
        check_cadence("retrain_every_months", self.retrain_every_months)


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
        "indexing (embedding the corpus)": spec.corpus_tokens * embed / MILLION,
        "retrieval setup (engineering)": spec.setup_hours * _engineer_rate(pricing, currency),
    }
    per_query = {"query embedding": usage.query_tokens * embed / MILLION}
    fixed: dict[str, float] = {}
    group = f"vector_db.{spec.vector_db}"
    if f"{group}.monthly" in pricing:
        fixed["vector DB plan"] = pricing.value(f"{group}.monthly", "per month", currency)
    if f"{group}.hourly" in pricing:
        hourly = pricing.value(f"{group}.hourly", "per hour", currency)
        fixed["vector DB server"] = hourly * HOURS_PER_MONTH
    if f"{group}.read_units" in pricing:
        per_read = pricing.value(f"{group}.read_units", "per 1M read units", currency) / MILLION
        per_query["vector DB reads"] = spec.read_units_per_query * per_read
    if not fixed and "vector DB reads" not in per_query:
        raise PricingError(
            pricing.path, group, "no 'monthly', 'hourly' or 'read_units' price for this vector DB"
        )
    return one_off, per_query, fixed


def self_hosted_serving(
    usage: TokenUsage,
    pricing: Pricing,
    gpu: str,
    tokens_per_second: float,
    *,
    utilisation: float = 0.5,
    peak_to_average: float = PEAK_TO_AVERAGE,
    scale_to_zero: bool = False,
    currency: str = "USD",
    item: str = "generation (self-hosted GPU replicas)",
) -> SelfHostedServing:
    """Lab 10: a model served on rented ``gpu`` replicas (a name under ``gpu`` in the price table).

    ``usage`` gives the tokens per answer (prompt + completion, the model's own tokenizer) and
    ``tokens_per_second`` one replica's throughput counting the same tokens.
    """
    return SelfHostedServing(
        item,
        usage.prompt_tokens + usage.completion_tokens,
        tokens_per_second,
        pricing.value(f"gpu.{gpu}.hourly", "per hour", currency),
        utilisation,
        peak_to_average,
        scale_to_zero,
    )


def _fine_tune_parts(
    usage: TokenUsage, pricing: Pricing, spec: FineTuneSpec, currency: str
) -> tuple[dict[str, float], dict[str, float], dict[str, float], tuple[SelfHostedServing, ...], float]:
    rate = _engineer_rate(pricing, currency)
    if spec.serving == "api":
        per_token = pricing.value(f"llm_api.{spec.api_model}.training", "per 1M tokens", currency)
        training = ("fine-tuning (API training tokens)", spec.training_tokens * per_token / MILLION)
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
    serving: tuple[SelfHostedServing, ...] = ()
    if spec.serving == "api":
        per_query["generation (fine-tuned model API)"] = _api_generation(
            usage, pricing, spec.api_model, currency
        )
    elif spec.serving == "always_on":
        serve_hour = pricing.value(f"gpu.{spec.serving_gpu}.hourly", "per hour", currency)
        fixed["model hosting (always-on GPU)"] = always_on_monthly_cost(serve_hour, spec.replicas)
    else:
        serving = (
            self_hosted_serving(
                usage,
                pricing,
                spec.serving_gpu,
                spec.tokens_per_second,
                utilisation=spec.utilisation,
                peak_to_average=spec.peak_to_average,
                scale_to_zero=spec.scale_to_zero,
                currency=currency,
            ),
        )
    refresh_hours = spec.evaluation_hours if spec.refresh_hours is None else spec.refresh_hours
    retrain = training[1] + refresh_hours * rate
    return one_off, per_query, fixed, serving, retrain


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
    one_off, per_query, fixed, serving, retrain = _fine_tune_parts(usage, pricing, spec, currency)
    return Approach(name, one_off, per_query, fixed, spec.retrain_every_months, retrain, currency, serving)


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
    one_off, per_query, fixed, serving, retrain = _fine_tune_parts(usage, pricing, spec, currency)
    r_one_off, r_per_query, r_fixed = _retrieval_parts(usage, pricing, retrieval or RetrievalSpec(), currency)
    return Approach(
        name,
        {**one_off, **r_one_off},
        {**per_query, **r_per_query},
        {**fixed, **r_fixed},
        spec.retrain_every_months,
        retrain,
        currency,
        serving,
    )
