"""Costed approaches from measured results, break-even tables, the decision guide and the calculator.

The results dicts here are made by hand in the schema of lab 9's benchmark, so every cost and
verdict can be checked with pencil and paper.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from domainllm.costs.benchmark_inputs import APPROACHES, measured_inputs  # noqa: E402
from domainllm.costs.break_even_tables import break_even_rows, format_volume  # noqa: E402
from domainllm.costs.decision_guide import (  # noqa: E402
    COST_ONLY,
    MOST_ACCURATE,
    Freshness,
    cheapest_by_volume,
    decision_guide,
    guide_summary,
    quality,
)
from domainllm.costs.model import (  # noqa: E402
    Approach,
    break_even_volume,
    cheapest,
    cumulative_cost,
    monthly_cost,
    total_cost,
)
from domainllm.costs.pricing import Pricing, PricingError, load_pricing  # noqa: E402
from domainllm.costs.roi import ASSUMPTIONS, CostSetup, RoiModel, uncertainty_ranges  # noqa: E402
from domainllm.costs.roi_calculator import CADENCES, RoiCalculator  # noqa: E402
from tests.costs.price_table import PRICES

SETUP = CostSetup(llm="base", fine_tuned_llm="tuned", gpu="small", embedding="emb", vector_db="vm")
SPLITS = ("train", "test_paraphrase", "test_fresh", "test_multidoc")
LABELS = {
    "closed_book": ("Base model, closed-book", False, False),
    "naive_rag": ("Naive RAG", True, False),
    "compressed_rag": ("Advanced RAG (compressed)", True, False),
    "sft_closed_book": ("Fine-tuned (SFT), closed-book", False, True),
    "raft_rag": ("RAG + retrieval-aware SFT", True, True),
    "raft_dpo_rag": ("RAG + SFT + DPO", True, True),
}
# prompt tokens, completion tokens, seconds per answer: the same on every split unless overridden
USAGE = {
    "closed_book": (100, 20, 0.5),
    "naive_rag": (1500, 20, 3.0),
    "compressed_rag": (1000, 20, 2.0),
    "sft_closed_book": (100, 20, 0.5),
    "raft_rag": (1000, 20, 2.0),
    "raft_dpo_rag": (1000, 20, 2.0),
}


def _metric(mean: float, half: float = 0.05, n: int = 40) -> dict[str, float]:
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": n}


def make_results(f1: dict[tuple[str, str], tuple[float, float]] | None = None) -> dict[str, Any]:
    """A results dict in lab 9's schema; ``f1[(system, split)] = (mean, half-width)``."""
    f1 = f1 or {}
    results: dict[str, Any] = {}
    for system, (prompt, completion, seconds) in USAGE.items():
        results[system] = {}
        for split in SPLITS:
            default = (
                (0.05, 0.05) if system == "closed_book" else (0.3, 0.05)
            )  # the base model: the guide's baseline
            mean, half = f1.get((system, split), default)
            right = round(mean * 40)
            results[system][split] = {
                "n": 40,
                "metrics": {"accuracy": _metric(mean, half), "exact_match": _metric(mean / 2)},
                # the base model's right answers come first, so others are paired against them
                "per_question": {"accuracy": [1.0] * right + [0.0] * (40 - right)},
                "prompt_tokens": float(prompt),
                "completion_tokens": float(completion),
                "seconds_per_answer": seconds,
            }
    return {
        "config": {"scale": 1.0, "seed": 0},
        "systems": {
            k: {"label": lab, "retrieval": r, "fine_tuned": ft} for k, (lab, r, ft) in LABELS.items()
        },
        "results": results,
        "training": {
            "sft_closed_book": {"seconds": 720.0, "train_tokens": 100_000, "examples": 200, "steps": 50},
            "raft": {"seconds": 1800.0, "train_tokens": 300_000, "examples": 200, "steps": 50},
            "dpo": {"seconds": 300.0, "train_tokens": 40_000, "examples": 32, "steps": 8},
        },
    }


