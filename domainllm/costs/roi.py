"""Lab 10 (ROI): measured inputs, named assumptions and prices -> the three costed approaches.

:func:`~domainllm.costs.benchmark_inputs.measured_inputs` reads what lab 9 measured for each
approach; this module turns those measurements into :class:`domainllm.costs.model.Approach`
objects (:class:`RoiModel`), and :mod:`domainllm.costs.break_even_tables` compares them.

Everything the benchmark cannot measure is an explicit, named assumption
(:data:`ASSUMPTIONS`), each with a plausible range for the sensitivity analysis. All inputs
live in one flat mapping of numbers (:meth:`RoiModel.inputs`): measured values
(``rag.prompt_tokens``), assumptions (``data_prep_hours``) and prices under their key in
``data/pricing.yml`` (``llm_api.gpt_4o_mini.input``). Sliders and the tornado chart override
entries of that mapping; :meth:`RoiModel.approaches` rebuilds the approaches from it.

Conversions (stated once, here):

* Hosted API (``serving="api"``): per-query cost = measured tokens x list price; fine-tuning
  is billed per training token: measured training tokens x ``data_scale``.
* Self-hosted (``serving="self_hosted"``): the rented GPU is assumed ``gpu_speedup`` times
  faster than the CPU the benchmark ran on, for training and for answering. Training
  GPU-hours = measured training seconds x ``data_scale`` / ``gpu_speedup`` / 3600; serving
  throughput = measured (prompt + completion) tokens per second x ``gpu_speedup``, paid at
  ``utilisation``.
* Documents change every ``retrain_every_months`` months: the fine-tuned models are retrained
  then, and the retrieval index is rebuilt (the whole corpus re-embedded, an upper bound).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from domainllm.costs.benchmark_inputs import APPROACHES
from domainllm.costs.model import MILLION, Approach, self_hosted_query_cost
from domainllm.costs.priced_approaches import (
    FineTuneSpec,
    RetrievalSpec,
    TokenUsage,
    combined_approach,
    fine_tuned_approach,
    rag_approach,
)
from domainllm.costs.pricing import Pricing

__all__ = [
    "ASSUMPTIONS",
    "Assumption",
    "CostSetup",
    "RoiModel",
    "uncertainty_ranges",
]


@dataclass(frozen=True)
class Assumption:
    """A number the benchmark cannot measure: its base value, a plausible range, and what it means."""

    value: float
    low: float
    high: float
    meaning: str

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.value <= self.high:
            raise ValueError(f"need 0 <= low <= value <= high, got {self.low}, {self.value}, {self.high}")


ASSUMPTIONS: Mapping[str, Assumption] = MappingProxyType(
    {
        "retrain_every_months": Assumption(
            3,
            1,
            12,
            "documents change, fine-tuned models are retrained and the index rebuilt, every N months",
        ),
        "data_prep_hours": Assumption(40, 16, 120, "engineer hours to build and check a training set"),
        "evaluation_hours": Assumption(16, 8, 40, "engineer hours to evaluate any system before launch"),
        "rag_setup_hours": Assumption(24, 8, 80, "engineer hours to build ingestion, chunking and retrieval"),
        "refresh_hours": Assumption(8, 2, 24, "engineer hours per retraining: rerun, re-evaluate, redeploy"),
        "data_scale": Assumption(1, 1, 100, "the team's training data as a multiple of the lab's"),
        "gpu_speedup": Assumption(
            20, 5, 100, "self-hosted only: rented GPU throughput as a multiple of the measured CPU's"
        ),
        "utilisation": Assumption(0.5, 0.1, 1.0, "self-hosted only: share of paid GPU time spent answering"),
    }
)


@dataclass(frozen=True)
class CostSetup:
    """Which entries of the price table the approaches use, and how the models are served.

    ``serving="api"``: the base model ``llm`` and its hosted fine-tuned version
    ``fine_tuned_llm`` (names under ``llm_api``). ``serving="self_hosted"``: every model runs
    on rented ``gpu`` instances (a name under ``gpu``), trained and served there.
    """

    serving: Literal["api", "self_hosted"] = "api"
    llm: str = "gpt_4o_mini"
    fine_tuned_llm: str = "gpt_4o_mini_fine_tuned"
    gpu: str = "aws_g5_xlarge"
    embedding: str = "text_embedding_3_small"
    vector_db: str = "milvus_vm"
    read_units_per_query: float = 0.25
    currency: str = "USD"

    def __post_init__(self) -> None:
        if self.serving not in ("api", "self_hosted"):
            raise ValueError(f"serving must be 'api' or 'self_hosted', got {self.serving!r}")

    def price_keys(self, pricing: Pricing) -> list[str]:
        """The keys of ``pricing`` this setup reads, in a fixed order."""
        if self.serving == "api":
            models = [f"llm_api.{self.llm}.{p}" for p in ("input", "output")]
            models += [f"llm_api.{self.fine_tuned_llm}.{p}" for p in ("input", "output", "training")]
        else:
            models = [f"gpu.{self.gpu}.hourly"]
        keys = [
            *models,
            f"embedding_api.{self.embedding}.input",
            *pricing.group(f"vector_db.{self.vector_db}"),
        ]
        keys.append("people.ml_engineer.hourly")
        for key in keys:
            pricing[key]  # raises PricingError naming the file and key when it is missing
        return keys


def _with_values(pricing: Pricing, values: Mapping[str, float]) -> Pricing:
    """A copy of ``pricing`` with some prices' values replaced (sliders, sensitivity)."""
    prices = dict(pricing.prices)
    for key, value in values.items():
        prices[key] = dataclasses.replace(pricing[key], value=float(value))
    return Pricing(pricing.path, prices)


