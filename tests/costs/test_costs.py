"""The cost model: hand-checked break-evens, edge cases, properties and input checks."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from domainllm.costs.cost_plots import cumulative_cost_plot, tornado_plot, volume_cost_plot  # noqa: E402
from domainllm.costs.model import (  # noqa: E402
    HOURS_PER_MONTH,
    Approach,
    always_on_monthly_cost,
    api_query_cost,
    break_even_month,
    break_even_volume,
    capacity_queries_per_month,
    cheapest,
    cost_per_1000_queries,
    cumulative_cost,
    monthly_cost,
    retrains_within,
    self_hosted_query_cost,
    total_cost,
)
from domainllm.costs.priced_approaches import (  # noqa: E402
    FineTuneSpec,
    RetrievalSpec,
    TokenUsage,
    combined_approach,
    fine_tuned_approach,
    rag_approach,
)
from domainllm.costs.pricing import Pricing, PricingError, load_pricing  # noqa: E402
from domainllm.costs.sensitivity import DEFAULT_BOUNDS, clamp_inputs, sensitivity  # noqa: E402
from tests.costs.price_table import PRICES

# A: cheap to start, dear per query (RAG-like). B: dear to start, cheap per query (fine-tuning-like).
A = Approach("A", one_off={"setup": 1000}, per_query={"gen": 0.01}, fixed_monthly={"db": 100})
B = Approach("B", one_off={"training": 5000}, per_query={"gen": 0.002})


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- hand-checked cases


def test_break_even_volume_by_hand() -> None:
    # Over 12 months: F_A = 1000 + 12 * 100 = 2200, F_B = 5000.
    # V = (5000 - 2200) / (12 * (0.01 - 0.002)) = 2800 / 0.096 = 29,166.67 queries/month.
    # Check: A = 2200 + 29166.67 * 12 * 0.01 = 5700; B = 5000 + 29166.67 * 12 * 0.002 = 5700.
    volume = break_even_volume(A, B, months=12)
    assert volume == pytest.approx(2800 / 0.096)
    assert total_cost(A, volume, 12) == pytest.approx(5700)
    assert total_cost(B, volume, 12) == pytest.approx(5700)
    assert break_even_volume(B, A, months=12) == pytest.approx(volume)  # symmetric


def test_break_even_volume_with_retraining_by_hand() -> None:
    # B retrained every 3 months for 600: refreshes at the start of months 4, 7, 10 -> 3 in a year.
    # F_B = 5000 + 3 * 600 = 6800; V = (6800 - 2200) / 0.096 = 47,916.67.
    b = Approach("B", {"training": 5000}, {"gen": 0.002}, {}, retrain_every_months=3, retrain_cost=600)
    assert retrains_within(b, 12) == 3
    assert break_even_volume(A, b, months=12) == pytest.approx(4600 / 0.096)
    # Steady state (the book's V*): F_A = 100, F_B = 0 + 600 / 3 = 200; V = 100 / 0.008 = 12,500.
    assert break_even_volume(A, b, months=None) == pytest.approx(12_500)


def test_retraining_cadence_convention() -> None:
    def every(months: int) -> Approach:
        return Approach("x", retrain_every_months=months, retrain_cost=1)

    # ceil(12 / R) - 1 refreshes in the first year: none at R = 12, eleven at R = 1.
    assert [retrains_within(every(r), 12) for r in (1, 3, 6, 12)] == [11, 3, 1, 0]
    assert retrains_within(every(12), 13) == 1
    assert retrains_within(every(3), 0) == 0


def test_break_even_month_by_hand() -> None:
    # At 10,000 queries/month: A runs 100 + 100 = 200/month from 1000; B runs 20/month from 5000.
    # t = (5000 - 1000) / (200 - 20) = 22.22 months.
    month = break_even_month(A, B, 10_000)
    assert month == pytest.approx(4000 / 180)
    assert total_cost(A, 10_000, month) == pytest.approx(total_cost(B, 10_000, month))
    # At 1,000 queries/month A runs 110 and B 2: they meet at 4000 / 108 = 37.04 months,
    # beyond a 36-month horizon.
    assert break_even_month(A, B, 1_000, horizon_months=36) is None
    assert break_even_month(A, B, 1_000) == pytest.approx(4000 / 108)


def test_break_even_month_after_a_refresh_by_hand() -> None:
    # A: 100/month, refreshed every 2 months for 100. B: 400 once. d(t) = A - B.
    # (0, 2]: d = -400 + 100 t, zero at t = 4, outside. After the refresh at 2: d(2+) = -100.
    # (2, 4]: d = -300 + 100 t, zero at t = 3. Check: A(3) = 300 + 100 = 400 = B(3).
    a = Approach("A", fixed_monthly={"run": 100}, retrain_every_months=2, retrain_cost=100)
    b = Approach("B", one_off={"once": 400})
    assert break_even_month(a, b, 0) == pytest.approx(3.0)


def test_break_even_month_at_a_refresh_jump() -> None:
    # A: 100/month from 0, refreshed every 3 months for 1000; B: 100/month from 500.
    # d = -500 until month 3; the refresh at 3 makes d = +500: A overtakes B at t = 3.
    a = Approach("A", fixed_monthly={"run": 100}, retrain_every_months=3, retrain_cost=1000)
    b = Approach("B", one_off={"once": 500}, fixed_monthly={"run": 100})
    assert break_even_month(a, b, 0) == 3.0
    assert break_even_month(a, a, 0) == 0.0  # equal one-off: the curves start level


def test_api_and_self_hosted_query_cost_by_hand() -> None:
    # (1000 x 0.15 + 100 x 0.60) / 1e6 = 210 / 1e6.
    assert api_query_cost(1000, 100, 0.15, 0.60) == pytest.approx(2.1e-4)
    # 1000 tokens at 500 tokens/s = 2 s of GPU; at 50% utilisation 4 s; 3.60/h = 0.001/s -> 0.004.
    assert self_hosted_query_cost(1000, 500, 3.60, 0.5) == pytest.approx(0.004)
    assert always_on_monthly_cost(1.0, replicas=2) == pytest.approx(2 * 730)
    assert HOURS_PER_MONTH == 730
    # 100 tokens/s x 3600 s x 730 h / 1000 tokens per query = 262,800 queries.
    assert capacity_queries_per_month(1000, 100) == pytest.approx(262_800)


# --------------------------------------------------------------------------- edge cases


def test_zero_volume_costs_only_fixed_and_one_off() -> None:
    b = Approach("B", {"t": 5000}, {"q": 0.002}, {"host": 30}, retrain_every_months=6, retrain_cost=700)
    assert total_cost(b, 0, 12) == pytest.approx(5000 + 12 * 30 + 1 * 700)
    assert monthly_cost(b, 0) == 30
    assert monthly_cost(b, 0, include_retraining=True) == pytest.approx(30 + 700 / 6)
    curve = cumulative_cost(b, 0, 12)
    assert len(curve) == 13 and curve[0] == 5000 and curve[12] == pytest.approx(total_cost(b, 0, 12))
    assert cost_per_1000_queries(b, 0) == math.inf
    assert cost_per_1000_queries(Approach("free"), 0) == 0.0


def test_large_volume_ratio_tends_to_per_query_ratio() -> None:
    ratio = cost_per_1000_queries(A, 1e15) / cost_per_1000_queries(B, 1e15)
    assert ratio == pytest.approx(0.01 / 0.002, rel=1e-6)
    assert cost_per_1000_queries(A, 1e15, marginal=True) == pytest.approx(10.0)


def test_break_even_edge_cases() -> None:
    same_rate = Approach("C", one_off={"x": 9000}, per_query={"gen": 0.01})
    assert break_even_volume(A, same_rate) is None  # parallel lines
    assert break_even_volume(A, A) is None  # identical lines
    dominated = Approach("D", one_off={"x": 9000}, per_query={"gen": 0.02}, fixed_monthly={"db": 100})
    assert break_even_volume(A, dominated) is None  # crossing at a negative volume
    level = Approach("E", one_off={"x": 2200}, per_query={"gen": 0.005})  # same 12-month fixed part
    assert break_even_volume(A, level) == 0.0
    # Per-query costs 1e-300 apart: V = 1e10 / (12 x 1e-300) overflows a float (documented).
    tiny = Approach("F", per_query={"gen": 1e-300})
    assert break_even_volume(tiny, Approach("G", one_off={"x": 1e10})) == math.inf


def test_cheapest_follows_the_numbers() -> None:
    assert cheapest([A, B], 1_000, 12) is A
    assert cheapest([A, B], 100_000, 12) is B


# --------------------------------------------------------------------------- properties


def _random_approach(rng: np.random.Generator, name: str) -> Approach:
    cadence = rng.choice([0, 1, 3, 6, 12])
    return Approach(
        name,
        one_off={"one": rng.uniform(0, 1e5)},
        per_query={"q": 10 ** rng.uniform(-6, -1)},
        fixed_monthly={"fixed": rng.uniform(0, 1e3)},
        retrain_every_months=None if cadence == 0 else int(cadence),
        retrain_cost=rng.uniform(0, 1e4),
    )


def test_property_break_even_volume_equalises_totals_and_swaps_order() -> None:
    rng = np.random.default_rng(20240825)
    found = 0
    for _ in range(200):
        a, b = _random_approach(rng, "a"), _random_approach(rng, "b")
        months = int(rng.choice([1, 6, 12, 24, 36]))
        volume = break_even_volume(a, b, months)
        if volume is None:
            # No break-even at any volume >= 0: the same approach is cheaper at 0 and at 1e12.
            low = total_cost(a, 0, months) - total_cost(b, 0, months)
            high = total_cost(a, 1e12, months) - total_cost(b, 1e12, months)
            assert low * high >= 0
            continue
        found += 1
        at_a, at_b = total_cost(a, volume, months), total_cost(b, volume, months)
        assert at_a == pytest.approx(at_b, rel=1e-6)
        below = total_cost(a, volume * 0.99, months) - total_cost(b, volume * 0.99, months)
        above = total_cost(a, volume * 1.01 + 1, months) - total_cost(b, volume * 1.01 + 1, months)
        assert above * below < 0 or (volume == 0 and above != 0)
    assert found >= 50  # enough crossings for the property to mean something


def test_property_break_even_month_meets_on_the_curves() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        a, b = _random_approach(rng, "a"), _random_approach(rng, "b")
        volume = 10 ** rng.uniform(2, 7)
        month = break_even_month(a, b, volume, horizon_months=60)
        if month is None or month == 0:
            continue
        before = total_cost(a, volume, month * (1 - 1e-9)) - total_cost(b, volume, month * (1 - 1e-9))
        after = total_cost(a, volume, month + 1e-6) - total_cost(b, volume, month + 1e-6)
        start = a.one_off_total - b.one_off_total
        # The order at the start holds until the break-even month and flips (or ties) just after.
        assert before * start >= -1e-6 * abs(start)
        assert after * start <= 1e-6 * abs(start)


def test_property_cost_never_decreases_with_volume_or_months() -> None:
    rng = np.random.default_rng(11)
    for _ in range(50):
        a = _random_approach(rng, "a")
        volumes = np.sort(rng.uniform(0, 1e7, 20))
        assert np.all(np.diff([total_cost(a, v, 12) for v in volumes]) >= 0)
        assert np.all(np.diff(cumulative_cost(a, rng.uniform(0, 1e6), 36)) >= 0)
        months = np.sort(rng.uniform(0, 48, 30))
        assert np.all(np.diff([total_cost(a, 1e4, m) for m in months]) >= 0)


# --------------------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Approach("x", one_off={"setup": -1}), "one_off['setup']"),
        (lambda: Approach("x", per_query={"gen": -1e-3}), "per_query['gen']"),
        (lambda: Approach("x", fixed_monthly={"db": float("nan")}), "fixed_monthly['db']"),
        (lambda: Approach("x", retrain_cost=-5), "retrain_cost"),
        (lambda: Approach("x", retrain_every_months=0), "retrain_every_months"),
        (lambda: Approach("x", retrain_every_months=1.5), "retrain_every_months"),
        (lambda: total_cost(A, -1, 12), "queries_per_month"),
        (lambda: total_cost(A, 10, -1), "months"),
        (lambda: cumulative_cost(A, 10, -3), "months"),
        (lambda: break_even_volume(A, B, months=0), "months"),
        (lambda: break_even_month(A, B, -10), "queries_per_month"),
        (lambda: api_query_cost(-1, 10, 0.1, 0.1), "prompt_tokens"),
        (lambda: api_query_cost(1, 10, 0.1, -0.1), "price_out_per_mtok"),
        (lambda: self_hosted_query_cost(100, 0, 1.0), "tokens_per_second"),
        (lambda: self_hosted_query_cost(100, 10, 1.0, utilisation=1.5), "utilisation"),
        (lambda: self_hosted_query_cost(100, 10, -1.0), "gpu_hour_price"),
        (lambda: TokenUsage(-1, 10), "prompt_tokens"),
        (lambda: RetrievalSpec(corpus_tokens=-1), "corpus_tokens"),
        (lambda: FineTuneSpec(tokens_per_second=100, training_gpu_hours=-2), "training_gpu_hours"),
        (lambda: FineTuneSpec(tokens_per_second=0), "tokens_per_second"),
        (lambda: FineTuneSpec(serving="cloud"), "serving"),
        (lambda: FineTuneSpec(tokens_per_second=100, peak_to_average=0.5), "peak_to_average"),
        (lambda: FineTuneSpec(tokens_per_second=100, utilisation=0.0), "utilisation"),
        (lambda: FineTuneSpec(tokens_per_second=100, scale_to_zero=1), "scale_to_zero"),
    ],
)
def test_negative_or_invalid_inputs_are_rejected(build, field: str) -> None:
    with pytest.raises(ValueError) as caught:
        build()
    assert field in str(caught.value)


def test_clamp_inputs_keeps_sliders_in_range() -> None:
    raw = {"queries_per_month": -50, "utilisation": 0.0, "prompt_tokens": float("nan"), "price": -3.0}
    clamped = clamp_inputs({**raw, "months": 500})
    assert clamped == {
        "queries_per_month": 0.0,
        "utilisation": DEFAULT_BOUNDS["utilisation"][0],
        "prompt_tokens": 0.0,
        "price": 0.0,
        "months": 120.0,
    }
    assert clamp_inputs({"x": 5.0}, {"x": (1.0, 2.0)}) == {"x": 2.0}
    with pytest.raises(ValueError, match="bounds for x"):
        clamp_inputs({"x": 1.0}, {"x": (-1.0, 2.0)})
    with pytest.raises(ValueError, match="x must be a number"):
        clamp_inputs({"x": "ten"})


def test_clamped_random_sliders_never_give_negative_costs() -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        raw = {k: rng.uniform(-1e6, 1e6) for k in ("queries_per_month", "one_off", "per_query", "fixed")}
        raw["utilisation"] = rng.uniform(-2, 2)
        raw["tokens_per_second"] = rng.uniform(-1e3, 1e3)
        x = clamp_inputs(raw)
        gen = self_hosted_query_cost(500, x["tokens_per_second"], 1.0, x["utilisation"])
        a = Approach("a", {"o": x["one_off"]}, {"q": x["per_query"], "gen": gen}, {"f": x["fixed"]})
        assert total_cost(a, x["queries_per_month"], 12) >= 0


# --------------------------------------------------------------------------- builders from prices


@pytest.fixture
def pricing(tmp_path: Path) -> Pricing:
    path = tmp_path / "pricing.yml"
    path.write_text(PRICES, encoding="utf-8")
    return load_pricing(path)


RAG_USAGE = TokenUsage(prompt_tokens=1000, completion_tokens=100, query_tokens=20)
FT_USAGE = TokenUsage(prompt_tokens=200, completion_tokens=100)
RETRIEVAL = RetrievalSpec(embedding="emb", vector_db="managed", corpus_tokens=1e6, setup_hours=10)
SPEC = FineTuneSpec(
    data_prep_hours=40,
    evaluation_hours=8,
    training_gpu="big",
    training_gpu_hours=5,
    serving_gpu="small",
    tokens_per_second=300,
    utilisation=0.5,
    retrain_every_months=3,
)


def test_rag_approach_uses_measured_tokens(pricing: Pricing) -> None:
    rag = rag_approach(RAG_USAGE, pricing, llm="base", retrieval=RETRIEVAL)
    # generation (1000 x 0.15 + 100 x 0.60) / 1e6 = 2.1e-4; query embedding 20 x 0.02 / 1e6 = 4e-7;
    # vector reads 0.25 RU x 16 / 1e6 = 4e-6; total 2.144e-4 per query.
    assert rag.per_query_total == pytest.approx(2.1e-4 + 4e-7 + 4e-6)
    # indexing 1e6 x 0.02 / 1e6 = 0.02; setup 10 h x 100 = 1000.
    assert rag.one_off_total == pytest.approx(1000.02)
    assert rag.fixed_monthly_total == 50 and rag.retrain_every_months is None
    longer = rag_approach(TokenUsage(2000, 100, 20), pricing, llm="base", retrieval=RETRIEVAL)
    assert longer.per_query_total > rag.per_query_total  # token counts feed the cost
    vm = rag_approach(RAG_USAGE, pricing, llm="base", retrieval=RetrievalSpec("emb", "vm"))
    assert vm.fixed_monthly_total == pytest.approx(0.1 * 730)
    with pytest.raises(PricingError, match="vector_db.broken"):
        rag_approach(RAG_USAGE, pricing, llm="base", retrieval=RetrievalSpec("emb", "broken"))
    with pytest.raises(PricingError, match="currency is USD"):
        rag_approach(RAG_USAGE, pricing, llm="base", retrieval=RETRIEVAL, currency="EUR")


def test_fine_tuned_approach_by_hand(pricing: Pricing) -> None:
    ft = fine_tuned_approach(FT_USAGE, pricing, SPEC)
    # one-off: prep 40 h x 100 + training 5 h x 4.0 + evaluation 8 h x 100 = 4000 + 20 + 800.
    assert dict(ft.one_off) == {"data preparation": 4000, "fine-tuning (GPU hours)": 20, "evaluation": 800}
    # Served on replicas, not per query: one replica answers 300 tok/s x 0.5 utilisation / 300
    # tokens = 0.5 queries/s at the peak, a month of which (730 h) at 3x the average rate is
    # 0.5 x 3600 x 730 / 3 = 438,000 queries/month; below that one replica at 1.0/h x 730 h.
    assert ft.per_query_total == 0 and len(ft.serving) == 1
    assert ft.serving[0].queries_per_replica == pytest.approx(438_000)
    assert monthly_cost(ft, 100_000) == pytest.approx(730)
    assert monthly_cost(ft, 438_000 * 2.5) == pytest.approx(3 * 730)
    # Scaled to zero it pays the GPU time alone: 300 / 300 / 0.5 = 2 s a query at 1.0/3600 per s.
    elastic = fine_tuned_approach(FT_USAGE, pricing, dataclasses.replace(SPEC, scale_to_zero=True))
    assert monthly_cost(elastic, 100_000) == pytest.approx(100_000 * 2 / 3600)
    # one refresh: training 20 + evaluation-hours refresh 8 x 100 = 820, every 3 months.
    assert ft.retrain_cost == pytest.approx(820) and ft.retrain_every_months == 3
    spec = FineTuneSpec(serving="always_on", serving_gpu="small", training_gpu="big")
    always_on = fine_tuned_approach(FT_USAGE, pricing, spec)
    assert always_on.fixed_monthly_total == pytest.approx(730) and always_on.per_query_total == 0
    api = fine_tuned_approach(
        FT_USAGE, pricing, FineTuneSpec(serving="api", api_model="tuned", training_tokens=2e6)
    )
    # training 2e6 x 3.0 / 1e6 = 6; per query (200 x 0.30 + 100 x 1.20) / 1e6 = 1.8e-4.
    assert api.one_off["fine-tuning (API training tokens)"] == pytest.approx(6)
    assert api.per_query_total == pytest.approx(1.8e-4)


def test_combined_approach_adds_retrieval_to_fine_tuning(pricing: Pricing) -> None:
    both = combined_approach(RAG_USAGE, pricing, SPEC, retrieval=RETRIEVAL)
    ft = fine_tuned_approach(RAG_USAGE, pricing, SPEC)
    rag = rag_approach(RAG_USAGE, pricing, llm="base", retrieval=RETRIEVAL)
    assert both.one_off_total == pytest.approx(ft.one_off_total + rag.one_off_total)
    assert both.fixed_monthly_total == pytest.approx(ft.fixed_monthly_total + rag.fixed_monthly_total)
    retrieval_per_query = rag.per_query["query embedding"] + rag.per_query["vector DB reads"]
    assert both.per_query_total == pytest.approx(ft.per_query_total + retrieval_per_query)
    assert both.retrain_every_months == 3 and both.retrain_cost == ft.retrain_cost


def test_token_usage_from_completions() -> None:
    records = [
        SimpleNamespace(prompt_tokens=100, completion_tokens=10),
        {"prompt_tokens": 300, "completion_tokens": 30},
    ]
    usage = TokenUsage.from_completions(records, query_tokens=12)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.query_tokens, usage.n) == (200, 20, 12, 2)
    with pytest.raises(ValueError, match="at least one"):
        TokenUsage.from_completions([])
    with pytest.raises(ValueError, match="completion_tokens"):
        TokenUsage.from_completions([{"prompt_tokens": 3}])


def test_committed_pricing_builds_all_three_approaches() -> None:
    pricing = load_pricing()
    spec = FineTuneSpec(training_gpu_hours=2, tokens_per_second=400, retrain_every_months=6)
    for approach in (
        rag_approach(RAG_USAGE, pricing),
        fine_tuned_approach(FT_USAGE, pricing, spec),
        combined_approach(RAG_USAGE, pricing, spec),
    ):
        assert approach.currency == "USD"
        assert monthly_cost(approach, 1000) > monthly_cost(approach, 0) or approach.serving


# --------------------------------------------------------------------------- sensitivity and plots


def _pair(inputs: dict[str, float]) -> tuple[Approach, Approach]:
    a = Approach("A", {"setup": 1000}, {"gen": inputs["rag_per_query"]}, {"db": inputs["db"]})
    b = Approach("B", {"training": inputs["training"]}, {"gen": 0.002})
    return a, b


BASE = {"rag_per_query": 0.01, "db": 100.0, "training": 5000.0}


def test_sensitivity_sorts_by_swing() -> None:
    ranges = {"db": (50.0, 150.0), "training": (2000.0, 8000.0), "rag_per_query": (0.005, 0.02)}
    bars = sensitivity(BASE, _pair, lambda pair: break_even_volume(*pair), ranges)
    finite = [bar.swing for bar in bars if not math.isnan(bar.swing)]
    assert finite == sorted(finite, reverse=True) and len(finite) == 2
    assert bars[0].base_metric == pytest.approx(2800 / 0.096)
    training = next(bar for bar in bars if bar.name == "training")
    # training 2000: V = (2000 - 2200) / 0.096 < 0 -> no break-even (NaN); 8000: V = 5800 / 0.096.
    assert math.isnan(training.low_metric) and training.high_metric == pytest.approx(5800 / 0.096)
    assert bars[0] is training  # an undefined end (no break-even) sorts first
    db = next(bar for bar in bars if bar.name == "db")
    # db 50: F_A = 1600 -> V = 3400 / 0.096; db 150: F_A = 2800 -> V = 2200 / 0.096.
    assert db.swing == pytest.approx(1200 / 0.096)
    with pytest.raises(ValueError, match="not in base_inputs"):
        sensitivity(BASE, _pair, lambda pair: 0.0, {"nope": (0.0, 1.0)})


def test_plots_return_figures_with_break_evens_marked() -> None:
    b = Approach("B", {"training": 5000}, {"gen": 0.002}, {}, retrain_every_months=6, retrain_cost=300)
    fig = cumulative_cost_plot([A, b], 20_000, months=24)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.collections) == 1  # one break-even marker
    fig = volume_cost_plot([A, b], 100_000, months=12)
    assert len(fig.axes[0].collections) == 1
    bars = sensitivity(BASE, _pair, lambda pair: break_even_volume(*pair), {"db": (50.0, 150.0)})
    fig = tornado_plot(bars, xlabel="break-even volume")
    assert len(fig.axes[0].patches) == 2
    with pytest.raises(ValueError, match="currencies"):
        cumulative_cost_plot([A, Approach("E", currency="EUR")], 10)