@pytest.fixture
def pricing(tmp_path: Path) -> Pricing:
    path = tmp_path / "pricing.yml"
    path.write_text(PRICES, encoding="utf-8")
    return load_pricing(path)


# Characters per token equal to the assumed API tokenizer's (4.0): counts convert one to one,
# so the costs below can be checked with the measured counts as they are.
RATIOS = {"generator_chars_per_token": 4.0, "embedder_chars_per_token": 4.0}


def make_measured(results: dict[str, Any] | None = None) -> dict[str, float]:
    """Measured inputs of ``results`` (default: :func:`make_results`), with the tokenizers' ratios."""
    return measured_inputs(results or make_results(), query_tokens=20, corpus_tokens=1e6, **RATIOS)


@pytest.fixture
def model(pricing: Pricing) -> RoiModel:
    return RoiModel(pricing, make_measured(), SETUP)


# --------------------------------------------------------------------------- measured inputs


def test_measured_inputs_are_weighted_means_over_the_test_splits() -> None:
    results = make_results()
    results["results"]["compressed_rag"]["test_paraphrase"] |= {"n": 10, "prompt_tokens": 400.0}
    results["results"]["compressed_rag"]["test_fresh"] |= {"n": 30, "prompt_tokens": 800.0}
    results["results"]["compressed_rag"]["train"]["prompt_tokens"] = 9999.0  # never used for costs
    measured = measured_inputs(results, query_tokens=20, corpus_tokens=1e6)
    # (10 x 400 + 30 x 800 + 40 x 1000) / 80 = 68,000 / 80 = 850.
    assert measured["rag.prompt_tokens"] == pytest.approx(850)
    # Throughput = tokens / seconds over the same answers: (850 + 20) / 2.0 = 435 tokens/s.
    assert measured["rag.tokens_per_second"] == pytest.approx(435)
    assert measured["fine_tuned.train_tokens"] == 100_000 and measured["combined.train_seconds"] == 1800
    assert "rag.train_tokens" not in measured  # RAG has no training run
    assert {a.system for a in APPROACHES} == {"compressed_rag", "sft_closed_book", "raft_rag"}


def test_swapped_labels_are_caught() -> None:
    # The original lab's radar chart swapped the RAG and fine-tuned labels; here the flags in
    # the results must agree with what each approach claims to be.
    results = make_results()
    systems = results["systems"]
    systems["compressed_rag"], systems["sft_closed_book"] = (
        systems["sft_closed_book"],
        systems["compressed_rag"],
    )
    with pytest.raises(ValueError, match="labels do not match"):
        measured_inputs(results, query_tokens=20, corpus_tokens=0)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda r: r["systems"].pop("raft_rag"), "no system 'raft_rag'"),
        (lambda r: r["training"].pop("raft"), "no training run 'raft'"),
        (lambda r: [r["results"]["sft_closed_book"].pop(s) for s in SPLITS[1:]], "no results on any"),
        (lambda r: r["results"]["compressed_rag"]["test_fresh"].update(seconds_per_answer=-50.0), "> 0"),
        (lambda r: r["results"]["compressed_rag"]["test_fresh"].update(prompt_tokens=-1e6), ">= 0"),
    ],
)
def test_bad_results_are_rejected(damage, message: str) -> None:
    results = make_results()
    damage(results)
    with pytest.raises(ValueError, match=message):
        measured_inputs(results, query_tokens=20, corpus_tokens=0)


# --------------------------------------------------------------------------- approaches by hand