def _extend(
    approach: Approach,
    *,
    one_off: Mapping[str, float] | None = None,
    per_query: Mapping[str, float] | None = None,
    fixed_monthly: Mapping[str, float] | None = None,
    drop: Sequence[str] = (),
) -> Approach:
    """``approach`` with items added (or, for names in ``drop``, removed)."""

    def merged(items: Mapping[str, float], extra: Mapping[str, float] | None) -> dict[str, float]:
        return {k: v for k, v in items.items() if k not in drop} | dict(extra or {})

    return dataclasses.replace(
        approach,
        one_off=merged(approach.one_off, one_off),
        per_query=merged(approach.per_query, per_query),
        fixed_monthly=merged(approach.fixed_monthly, fixed_monthly),
    )


@dataclass(frozen=True)
class RoiModel:
    """Measured inputs + assumptions + prices -> the three costed approaches.

    ``measured`` comes from :func:`measured_inputs`; ``assumptions`` override the base values
    of :data:`ASSUMPTIONS` by name.
    """

    pricing: Pricing
    measured: Mapping[str, float]
    setup: CostSetup = field(default_factory=CostSetup)
    assumptions: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.assumptions) - set(ASSUMPTIONS))
        if unknown:
            raise ValueError(f"unknown assumption(s): {', '.join(unknown)}; known: {', '.join(ASSUMPTIONS)}")
        object.__setattr__(self, "measured", MappingProxyType(dict(self.measured)))
        object.__setattr__(self, "assumptions", MappingProxyType(dict(self.assumptions)))

    @property
    def price_keys(self) -> list[str]:
        """The price-table keys the approaches read."""
        return self.setup.price_keys(self.pricing)

    def inputs(self) -> dict[str, float]:
        """Every number the approaches are built from: measured, assumed and priced."""
        assumed = {name: float(self.assumptions.get(name, a.value)) for name, a in ASSUMPTIONS.items()}
        prices = {key: self.pricing.value(key) for key in self.price_keys}
        return {**self.measured, **assumed, **prices}

    def approaches(self, overrides: Mapping[str, float] | None = None) -> dict[str, Approach]:
        """The approaches by key (``rag``, ``fine_tuned``, ``combined``), with some inputs overridden."""
        v = self.inputs()
        unknown = sorted(set(overrides or {}) - set(v))
        if unknown:
            raise ValueError(f"unknown input(s): {', '.join(unknown)}")
        v.update(overrides or {})
        setup = self.setup
        pricing = _with_values(self.pricing, {key: v[key] for key in self.price_keys})
        cadence = max(1, round(v["retrain_every_months"]))
        rate = pricing.value("people.ml_engineer.hourly", "per hour", setup.currency)
        embed = pricing.value(f"embedding_api.{setup.embedding}.input", "per 1M tokens", setup.currency)
        retrieval = RetrievalSpec(
            setup.embedding,
            setup.vector_db,
            setup.read_units_per_query,
            v["corpus_tokens"],
            v["rag_setup_hours"],
        )
        reindex = {"re-indexing (changed documents)": v["corpus_tokens"] * embed / MILLION / cadence}
        evaluation = {"evaluation": v["evaluation_hours"] * rate}
        self_hosted = setup.serving == "self_hosted"
        speedup = v["gpu_speedup"]

        def usage(key: str, retrieves: bool) -> TokenUsage:
            query = v["query_tokens"] if retrieves else 0.0
            return TokenUsage(v[f"{key}.prompt_tokens"], v[f"{key}.completion_tokens"], query)

        def spec(key: str) -> FineTuneSpec:
            return FineTuneSpec(
                data_prep_hours=v["data_prep_hours"],
                evaluation_hours=v["evaluation_hours"],
                training_gpu=setup.gpu,
                training_gpu_hours=v[f"{key}.train_seconds"] * v["data_scale"] / speedup / 3600.0,
                serving="self_hosted" if self_hosted else "api",
                serving_gpu=setup.gpu,
                tokens_per_second=v[f"{key}.tokens_per_second"] * speedup,
                utilisation=v["utilisation"],
                api_model=setup.fine_tuned_llm,
                training_tokens=v[f"{key}.train_tokens"] * v["data_scale"],
                retrain_every_months=cadence,
                refresh_hours=v["refresh_hours"],
            )

        names = {a.key: a.name for a in APPROACHES}
        rag_usage = usage("rag", True)
        rag = rag_approach(
            rag_usage, pricing, llm=setup.llm, retrieval=retrieval, currency=setup.currency, name=names["rag"]
        )
        if self_hosted:
            gpu_hour = pricing.value(f"gpu.{setup.gpu}.hourly", "per hour", setup.currency)
            tokens = rag_usage.prompt_tokens + rag_usage.completion_tokens
            generation = self_hosted_query_cost(
                tokens, v["rag.tokens_per_second"] * speedup, gpu_hour, v["utilisation"]
            )
            rag = _extend(
                rag, per_query={"generation (self-hosted GPU)": generation}, drop=("generation (model API)",)
            )
        rag = _extend(rag, one_off=evaluation, fixed_monthly=reindex)
        fine_tuned = fine_tuned_approach(
            usage("fine_tuned", False),
            pricing,
            spec("fine_tuned"),
            currency=setup.currency,
            name=names["fine_tuned"],
        )
        combined = combined_approach(
            usage("combined", True),
            pricing,
            spec("combined"),
            retrieval=retrieval,
            currency=setup.currency,
            name=names["combined"],
        )
        combined = _extend(combined, fixed_monthly=reindex)
        return {"rag": rag, "fine_tuned": fine_tuned, "combined": combined}

    def assumption_rows(self) -> list[dict[str, Any]]:
        """One row per assumption: name, value used, range for the sensitivity analysis, meaning."""
        values = self.inputs()
        return [
            {"assumption": name, "value": values[name], "low": a.low, "high": a.high, "meaning": a.meaning}
            for name, a in ASSUMPTIONS.items()
        ]


