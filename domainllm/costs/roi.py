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

* Token counts. The benchmark counts tokens with the generator's tokenizer (SmolLM2) and the
  embedder's (all-MiniLM-L6-v2); an API bills the tokens of its own tokenizer. Every count
  priced per token by an API is converted through characters: API tokens = measured tokens x
  the measured model's characters per token (``generator_chars_per_token``,
  ``embedder_chars_per_token``: measured on the lab's corpus and questions, see
  :func:`~domainllm.costs.benchmark_inputs.characters_per_token`) / the API tokenizer's
  characters per token (``api_chars_per_token``, an assumption: OpenAI's rule of thumb of about
  4 characters per token of English text). Measured counts without a measured ratio are
  priced unconverted, with a warning.
* Hosted API (``serving="api"``): per-query cost = converted tokens x list price; fine-tuning
  is billed per training token: converted training tokens x ``data_scale``.
* Self-hosted (``serving="self_hosted"``): each model runs on its own rented GPU replicas,
  assumed ``gpu_speedup`` times faster than the CPU the benchmark ran on, for training and for
  answering, and its tokens are its own (no conversion). Training GPU-hours = measured training
  seconds x ``data_scale`` / ``gpu_speedup`` / 3600; one replica's throughput = measured
  (prompt + completion) tokens per second x ``gpu_speedup``. The month pays the replicas the
  peak rate needs (``peak_to_average`` x the average rate, each replica used up to
  ``utilisation``), at least one always on (:func:`~domainllm.costs.model.self_hosted_monthly_cost`);
  ``CostSetup(scale_to_zero=True)`` pays only the GPU time used instead.
* Documents change every ``retrain_every_months`` months: the fine-tuned models are retrained
  then, and the retrieval index is rebuilt (the whole corpus re-embedded, an upper bound).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from domainllm.costs.benchmark_inputs import APPROACHES
from domainllm.costs.model import MILLION, PEAK_TO_AVERAGE, Approach
from domainllm.costs.priced_approaches import (
    FineTuneSpec,
    RetrievalSpec,
    TokenUsage,
    combined_approach,
    fine_tuned_approach,
    rag_approach,
    self_hosted_serving,
)
from domainllm.costs.pricing import Pricing

__all__ = [
    "API_CHARS_PER_TOKEN_SOURCE",
    "ASSUMPTIONS",
    "ENGINEERING_HOURS",
    "Assumption",
    "CostSetup",
    "RoiModel",
    "api_tokens_per_measured_token",
    "uncertainty_ranges",
]

# Where the API tokenizer's characters per token comes from (the assumption api_chars_per_token).
API_CHARS_PER_TOKEN_SOURCE = (
    "https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them"
)


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
        "utilisation": Assumption(
            0.5,
            0.1,
            1.0,
            "self-hosted only: share of a replica's throughput the busiest hour may use (the rest is headroom)",
        ),
        "peak_to_average": Assumption(
            PEAK_TO_AVERAGE,
            1.5,
            8,
            "self-hosted only: busiest hour's query rate over the month's average "
            "(3: traffic spread over 8 working hours a day; 1.5: round the clock; 8: bursts on weekdays)",
        ),
        "api_chars_per_token": Assumption(
            4.0,
            3.0,
            5.0,
            "characters per token of an API model's tokenizer, to convert the measured token counts "
            f"(about 4 for English text: {API_CHARS_PER_TOKEN_SOURCE})",
        ),
    }
)
# The invented engineering hours (lab 10 shows each in the tornado chart, whatever its effect).
ENGINEERING_HOURS = ("rag_setup_hours", "data_prep_hours", "evaluation_hours", "refresh_hours")
_SELF_HOSTED_ONLY = frozenset({"gpu_speedup", "utilisation", "peak_to_average"})
_RATIOS = ("generator_chars_per_token", "embedder_chars_per_token")