def test_api_approaches_by_hand(model: RoiModel) -> None:
    rag, fine_tuned, combined = model.approaches().values()
    # RAG one-off: indexing 1e6 x 0.02 / 1e6 = 0.02; setup 24 h and evaluation 16 h at 100/h.
    assert rag.one_off_total == pytest.approx(0.02 + 2400 + 1600)
    # Per query: (1000 x 0.15 + 20 x 0.60) / 1e6 = 1.62e-4, plus 20 query tokens x 0.02 / 1e6.
    assert rag.per_query_total == pytest.approx(1.62e-4 + 4e-7)
    # Fixed: the vector DB VM 0.1 x 730 h, and re-embedding the corpus every 3 months.
    assert rag.fixed_monthly_total == pytest.approx(73 + 0.02 / 3)
    assert rag.retrain_every_months is None
    # Fine-tuned: prep 40 h + evaluation 16 h, training 100,000 tokens x 3.0 / 1e6 = 0.30.
    assert fine_tuned.one_off["fine-tuning (API training tokens)"] == pytest.approx(0.30)
    assert fine_tuned.one_off_total == pytest.approx(4000 + 0.30 + 1600)
    assert fine_tuned.per_query_total == pytest.approx((100 * 0.30 + 20 * 1.20) / 1e6)
    # A refresh is a training run plus 8 refresh hours, every 3 months.
    assert fine_tuned.retrain_cost == pytest.approx(0.30 + 800) and fine_tuned.retrain_every_months == 3
    # Combined: retrieval and fine-tuning, RAG-length prompts at the fine-tuned model's prices.
    assert combined.one_off_total == pytest.approx(4000 + 0.90 + 1600 + 0.02 + 2400)
    assert combined.per_query_total == pytest.approx((1000 * 0.30 + 20 * 1.20) / 1e6 + 4e-7)
    assert combined.retrain_cost == pytest.approx(0.90 + 800)


def test_self_hosted_conversion_by_hand(pricing: Pricing, model: RoiModel) -> None:
    hosted = RoiModel(pricing, model.measured, dataclasses.replace(SETUP, serving="self_hosted"))
    rag, fine_tuned, _ = hosted.approaches().values()
    # Training: 720 CPU seconds / speed-up 20 = 36 GPU seconds = 0.01 h at 1.0/h.
    assert fine_tuned.one_off["fine-tuning (GPU hours)"] == pytest.approx(0.01)
    # Serving: 120 tokens at 240 x 20 = 4,800 tokens/s per replica, half of it usable at the peak:
    # 20 queries/s; at 3x the average rate a replica serves 20 x 3600 x 730 / 3 = 17.52M a month.
    (serving,) = fine_tuned.serving
    assert serving.queries_per_replica == pytest.approx(17_520_000)
    assert fine_tuned.per_query_total == 0
    assert monthly_cost(fine_tuned, 1_000) == pytest.approx(730)  # one replica, however few queries
    assert monthly_cost(fine_tuned, 17_520_000 * 1.5) == pytest.approx(2 * 730)
    # RAG: 1,020 tokens at 510 x 20 tokens/s: 5 queries/s usable, 4.38M a month per replica; its
    # only per-query item is the query embedding.
    assert "generation (model API)" not in rag.per_query
    assert rag.serving[0].queries_per_replica == pytest.approx(4_380_000)
    assert rag.per_query_total == pytest.approx(4e-7)
    # More training data scales the training bill linearly.
    scaled = hosted.approaches({"data_scale": 50.0})["fine_tuned"]
    assert scaled.one_off["fine-tuning (GPU hours)"] == pytest.approx(0.5)
    # The load assumptions move the replicas: a flatter peak or a busier replica halves them.
    flat = hosted.approaches({"peak_to_average": 1.5})["fine_tuned"].serving[0]
    assert flat.queries_per_replica == pytest.approx(2 * 17_520_000)
    busy = hosted.approaches({"utilisation": 1.0})["fine_tuned"].serving[0]
    assert busy.queries_per_replica == pytest.approx(2 * 17_520_000)
    # Scaled to zero: only the GPU time, 120 / 4,800 / 0.5 = 0.05 s a query at 1.0/h.
    elastic = RoiModel(
        pricing, model.measured, dataclasses.replace(SETUP, serving="self_hosted", scale_to_zero=True)
    )
    tuned = elastic.approaches()["fine_tuned"]
    assert monthly_cost(tuned, 1_000) == pytest.approx(1_000 * 0.05 / 3600)


