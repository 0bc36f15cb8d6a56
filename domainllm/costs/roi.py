"""From measured benchmark results and the price table to costed approaches.

Lab 9 measures, for each system, the mean prompt and completion tokens per answer, the
seconds per answer and the time and tokens of each training run. This module turns those
measurements into :class:`domainllm.costs.model.Approach` objects for the three choices a team
actually makes:

========================  =====================  ==========================  =================
approach                  measured system        training run                retrieval
========================  =====================  ==========================  =================
``RAG``                   ``advanced_rag``       none                        yes
``Fine-tuned``            ``sft_closed_book``    ``sft_closed_book``         no
``RAG + fine-tuned``      ``raft_rag``           ``raft``                    yes
========================  =====================  ==========================  =================

Everything the benchmark cannot measure is an explicit, named assumption
(:data:`ASSUMPTIONS`), each with a plausible range for the sensitivity analysis. All inputs
live in one flat mapping of numbers (:meth:`RoiModel.inputs`): measured values
(``rag.prompt_tokens``), assumptions (``data_prep_hours``) and prices under their key in
``data/pricing.yml`` (``llm_api.gpt_4o_mini.input``). Sliders and the tornado chart override
entries of that mapping; :meth:`RoiModel.approaches` rebuilds the approaches from it.

Conversions (stated once, here):

* Per-query tokens are the means over the test splits, weighted by their sizes.
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
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from domainllm.config import Settings
from domainllm.costs.model import (
    Approach,
    FineTuneSpec,
    RetrievalSpec,
    TokenUsage,
    break_even_volume,
    combined_approach,
    fine_tuned_approach,
    monthly_cost,
    rag_approach,
    self_hosted_query_cost,
    total_cost,
)
from domainllm.costs.pricing import Pricing

__all__ = [
    "APPROACHES",
    "ASSUMPTIONS",
    "TEST_SPLITS",
    "ApproachSpec",
    "Assumption",
    "CostSetup",
    "RoiModel",
    "break_even_rows",
    "embedding_token_counts",
    "format_volume",
    "measured_inputs",
    "uncertainty_ranges",
]

TEST_SPLITS = ("test_paraphrase", "test_fresh", "test_multidoc")
_MTOK = 1_000_000.0


@dataclass(frozen=True)
class ApproachSpec:
    """One approach a team chooses, and the benchmark system and training run that measure it."""

    key: str
    name: str
    system: str
    retrieval: bool
    fine_tuned: bool
    training_run: str | None = None


APPROACHES: tuple[ApproachSpec, ...] = (
    ApproachSpec("rag", "RAG", "advanced_rag", retrieval=True, fine_tuned=False),
    ApproachSpec("fine_tuned", "Fine-tuned", "sft_closed_book", False, True, "sft_closed_book"),
    ApproachSpec("combined", "RAG + fine-tuned", "raft_rag", True, True, "raft"),
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
        "utilisation": Assumption(0.5, 0.1, 1.0, "self-hosted only: share of paid GPU time spent answering"),
    }
)


# --------------------------------------------------------------------------- measurements


def _system(results: Mapping[str, Any], spec: ApproachSpec) -> Mapping[str, Any]:
    """The measured results of ``spec.system``, after checking the system is what the spec says."""
    systems = results.get("systems", {})
    if spec.system not in systems or spec.system not in results.get("results", {}):
        raise ValueError(
            f"benchmark results have no system {spec.system!r} (have: {', '.join(systems) or 'none'})"
        )
    described = systems[spec.system]
    for flag in ("retrieval", "fine_tuned"):
        if bool(described.get(flag)) != getattr(spec, flag):
            raise ValueError(
                f"system {spec.system!r} has {flag}={described.get(flag)!r}, but approach "
                f"{spec.name!r} needs {flag}={getattr(spec, flag)}: the labels do not match the systems"
            )
    return results["results"][spec.system]


def _usage(measured: Mapping[str, Any], system: str, splits: Sequence[str]) -> tuple[float, float, float]:
    """Prompt tokens, completion tokens and (prompt + completion) tokens per second, weighted by n."""
    present = [measured[s] for s in splits if s in measured and measured[s].get("n", 0) > 0]
    if not present:
        raise ValueError(f"system {system!r} has no results on any of the splits {', '.join(splits)}")
    n = sum(r["n"] for r in present)
    prompt = sum(r["n"] * r["prompt_tokens"] for r in present) / n
    completion = sum(r["n"] * r["completion_tokens"] for r in present) / n
    seconds = sum(r["n"] * r["seconds_per_answer"] for r in present) / n
    if not seconds > 0:
        raise ValueError(f"system {system!r}: seconds_per_answer must be > 0 to derive a throughput")
    return prompt, completion, (prompt + completion) / seconds


def measured_inputs(
    results: Mapping[str, Any],
    *,
    query_tokens: float,
    corpus_tokens: float,
    splits: Sequence[str] = TEST_SPLITS,
) -> dict[str, float]:
    """The cost model's measured inputs, from a benchmark results dict (lab 9's schema).

    Per approach ``key`` (``rag``, ``fine_tuned``, ``combined``): ``key.prompt_tokens``,
    ``key.completion_tokens`` and ``key.tokens_per_second`` (weighted means over ``splits``);
    per fine-tuned approach also ``key.train_tokens`` and ``key.train_seconds`` from its
    training run. ``query_tokens`` (tokens embedded per question) and ``corpus_tokens`` (tokens
    embedded to index the corpus) are measured by the caller with the embedder's tokenizer.
    """
    values: dict[str, float] = {"query_tokens": float(query_tokens), "corpus_tokens": float(corpus_tokens)}
    for spec in APPROACHES:
        prompt, completion, speed = _usage(_system(results, spec), spec.system, splits)
        values |= {
            f"{spec.key}.prompt_tokens": prompt,
            f"{spec.key}.completion_tokens": completion,
            f"{spec.key}.tokens_per_second": speed,
        }
        if spec.training_run is not None:
            run = results.get("training", {}).get(spec.training_run)
            if run is None:
                raise ValueError(f"benchmark results have no training run {spec.training_run!r}")
            values[f"{spec.key}.train_tokens"] = float(run["train_tokens"])
            values[f"{spec.key}.train_seconds"] = float(run["seconds"])
    for name, value in values.items():
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"measured {name} must be a finite number >= 0, got {value!r}")
    return values


def embedding_token_counts(texts: Sequence[str], settings: Settings | None = None) -> list[int]:
    """Tokens per text as the embedding model counts them (its own tokenizer, no truncation).

    Used for ``query_tokens`` and ``corpus_tokens``. A hosted embedding API uses its own
    tokenizer, so its counts differ somewhat; the cost of embedding is small either way.
    """
    from transformers import AutoTokenizer

    from domainllm.runtime.models import embedder_source

    tokenizer = AutoTokenizer.from_pretrained(embedder_source(settings))
    encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False, padding=False, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]


# --------------------------------------------------------------------------- the model


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
        reindex = {"re-indexing (changed documents)": v["corpus_tokens"] * embed / _MTOK / cadence}
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
    """Low and high value of each uncertain input, for :func:`domainllm.costs.model.sensitivity`.

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


# --------------------------------------------------------------------------- break-even tables


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