def uncertainty_ranges(
    model: RoiModel,
    names: Sequence[str] | None = None,
    factor: tuple[float, float] = (0.5, 2.0),
) -> dict[str, tuple[float, float]]:
    """Low and high value of each uncertain input, for :func:`domainllm.costs.sensitivity.sensitivity`.

    Assumptions use their own range (:data:`ASSUMPTIONS`); prices and measured values are
    multiplied by ``factor`` (default: half to double). ``names`` defaults to every price, the
    measured prompt and completion tokens, and every assumption the setup uses.
    """
    inputs = model.inputs()
    if names is None:
        unused = {"gpu_speedup", "utilisation"} if model.setup.serving == "api" else set()
        measured = [k for k in model.measured if k.endswith(("prompt_tokens", "completion_tokens"))]
        names = [*model.price_keys, *measured, *(k for k in ASSUMPTIONS if k not in unused)]
    ranges: dict[str, tuple[float, float]] = {}
    for name in names:
        if name not in inputs:
            raise ValueError(f"unknown input {name!r}")
        if name in ASSUMPTIONS:
            ranges[name] = (ASSUMPTIONS[name].low, ASSUMPTIONS[name].high)
        else:
            ranges[name] = (inputs[name] * factor[0], inputs[name] * factor[1])
    return ranges