def test_overrides_and_unknown_names(pricing: Pricing, model: RoiModel) -> None:
    base = model.approaches()["rag"].per_query_total
    longer = model.approaches({"rag.prompt_tokens": 2000.0})["rag"].per_query_total
    assert longer - base == pytest.approx(1000 * 0.15 / 1e6)  # measured tokens drive the cost
    cheaper = model.approaches({"llm_api.base.input": 0.0})["rag"].per_query_total
    assert cheaper == pytest.approx(20 * 0.60 / 1e6 + 4e-7)
    assert model.pricing.value("llm_api.base.input") == 0.15  # the loaded table is untouched
    monthly = model.approaches({"retrain_every_months": 1.0})["fine_tuned"]
    assert monthly.retrain_every_months == 1
    with pytest.raises(ValueError, match="unknown input"):
        model.approaches({"llm_api.base.inptu": 1.0})
    with pytest.raises(ValueError, match="unknown assumption"):
        RoiModel(pricing, model.measured, SETUP, {"data_prep_days": 3.0})
    with pytest.raises(PricingError, match="llm_api.gpt_4o_mini.input"):
        RoiModel(pricing, model.measured).approaches()  # the default setup names prices this file lacks


def test_assumptions_and_uncertainty_ranges(model: RoiModel) -> None:
    rows = model.assumption_rows()
    assert [r["assumption"] for r in rows] == list(ASSUMPTIONS)
    assert all(r["low"] <= r["value"] <= r["high"] and r["meaning"] for r in rows)
    ranges = uncertainty_ranges(model)
    assert ranges["llm_api.base.input"] == pytest.approx((0.075, 0.30))
    assert ranges["data_prep_hours"] == (
        ASSUMPTIONS["data_prep_hours"].low,
        ASSUMPTIONS["data_prep_hours"].high,
    )
    assert ranges["rag.prompt_tokens"] == pytest.approx((500, 2000))
    # API serving does not use the self-hosted assumptions; it does convert token counts.
    assert not {"gpu_speedup", "utilisation", "peak_to_average"} & set(ranges)
    assert ranges["api_chars_per_token"] == (3.0, 5.0)
    assert "query_tokens" not in ranges
    hosted = RoiModel(model.pricing, model.measured, dataclasses.replace(SETUP, serving="self_hosted"))
    hosted_ranges = uncertainty_ranges(hosted)
    assert hosted_ranges["utilisation"] == (ASSUMPTIONS["utilisation"].low, ASSUMPTIONS["utilisation"].high)
    assert hosted_ranges["peak_to_average"] == (1.5, 8)
    for hours in ("rag_setup_hours", "data_prep_hours", "evaluation_hours", "refresh_hours"):
        assert ranges[hours] == hosted_ranges[hours] == (ASSUMPTIONS[hours].low, ASSUMPTIONS[hours].high)
    with pytest.raises(ValueError, match="unknown input"):
        uncertainty_ranges(model, ["nope"])


def test_committed_pricing_covers_both_default_setups() -> None:
    pricing = load_pricing()
    for serving in ("api", "self_hosted"):
        approaches = RoiModel(pricing, make_measured(), CostSetup(serving=serving)).approaches()
        assert all(a.currency == "USD" for a in approaches.values())
        assert all(monthly_cost(a, 1e9) > monthly_cost(a, 0) for a in approaches.values())
        assert all(bool(a.serving) == (serving == "self_hosted") for a in approaches.values())


# --------------------------------------------------------------------------- break-even volumes