@dataclass(frozen=True)
class CostSetup:
    """Which entries of the price table the approaches use, and how the models are served.

    ``serving="api"``: the base model ``llm`` and its hosted fine-tuned version
    ``fine_tuned_llm`` (names under ``llm_api``). ``serving="self_hosted"``: every model runs
    on rented ``gpu`` instances (a name under ``gpu``), trained and served there, on the
    replicas its peak rate needs (at least one always on); ``scale_to_zero=True`` instead pays
    only the GPU time its queries use (serverless GPUs billed per second; cold starts and price
    premiums not modelled).
    """

    serving: Literal["api", "self_hosted"] = "api"
    llm: str = "gpt_4o_mini"
    fine_tuned_llm: str = "gpt_4o_mini_fine_tuned"
    gpu: str = "aws_g5_xlarge"
    embedding: str = "text_embedding_3_small"
    vector_db: str = "milvus_vm"
    read_units_per_query: float = 0.25
    currency: str = "USD"
    scale_to_zero: bool = False

    def __post_init__(self) -> None:
        if self.serving not in ("api", "self_hosted"):
            raise ValueError(f"serving must be 'api' or 'self_hosted', got {self.serving!r}")
        if not isinstance(self.scale_to_zero, bool):
            raise ValueError(f"scale_to_zero must be True or False, got {self.scale_to_zero!r}")

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


def api_tokens_per_measured_token(inputs: Mapping[str, float], measured_ratio: str) -> float:
    """Lab 10: API tokens per token the benchmark counted, converted through characters.

    ``inputs[measured_ratio]`` (``generator_chars_per_token`` or ``embedder_chars_per_token``) is
    the measured model's characters per token, ``inputs["api_chars_per_token"]`` the API
    tokenizer's; their ratio turns a measured count into the API's. Without a measured ratio the
    counts are taken as they are (ratio 1.0).
    """
    api = inputs["api_chars_per_token"]
    if not api > 0:
        raise ValueError(f"api_chars_per_token must be > 0, got {api!r}")
    measured = inputs.get(measured_ratio, api)
    if not measured > 0:
        raise ValueError(f"{measured_ratio} must be > 0, got {measured!r}")
    return measured / api


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

    ``measured`` comes from :func:`measured_inputs` (with ``generator_chars_per_token`` and
    ``embedder_chars_per_token`` to convert token counts for API prices); ``assumptions``
    override the base values of :data:`ASSUMPTIONS` by name.
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
        missing = [name for name in _RATIOS if name not in self.measured]
        if missing:
            warnings.warn(
                f"measured inputs lack {', '.join(missing)}: token counts are priced as if the API "
                "tokenizer counted like the measured model's (pass them to measured_inputs)",
                stacklevel=3,
            )

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
        self_hosted = setup.serving == "self_hosted"
        speedup = v["gpu_speedup"]
        # API tokens per measured token; a self-hosted generator is billed by time, on its own tokens.
        to_api = 1.0 if self_hosted else api_tokens_per_measured_token(v, "generator_chars_per_token")
        embed_to_api = api_tokens_per_measured_token(v, "embedder_chars_per_token")
        retrieval = RetrievalSpec(
            setup.embedding,
            setup.vector_db,
            setup.read_units_per_query,
            v["corpus_tokens"] * embed_to_api,
            v["rag_setup_hours"],
        )
        reindex = {
            "re-indexing (changed documents)": v["corpus_tokens"] * embed_to_api * embed / MILLION / cadence
        }
        evaluation = {"evaluation": v["evaluation_hours"] * rate}

        def usage(key: str, retrieves: bool) -> TokenUsage:
            query = v["query_tokens"] * embed_to_api if retrieves else 0.0
            return TokenUsage(
                v[f"{key}.prompt_tokens"] * to_api, v[f"{key}.completion_tokens"] * to_api, query
            )

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
                peak_to_average=v["peak_to_average"],
                scale_to_zero=setup.scale_to_zero,
                api_model=setup.fine_tuned_llm,
                training_tokens=v[f"{key}.train_tokens"] * v["data_scale"] * to_api,
                retrain_every_months=cadence,
                refresh_hours=v["refresh_hours"],
            )

        names = {a.key: a.name for a in APPROACHES}
        rag_usage = usage("rag", True)
        rag = rag_approach(
            rag_usage, pricing, llm=setup.llm, retrieval=retrieval, currency=setup.currency, name=names["rag"]
        )
        if self_hosted:
            serving = self_hosted_serving(
                rag_usage,
                pricing,
                setup.gpu,
                v["rag.tokens_per_second"] * speedup,
                utilisation=v["utilisation"],
                peak_to_average=v["peak_to_average"],
                scale_to_zero=setup.scale_to_zero,
                currency=setup.currency,
            )
            rag = dataclasses.replace(_extend(rag, drop=("generation (model API)",)), serving=(serving,))
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
        unused = _SELF_HOSTED_ONLY if model.setup.serving == "api" else frozenset()
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
