"""Wilson intervals, the exact McNemar test and the verdict helper (lab 4b, benchmarking chapter)."""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats

from domainllm.metrics import (
    floor_verdict,
    mcnemar_exact,
    minimum_detectable_difference,
    proportion,
    summarize,
    verdict,
    wilson_interval,
)
from domainllm.metrics.stats import Estimate


def test_wilson_interval_is_not_a_point_at_zero_or_all() -> None:
    none = wilson_interval(0, 8)
    assert none.mean == 0 and none.low == 0 and 0.3 < none.high < 0.35
    every = wilson_interval(8, 8)
    assert every.high == 1 and 0.65 < every.low < 0.7


def test_wilson_interval_matches_scipy() -> None:
    expected = scipy_stats.binomtest(23, 64).proportion_ci(0.95, method="wilson")
    got = wilson_interval(23, 64)
    assert math.isclose(got.low, expected.low, abs_tol=1e-9)
    assert math.isclose(got.high, expected.high, abs_tol=1e-9)


def test_wilson_interval_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="n = 0"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(9, 8)


def test_proportion_refuses_scores_that_are_not_right_or_wrong() -> None:
    assert proportion([1, 0, 1, 1]).mean == 0.75
    with pytest.raises(ValueError, match="right \\(1\\) or wrong \\(0\\)"):
        proportion([1, 0.5])


def test_summarize_uses_wilson_for_accuracy_and_bootstrap_for_f1() -> None:
    result = summarize({"accuracy": [0.0] * 8, "f1": [0.0, 0.5, 0.25, 1.0]})
    assert result["accuracy"].high > 0.3  # a bootstrap would give [0, 0]
    assert isinstance(result["f1"], Estimate) and result["f1"].low < result["f1"].high


def test_mcnemar_matches_the_binomial_test_on_discordant_pairs() -> None:
    a = [1] * 3 + [0] * 10 + [1] * 20
    b = [0] * 3 + [1] * 10 + [1] * 20
    result = mcnemar_exact(a, b)
    assert (result.b_only, result.a_only, result.n) == (10, 3, 33)
    assert math.isclose(result.p_value, scipy_stats.binomtest(3, 13).pvalue)
    assert math.isclose(result.diff, 7 / 33)


def test_mcnemar_of_identical_systems_is_one() -> None:
    assert mcnemar_exact([1, 0, 1], [1, 0, 1]).p_value == 1.0
    with pytest.raises(ValueError, match="equal lengths"):
        mcnemar_exact([1], [1, 0])


def test_verdict_labels() -> None:
    base = [0] * 64
    assert verdict(base, [1] * 10 + [0] * 54).label == "better"
    assert verdict([1] * 10 + [0] * 54, base).label == "worse"
    close = verdict(base, [1] * 2 + [0] * 62)
    assert close.label == "not distinguishable"
    assert "not distinguishable at n = 64" in str(close) and "smallest detectable difference 0.25" in str(
        close
    )
    assert verdict([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]).label == "not distinguishable"


def test_minimum_detectable_difference_shrinks_with_n() -> None:
    assert minimum_detectable_difference(64) == pytest.approx(0.2476, abs=1e-3)
    assert minimum_detectable_difference(256) < minimum_detectable_difference(64) / 1.9
    with pytest.raises(ValueError):
        minimum_detectable_difference(0)


def test_floor_verdict() -> None:
    assert floor_verdict(Estimate(0.8, 0.72, 0.88, 64), 0.7).startswith("above 0.70")
    assert floor_verdict(Estimate(0.5, 0.4, 0.6, 64), 0.7).startswith("below 0.70")
    assert floor_verdict(Estimate(0.7, 0.6, 0.8, 64), 0.7).startswith(
        "not distinguishable from 0.70 at n = 64"
    )


def test_verdict_words_for_a_rate_where_lower_is_better() -> None:
    attack_without_defence = [1.0] * 12 + [0.0] * 52
    attack_with_defence = [0.0] * 64
    assert verdict(attack_without_defence, attack_with_defence, labels=("higher", "lower")).label == "lower"


def test_a_single_difference_among_ties_is_not_significant() -> None:
    # one question lost 0.36 of F1, eleven did not move: no evidence of a difference
    outcome = verdict([0.36] + [0.0] * 11, [0.0] * 12)
    assert outcome.label == "not distinguishable" and outcome.p_value > 0.5