def test_break_even_rows_by_hand() -> None:
    a = Approach("A", one_off={"x": 1000}, per_query={"q": 0.01})
    b = Approach("B", one_off={"x": 5000}, per_query={"q": 0.002})
    c = Approach("C", one_off={"x": 9000}, per_query={"q": 0.02})  # dearer than A at every volume
    rows = {(r["pair"], r["horizon"]): r for r in break_even_rows([a, b, c], horizons=(12, None))}
    # 12 months: (5000 - 1000) / (12 x 0.008) = 41,666.7 queries/month.
    ab = rows[("A vs B", "12 months")]
    assert ab["break_even_queries_per_month"] == pytest.approx(4000 / 0.096)
    assert (ab["cheaper_below"], ab["cheaper_above"]) == ("A", "B")
    # Steady state ignores one-off costs: both cost nothing at zero volume, and B less above it.
    steady = rows[("A vs B", "steady state")]
    assert steady["break_even_queries_per_month"] == 0.0
    assert (steady["cheaper_below"], steady["cheaper_above"]) == ("n/a", "B")
    ac = rows[("A vs C", "12 months")]
    assert ac["break_even_queries_per_month"] is None and ac["cheaper_below"] == ac["cheaper_above"] == "A"


def _crossing_on_curves(a: Approach, b: Approach, months: int, top: float = 1e12) -> float | None:
    """Where the cumulative cost curves at month ``months`` cross, found numerically (bisection)."""

    def gap(volume: float) -> float:
        return total_cost(a, volume, months) - total_cost(b, volume, months)

    low, high = 0.0, top
    if gap(low) == 0:
        return 0.0
    if gap(low) * gap(high) > 0:
        return None
    for _ in range(200):
        middle = (low + high) / 2
        if gap(low) * gap(middle) <= 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def test_property_break_even_is_where_the_cumulative_curves_cross(pricing: Pricing, model: RoiModel) -> None:
    rng = np.random.default_rng(2024)
    found = 0
    for trial in range(60):
        # API-hosted and scaled-to-zero costs are linear in volume (replicas: tests/costs/test_self_hosted.py).
        setup = dataclasses.replace(SETUP, serving="api" if trial % 2 else "self_hosted", scale_to_zero=True)
        sampled = RoiModel(pricing, model.measured, setup)
        overrides = {key: pricing.value(key) * 10 ** rng.uniform(-1, 1) for key in sampled.price_keys}
        overrides |= {
            f"{k}.prompt_tokens": float(rng.uniform(20, 3000)) for k in ("rag", "fine_tuned", "combined")
        }
        for name, a in ASSUMPTIONS.items():
            overrides[name] = float(rng.uniform(a.low, a.high))
        overrides["retrain_every_months"] = float(rng.choice([1, 3, 6, 12]))
        approaches = list(sampled.approaches(overrides).values())
        for i, a in enumerate(approaches):
            for b in approaches[i + 1 :]:
                for months in (12, 24):
                    volume = break_even_volume(a, b, months)
                    numeric = _crossing_on_curves(a, b, months)
                    if volume is None:
                        assert numeric is None
                        continue
                    found += 1
                    assert numeric == pytest.approx(volume, rel=1e-6, abs=1e-6)
                    # At that volume the cumulative cost curves meet at month `months` ...
                    curve_a, curve_b = cumulative_cost(a, volume, months), cumulative_cost(b, volume, months)
                    assert curve_a[-1] == pytest.approx(curve_b[-1], rel=1e-9)
                    # ... and a little more traffic reverses their order.
                    below = total_cost(a, volume * 0.9, months) - total_cost(b, volume * 0.9, months)
                    above = total_cost(a, volume * 1.1 + 1, months) - total_cost(b, volume * 1.1 + 1, months)
                    assert below * above < 0 or volume == 0
    assert found >= 50


# --------------------------------------------------------------------------- cheapest by volume


