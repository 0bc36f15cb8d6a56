"""Self-hosted serving (lab 10): replicas for the peak rate, at least one always on, and the
break-even volumes of costs that step up one replica at a time."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from domainllm.costs.break_even_tables import break_even_rows, break_even_sentence
from domainllm.costs.decision_guide import cheapest_by_volume
from domainllm.costs.model import (
    HOURS_PER_MONTH,
    MAX_REPLICA_STEPS,
    PEAK_TO_AVERAGE,
    Approach,
    SelfHostedServing,
    always_on_monthly_cost,
    break_even_volume,
    cheapest,
    cost_per_1000_queries,
    crossing_volumes,
    monthly_cost,
    peak_tokens_per_second,
    replicas_needed,
    self_hosted_monthly_cost,
    self_hosted_query_cost,
    settled_volume,
    total_cost,
)
from domainllm.costs.pricing import Pricing, load_pricing
from domainllm.costs.roi import ASSUMPTIONS, CostSetup, RoiModel
from domainllm.costs.roi_report import break_even_table
from tests.costs.price_table import PRICES
from tests.costs.test_roi import SETUP, make_measured

SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600  # 2,628,000 s


@pytest.fixture
def pricing(tmp_path: Path) -> Pricing:
    path = tmp_path / "pricing.yml"
    path.write_text(PRICES, encoding="utf-8")
    return load_pricing(path)


def serving(capacity: float, price: float = 1.0, **options) -> SelfHostedServing:
    """A replica that serves ``capacity`` queries a month at the peak: 100 tokens a query, factor
    3 and utilisation 0.5, so its throughput is capacity x 100 x 3 / 0.5 per month."""
    tokens_per_second = capacity * 100 * 3 / 0.5 / SECONDS_PER_MONTH
    return SelfHostedServing("gpu", 100, tokens_per_second, price, 0.5, 3.0, **options)


# --------------------------------------------------------------------------- the functions by hand


def test_peak_rate_and_replicas_by_hand() -> None:
    # 2,628,000 queries of 100 tokens in a 730-hour month: 100 tokens/s on average, 300 at peak.
    assert peak_tokens_per_second(SECONDS_PER_MONTH, 100) == pytest.approx(300)
    assert peak_tokens_per_second(SECONDS_PER_MONTH, 100, peak_to_average=1) == pytest.approx(100)
    assert PEAK_TO_AVERAGE == ASSUMPTIONS["peak_to_average"].value == 3
    # One replica generates 200 tokens/s, of which the busiest hour may use half: 300 / 100 = 3.
    assert replicas_needed(SECONDS_PER_MONTH, 100, 200, utilisation=0.5) == 3
    assert replicas_needed(SECONDS_PER_MONTH * 1.01, 100, 200, utilisation=0.5) == 4  # rounded up
    assert replicas_needed(SECONDS_PER_MONTH, 100, 200, utilisation=1.0) == 2
    assert replicas_needed(SECONDS_PER_MONTH, 100, 200, 0.5, peak_to_average=1.5) == 2
    # No traffic: one replica all the same, unless the deployment scales to zero.
    assert replicas_needed(0, 100, 200) == 1
    assert replicas_needed(0, 100, 200, scale_to_zero=True) == 0
    assert replicas_needed(10, 100, 200, scale_to_zero=True) == 1


def test_monthly_cost_is_the_larger_of_the_replicas_and_the_gpu_time() -> None:
    # 3 replicas at 2.0/h for 730 h = 4,380; the GPU time: 2.628M queries x 100 tokens / 200 tok/s
    # / 0.5 = 2.628M s = 730 h at 2.0/h = 1,460 (the replicas are sized for 3x the average).
    cost = self_hosted_monthly_cost(SECONDS_PER_MONTH, 100, 200, 2.0, 0.5, 3.0)
    assert cost == pytest.approx(4380) == always_on_monthly_cost(2.0, 3)
    gpu_time = SECONDS_PER_MONTH * self_hosted_query_cost(100, 200, 2.0, 0.5)
    assert gpu_time == pytest.approx(1460)
    assert self_hosted_monthly_cost(SECONDS_PER_MONTH, 100, 200, 2.0, 0.5, 3.0, scale_to_zero=True) == (
        pytest.approx(1460)
    )
    # Flat traffic at full use: the replica runs exactly as long as the queries need.
    assert self_hosted_monthly_cost(SECONDS_PER_MONTH, 100, 200, 2.0, 1.0, 1.0) == pytest.approx(730 * 2.0)
    # A hundred queries a month still pay one replica all month (the issue: not 0.0002 of GPU time).
    assert self_hosted_monthly_cost(100, 100, 200, 2.0) == pytest.approx(1460)
    assert self_hosted_monthly_cost(100, 100, 200, 2.0, scale_to_zero=True) == pytest.approx(0.0556, rel=1e-2)


def test_property_never_below_one_replica_nor_the_gpu_time_and_never_falls_with_volume() -> None:
    rng = np.random.default_rng(11)
    for _ in range(300):
        tokens, speed, price = rng.uniform(10, 2000), rng.uniform(10, 1e5), rng.uniform(0.1, 10)
        share, factor = rng.uniform(0.05, 1.0), rng.uniform(1.0, 10.0)
        volumes = np.sort(rng.uniform(0, 1e9, 20))
        costs = [self_hosted_monthly_cost(v, tokens, speed, price, share, factor) for v in volumes]
        assert all(c >= always_on_monthly_cost(price, 1) * (1 - 1e-12) for c in costs)
        assert all(
            c >= v * self_hosted_query_cost(tokens, speed, price, share) * (1 - 1e-12)
            for c, v in zip(costs, volumes, strict=True)
        )
        assert all(later >= earlier for earlier, later in zip(costs, costs[1:], strict=False))
        elastic = [
            self_hosted_monthly_cost(v, tokens, speed, price, share, factor, scale_to_zero=True)
            for v in volumes
        ]
        assert all(e <= c * (1 + 1e-12) for e, c in zip(elastic, costs, strict=True))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: peak_tokens_per_second(-1, 100), "queries_per_month"),
        (lambda: peak_tokens_per_second(100, 100, peak_to_average=0.9), "peak_to_average"),
        (lambda: peak_tokens_per_second(100, 100, peak_to_average=math.inf), "peak_to_average"),
        (lambda: peak_tokens_per_second(100, 100, hours=0), "hours"),
        (lambda: replicas_needed(100, 100, 0), "tokens_per_second"),
        (lambda: replicas_needed(100, 100, 10, utilisation=0), "utilisation"),
        (lambda: replicas_needed(100, 100, 10, utilisation=1.5), "utilisation"),
        (lambda: self_hosted_monthly_cost(100, 100, 10, -1.0), "gpu_hour_price"),
        (lambda: self_hosted_monthly_cost(100, -5, 10, 1.0), "tokens_per_query"),
        (
            lambda: self_hosted_monthly_cost(100, 100, 10, 1.0, 0.5, 0.5, scale_to_zero=True),
            "peak_to_average",
        ),
        (lambda: SelfHostedServing("x", 0, 10, 1.0), "tokens_per_query"),
        (lambda: SelfHostedServing("x", 100, 10, 1.0, scale_to_zero="yes"), "scale_to_zero"),
        (lambda: Approach("x", serving=("gpu",)), "SelfHostedServing"),
    ],
)
def test_bad_inputs_are_rejected_by_name(call, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call()


def test_serving_steps_and_vectorised_costs_agree() -> None:
    item = serving(1000.0, price=2.0)
    assert item.queries_per_replica == pytest.approx(1000)
    assert item.replica_monthly_cost == pytest.approx(1460)
    for k in (1, 2, 7):
        assert item.replicas(k * 1000 * (1 - 1e-9)) == k
        assert item.replicas(k * 1000 * (1 + 1e-9)) == k + 1
    volumes = np.random.default_rng(2).uniform(0, 1e5, 200)
    assert item.monthly_costs(volumes) == pytest.approx([item.monthly_cost(v) for v in volumes])
    elastic = serving(1000.0, price=2.0, scale_to_zero=True)
    assert elastic.monthly_costs(volumes) == pytest.approx([elastic.monthly_cost(v) for v in volumes])


def test_an_approach_pays_its_replicas_by_the_month() -> None:
    a = Approach("A", one_off={"setup": 100}, per_query={"embed": 0.001}, serving=(serving(1000.0),))
    # 2,500 queries: 3 replicas at 730 + 2.5 of embedding a month.
    assert monthly_cost(a, 2500) == pytest.approx(3 * 730 + 2.5)
    assert total_cost(a, 2500, 12) == pytest.approx(100 + 12 * (3 * 730 + 2.5))
    assert a.per_query_total == 0.001 and cost_per_1000_queries(a, 1, marginal=True) == pytest.approx(1.0)
    assert a.to_dict()["serving"][0]["peak_to_average"] == 3.0
    assert dataclasses.replace(a, serving=[serving(10.0)]).serving[0].queries_per_replica == pytest.approx(10)


# --------------------------------------------------------------------------- break-even with steps

# One replica-month is 730 (1.0/h). A pays replicas of 3,000 queries, B of 5,000, and B pays 400 a
# month more. cost(A) - cost(B) = -400 + 730 (n_A - n_B) a month, so A is cheaper while both need
# the same number of replicas: up to 3,000 (1 and 1), from 5,000 to 6,000 (2 and 2); B from 3,000
# to 5,000 (2 and 1) and above 6,000, where n_A - n_B >= 1 for good (3,000 / 5,000 apart).
STEP_A = Approach("A", serving=(serving(3000.0),))
STEP_B = Approach("B", fixed_monthly={"db": 400}, serving=(serving(5000.0),))


@pytest.mark.parametrize("months", [12, 24, None])
def test_crossings_of_stepped_costs_by_hand(months: int | None) -> None:
    assert crossing_volumes(STEP_A, STEP_B, months) == pytest.approx([3000, 5000, 6000])
    assert break_even_volume(STEP_A, STEP_B, months) == pytest.approx(3000)
    assert settled_volume(STEP_A, STEP_B, months) == pytest.approx(6000)
    cheaper = [cheapest([STEP_A, STEP_B], v, months or 12).name for v in (2000, 4000, 5500, 6500, 1e6)]
    assert cheaper == ["A", "B", "A", "B", "B"]


def test_break_even_rows_and_sentence_name_the_first_and_the_settled_volume() -> None:
    (row,) = break_even_rows([STEP_A, STEP_B], horizons=(12,))
    assert row["break_even_queries_per_month"] == pytest.approx(3000)
    assert row["settled_queries_per_month"] == pytest.approx(6000)
    assert (row["cheaper_below"], row["cheaper_above"], row["crossings"]) == ("A", "B", 3)
    assert break_even_sentence(row) == (
        "A is cheaper below 3k queries per month and B above 6k; in between the cheaper one changes "
        "2 more times, as one or the other needs another GPU replica"
    )
    table = break_even_table([STEP_A, STEP_B], horizons=(12,))
    assert table.loc[0, "changes"] == 3 and table.loc[0, "settled above"] == "6k"
    linear = break_even_table([Approach("L", per_query={"q": 1.0}), Approach("M", one_off={"x": 10})], (12,))
    assert "changes" not in linear  # no replicas, no extra columns


def test_bands_of_the_cheapest_follow_every_crossing() -> None:
    bands = cheapest_by_volume([STEP_A, STEP_B], months=12)
    assert [
        (round(low), None if math.isinf(high) else round(high), best.name) for low, high, best in bands
    ] == [
        (0, 3000, "A"),
        (3000, 5000, "B"),
        (5000, 6000, "A"),
        (6000, None, "B"),
    ]


def test_scaled_to_zero_serving_breaks_even_like_a_per_query_cost() -> None:
    elastic = serving(3000.0, scale_to_zero=True)
    per_second = Approach("P", one_off={"x": 5000}, per_query={"gpu": elastic.gpu_time_cost_per_query})
    served = Approach("S", one_off={"x": 5000}, serving=(elastic,))
    other = Approach("O", one_off={"x": 1000}, per_query={"api": 0.5})
    assert crossing_volumes(served, other, 12) == pytest.approx(crossing_volumes(per_second, other, 12))
    assert len(crossing_volumes(served, other, 12)) == 1


def test_equal_at_zero_volume_is_a_break_even_at_zero() -> None:
    a = Approach("A", serving=(serving(3000.0),))
    b = Approach("B", fixed_monthly={"x": 730}, per_query={"q": 1.0})  # 730 at zero volume, like one replica
    assert crossing_volumes(a, b, None) == [0.0]


def test_costs_growing_at_the_same_rate_are_refused_rather_than_searched_for_ever() -> None:
    a = Approach("A", one_off={"x": 1000}, serving=(serving(1.0),))
    b = Approach("B", serving=(serving(1.0 * (1 + 1e-13)),))
    with pytest.raises(ValueError, match="replica steps"):
        crossing_volumes(a, b, 12)
    assert MAX_REPLICA_STEPS >= 1000


def _sign(a: Approach, b: Approach, volume: float, months: int) -> float:
    return float(np.sign(total_cost(a, volume, months) - total_cost(b, volume, months)))


def test_property_crossings_are_exactly_where_the_cheaper_approach_changes() -> None:
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(60):

        def approach(name: str) -> Approach:
            items = tuple(
                serving(float(10 ** rng.uniform(2, 4)), float(rng.uniform(0.2, 3)))
                for _ in range(rng.integers(0, 3))
            )
            return Approach(
                name,
                one_off={"x": float(rng.uniform(0, 2e4))},
                per_query={"q": float(rng.choice([0.0, rng.uniform(0, 0.05)]))},
                fixed_monthly={"f": float(rng.uniform(0, 2000))},
                serving=items,
            )

        a, b = approach("A"), approach("B")
        months = int(rng.choice([12, 24]))
        crossings = crossing_volumes(a, b, months)
        assert crossings == sorted(crossings)
        top = 2 * (crossings[-1] if crossings else 1e4) + 1e4
        # A dense scan finds a change of sign only next to a reported crossing ...
        grid = np.linspace(0, top, 1201)
        signs = [_sign(a, b, v, months) for v in grid]
        step = grid[1]
        nonzero = [(v, s) for v, s in zip(grid, signs, strict=True) if s != 0]
        for (v0, s0), (v1, s1) in zip(nonzero, nonzero[1:], strict=False):
            if s0 != s1:
                assert any(v0 - step <= c <= v1 + step for c in crossings), (v0, v1, crossings)
        # ... and at each reported crossing the order really changes.
        for c in crossings:
            if c == 0:
                continue
            width = max(c * 1e-7, 1e-6)
            before, after = _sign(a, b, c - width, months), _sign(a, b, c + width, months)
            assert before != after
            checked += 1
        # Beyond the last one it stays put, however far.
        tail = [_sign(a, b, v, months) for v in (top, 10 * top, 1e4 * top)]
        assert len(set(tail)) == 1
    assert checked >= 30


# --------------------------------------------------------------------------- the lab's model


def test_self_hosted_model_builds_replicas_for_every_approach(pricing: Pricing) -> None:
    hosted = RoiModel(pricing, make_measured(), CostSetup(**{**SETUP.__dict__, "serving": "self_hosted"}))
    approaches = hosted.approaches()
    assert all(len(a.serving) == 1 for a in approaches.values())
    assert all(
        a.serving[0].peak_to_average == 3.0 and a.serving[0].utilisation == 0.5 for a in approaches.values()
    )
    # Every approach pays at least one replica a month, whatever the volume.
    for a in approaches.values():
        assert monthly_cost(a, 0) >= 730
    # A break-even volume of self-hosted approaches is a volume where the cheaper one changes.
    rag, tuned = approaches["rag"], approaches["fine_tuned"]
    for volume in crossing_volumes(rag, tuned, 12):
        assert _sign(rag, tuned, volume * (1 - 1e-7), 12) != _sign(rag, tuned, volume * (1 + 1e-7), 12)
    with pytest.raises(ValueError, match="scale_to_zero"):
        CostSetup(serving="self_hosted", scale_to_zero="no")