def test_cheapest_by_volume_covers_zero_to_infinity() -> None:
    a = Approach("A", one_off={"x": 1000}, per_query={"q": 0.01})
    b = Approach("B", one_off={"x": 5000}, per_query={"q": 0.002})
    c = Approach("C", one_off={"x": 20000}, per_query={"q": 0.0005})
    bands = cheapest_by_volume([a, b, c], months=12)
    assert bands[0][0] == 0 and bands[-1][1] == math.inf
    assert [band[2].name for band in bands] == ["A", "B", "C"]
    assert bands[0][1] == pytest.approx(break_even_volume(a, b, 12))
    assert bands[1][1] == pytest.approx(break_even_volume(b, c, 12))
    # Zero volume: the lowest volume-independent cost wins; huge volume: the lowest per-query cost.
    assert cheapest([a, b, c], 0, 12) is bands[0][2] is a
    assert cheapest([a, b, c], 1e15, 12) is bands[-1][2] is c
    # Adjacent bands never repeat a winner, and each band's winner is cheapest inside it.
    rng = np.random.default_rng(5)
    for low, high, winner in bands:
        assert all(
            cheapest([a, b, c], v, 12) is winner for v in rng.uniform(low, min(high, 10 * low + 1e6), 20)
        )
    assert cheapest_by_volume([a], 12) == [(0.0, math.inf, a)]
    with pytest.raises(ValueError, match="at least one"):
        cheapest_by_volume([], 12)


# --------------------------------------------------------------------------- the decision guide


def _guide(model: RoiModel, f1: dict[tuple[str, str], tuple[float, float]], **kwargs: Any):
    return decision_guide(make_results(f1), model, **kwargs)


def test_guide_picks_the_cheapest_approach_that_certainly_meets_the_target(model: RoiModel) -> None:
    f1 = {
        ("compressed_rag", "test_paraphrase"): (0.30, 0.05),  # [0.25, 0.35]
        ("sft_closed_book", "test_paraphrase"): (0.50, 0.05),  # [0.45, 0.55]
        ("raft_rag", "test_paraphrase"): (0.70, 0.05),  # [0.65, 0.75]
    }
    fresh = (Freshness("quarterly", 3, "test_paraphrase"),)
    rows = _guide(model, f1, freshness=fresh, targets=(0.3, 0.4, 0.6, 0.9))
    by_need: dict[str, list] = {}
    for row in rows:
        by_need.setdefault(row.need, []).append(row)
    # F1 >= 0.4: only the fine-tuned and combined approaches certainly reach it; the cheaper
    # of the two at every volume is the fine-tuned one (shorter prompts, lower one-off cost).
    assert [r.winner for r in by_need["accuracy >= 0.4"]] == ["Fine-tuned"]
    assert by_need["accuracy >= 0.4"][0].candidates == ("Fine-tuned", "RAG + fine-tuned")
    # F1 >= 0.3: RAG's interval [0.25, 0.35] straddles it, so RAG is undecided, not a candidate.
    row = by_need["accuracy >= 0.3"][0]
    assert "RAG" in row.undecided and "RAG" not in row.candidates
    assert "might miss the target" in row.reason  # RAG would be cheaper at low volume
    assert by_need["accuracy >= 0.6"][0].winner == "RAG + fine-tuned"
    none = by_need["accuracy >= 0.9"][0]
    assert none.winner is None and none.cheapest is None and "no approach reaches" in none.reason
    # Most accurate: the combined approach, and its interval overlaps no other.
    assert [r.winner for r in by_need[MOST_ACCURATE]] == ["RAG + fine-tuned"]
    # Cost only: RAG at low volume, the fine-tuned model above the break-even volume.
    cost_only = by_need[COST_ONLY]
    assert [r.winner for r in cost_only] == ["RAG", "Fine-tuned"]
    approaches = model.approaches({"retrain_every_months": 3.0})
    expected = break_even_volume(approaches["rag"], approaches["fine_tuned"], 12)
    assert cost_only[0].volume_to == pytest.approx(expected) == cost_only[1].volume_from


def test_overlapping_intervals_are_not_distinguishable(model: RoiModel) -> None:
    f1 = {
        ("compressed_rag", "test_paraphrase"): (0.50, 0.10),  # [0.40, 0.60]
        ("sft_closed_book", "test_paraphrase"): (0.55, 0.10),  # [0.45, 0.65]
        ("raft_rag", "test_paraphrase"): (0.20, 0.05),  # [0.15, 0.25]
    }
    rows = _guide(model, f1, freshness=(Freshness("yearly", 12, "test_paraphrase"),), targets=(0.5,))
    best = [r for r in rows if r.need == MOST_ACCURATE]
    assert all(r.winner is None for r in best)
    assert "not distinguishable on accuracy: RAG, Fine-tuned" in best[0].reason
    assert {r.cheapest for r in best} <= {"RAG", "Fine-tuned"}
    # A target inside both intervals: nobody certainly meets it, and the guide says so.
    target = [r for r in rows if r.need == "accuracy >= 0.5"]
    assert all(r.winner is None for r in target)
    assert "not distinguishable from the target" in target[0].reason


def test_freshness_selects_the_split_and_the_retraining_cadence(model: RoiModel) -> None:
    f1 = {
        ("compressed_rag", "test_fresh"): (0.50, 0.05),
        ("sft_closed_book", "test_fresh"): (0.05, 0.05),  # cannot know documents added after training
        ("raft_rag", "test_fresh"): (0.55, 0.05),
        ("sft_closed_book", "test_paraphrase"): (0.50, 0.05),
    }
    fresh = Freshness("new documents", 1, "test_fresh")
    rows = _guide(model, f1, freshness=(fresh,), targets=(0.4,))
    target = [r for r in rows if r.need == "accuracy >= 0.4"]
    assert all("Fine-tuned" not in r.candidates for r in target)
    assert {r.retrain_every_months for r in rows} == {1} and {r.split for r in rows} == {"test_fresh"}
    # Retraining monthly costs the fine-tuned model more than retraining yearly.
    monthly = model.approaches({"retrain_every_months": 1.0})["fine_tuned"]
    yearly = model.approaches({"retrain_every_months": 12.0})["fine_tuned"]
    assert total_cost(monthly, 1000, 12) > total_cost(yearly, 1000, 12)
    with pytest.raises(ValueError, match="no per-question accuracy of 'closed_book' on 'test_nowhere'"):
        _guide(model, f1, freshness=(Freshness("x", 1, "test_nowhere"),))


def test_guide_summary_has_one_line_per_need(model: RoiModel) -> None:
    rows = decision_guide(make_results(), model, targets=(0.2, 0.5))
    table = guide_summary(rows)
    assert [line["accuracy need"] for line in table] == [
        COST_ONLY,
        "accuracy >= 0.2",
        "accuracy >= 0.5",
        MOST_ACCURATE,
    ]
    assert len(table[0]) == 1 + 4  # the need, then one column per default freshness need
    assert all(isinstance(text, str) and text for line in table for text in line.values())
    # Every system scores 0.3 +- 0.05 here: all tied on accuracy, none reaches 0.5.
    assert table[3]["documents change yearly"].startswith("not distinguishable")
    assert table[2]["documents change yearly"].startswith("no approach reaches")


def test_quality_reads_an_estimate() -> None:
    estimate = quality(make_results({("raft_rag", "test_fresh"): (0.4, 0.1)}), "raft_rag", "test_fresh")
    assert (estimate.mean, estimate.low, estimate.high, estimate.n) == pytest.approx((0.4, 0.3, 0.5, 40))


@pytest.mark.parametrize(
    ("volume", "text"),
    [
        (None, "none"),
        (math.inf, "infinite"),
        (math.nan, "none"),
        (0.0, "0"),
        (820.4, "820"),
        (35_100, "35.1k"),
        (1.234e6, "1.23M"),
    ],
)
def test_format_volume(volume: float | None, text: str) -> None:
    assert format_volume(volume) == text


# --------------------------------------------------------------------------- the calculator


def test_controls_start_at_the_model_values_and_are_clamped(model: RoiModel) -> None:
    calculator = RoiCalculator(model, queries_per_month=50_000, months=12)
    values = calculator.values()
    assert values["queries_per_month"] == pytest.approx(50_000)
    assert values["months"] == 12 and values["retrain_every_months"] == 3
    assert values["llm_api.base.input"] == 0.15 and values["people.ml_engineer.hourly"] == 100
    assert set(CADENCES) >= {("monthly", 1), ("yearly", 12)}
    # Whatever reaches the model is inside the controls' ranges: never negative, never past the end.
    clamped = calculator.clamped(
        {"queries_per_month": -5.0, "llm_api.base.input": -1.0, "data_prep_hours": 1e9, "months": 0.0}
    )
    assert clamped["queries_per_month"] == 10.0 and clamped["llm_api.base.input"] == 0.0
    assert clamped["data_prep_hours"] == calculator.bounds["data_prep_hours"][1]
    assert clamped["months"] == 12.0
    approaches = calculator.approaches(clamped)
    assert all(a.one_off_total >= 0 and a.per_query_total >= 0 for a in approaches)


def test_figure_marks_the_break_even_volumes(model: RoiModel) -> None:
    calculator = RoiCalculator(model, queries_per_month=10_000, months=24)
    rag, fine_tuned, _ = calculator.approaches()
    figure = calculator.figure()
    cumulative, volume = figure.axes
    assert len(cumulative.get_lines()) == 3
    assert len(volume.collections) >= 1  # at least the RAG = fine-tuned marker
    crossing = break_even_volume(rag, fine_tuned, 24)
    assert crossing is not None and volume.get_xlim()[1] >= crossing
    html = calculator.summary()
    assert "RAG = Fine-tuned" in html and "cheapest is <b>" in html


def test_moving_a_control_redraws_and_clears_the_static_state(model: RoiModel, capsys) -> None:
    calculator = RoiCalculator(model, prices=["llm_api.base.input"], hours=())
    calculator.show()  # outside a kernel, display prints the objects' text
    assert len(calculator._static) == 2
    before = calculator.summary()
    calculator.controls["queries_per_month"].value = 1e8
    assert calculator._static == []  # the first image was blanked
    assert calculator.summary() != before
    assert "Image" in capsys.readouterr().out
    assert set(calculator.controls) == {
        "queries_per_month",
        "months",
        "retrain_every_months",
        "llm_api.base.input",
    }


def test_self_hosted_sliders_use_the_gpu_price(pricing: Pricing) -> None:
    setup = dataclasses.replace(SETUP, serving="self_hosted")
    calculator = RoiCalculator(RoiModel(pricing, make_measured(), setup))
    assert "gpu.small.hourly" in calculator.controls
    assert not any(key.startswith("llm_api.") for key in calculator.controls)


def test_an_approach_enters_the_guide_only_above_the_floor_and_better_than_the_base_model(
    model: RoiModel,
) -> None:
    from domainllm.costs.decision_guide import ACCURACY_FLOOR, left_out

    f1 = {
        ("sft_closed_book", "test_paraphrase"): (0.0, 0.05),  # the case: 0.00 accuracy
        ("raft_rag", "test_paraphrase"): (0.1, 0.05),  # better than the base model's 0.05? not by McNemar
    }
    results = make_results(f1)
    reasons = left_out(results, "test_paraphrase")
    assert set(reasons) == {"Fine-tuned", "RAG + fine-tuned"}
    assert f"below the floor of {ACCURACY_FLOOR:g}" in reasons["Fine-tuned"]
    rows = decision_guide(results, model, freshness=(Freshness("yearly", 12, "test_paraphrase"),))
    assert all(r.winner in (None, "RAG") and "Fine-tuned" not in r.candidates for r in rows)
    everyone_out = {
        (s, "test_paraphrase"): (0.05, 0.05) for s in ("compressed_rag", "sft_closed_book", "raft_rag")
    }
    rows = decision_guide(
        make_results(everyone_out), model, freshness=(Freshness("yearly", 12, "test_paraphrase"),)
    )
    assert all(r.winner is None and r.reason.startswith("no approach enters the guide") for r in rows)
