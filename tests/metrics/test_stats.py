"""Bootstrap intervals and paired comparisons."""

from __future__ import annotations

import numpy as np
import pytest

from domainllm.metrics.stats import (
    Estimate,
    PairedComparison,
    bootstrap_ci,
    paired_bootstrap,
    summarize,
    win_rate,
)


def test_estimate_formatting() -> None:
    est = Estimate(0.5123, 0.4312, 0.5901, 100)
    assert str(est) == "0.512 [0.431, 0.590] (n=100)"
    assert est.to_dict() == {"mean": 0.5123, "low": 0.4312, "high": 0.5901, "n": 100}


def test_bootstrap_edge_cases() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        bootstrap_ci([])
    assert bootstrap_ci([0.7]) == Estimate(0.7, 0.7, 0.7, 1)
    # every resample of a constant sample has the same mean
    assert bootstrap_ci([1.0, 1.0, 1.0]) == Estimate(1.0, 1.0, 1.0, 3)
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_ci([0.1, float("nan")])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci([0.1, 0.2], confidence=95)


def test_bootstrap_two_values_by_hand() -> None:
    # Resampling [0, 1] twice gives means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4.
    # 95%: the 2.5% and 97.5% quantiles land on 0 and 1 (each end has about 25% mass).
    assert bootstrap_ci([0.0, 1.0]) == Estimate(0.5, 0.0, 1.0, 2)
    # 40%: quantiles at 30% and 70% both fall in the middle mass (25% .. 75%) -> [0.5, 0.5]
    assert bootstrap_ci([0.0, 1.0], confidence=0.4) == Estimate(0.5, 0.5, 0.5, 2)


def test_bootstrap_matches_normal_approximation() -> None:
    # 50 ones and 50 zeros: se = sqrt(0.25 / 100) = 0.05, 95% interval about 0.5 +- 0.098
    est = bootstrap_ci([1.0] * 50 + [0.0] * 50, n_resamples=4000)
    assert est.mean == 0.5 and est.n == 100
    assert est.low == pytest.approx(0.402, abs=0.02)
    assert est.high == pytest.approx(0.598, abs=0.02)


def test_bootstrap_is_deterministic() -> None:
    values = np.linspace(0, 1, 37) ** 2
    assert bootstrap_ci(values, seed=3) == bootstrap_ci(list(values), seed=3)
    assert bootstrap_ci(values, seed=3) != bootstrap_ci(values, seed=4)
    assert bootstrap_ci(iter(values.tolist())).n == 37  # generators are fine


def test_paired_bootstrap_clear_cases() -> None:
    # B beats A on every question by 1: every resampled diff is 1 -> p = (0 + 1) / (2000 + 1)
    result = paired_bootstrap([0, 0, 0, 0], [1, 1, 1, 1])
    assert result == PairedComparison(1.0, 1.0, 1.0, 1 / 2001, 4)
    assert result.significant
    # identical systems: every resampled diff is 0 <= 0 -> p = 2001 / 2001
    same = paired_bootstrap([0.2, 0.5, 0.9], [0.2, 0.5, 0.9])
    assert same.diff == 0.0 and same.p_value == 1.0 and not same.significant


def test_paired_bootstrap_small_gain() -> None:
    # B gains 1 point on 10 of 100 questions: diff = 0.1; a resample has no gain only with
    # probability 0.9**100 ~ 3e-5, so p is about 1/2001.
    a = np.zeros(100)
    b = np.zeros(100)
    b[:10] = 1
    result = paired_bootstrap(a, b)
    assert result.diff == pytest.approx(0.1)
    assert result.low > 0 and result.p_value < 0.01 and result.significant
    assert paired_bootstrap(b, a).diff == pytest.approx(-0.1)


def test_paired_bootstrap_validation_and_format() -> None:
    with pytest.raises(ValueError, match="equal lengths"):
        paired_bootstrap([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="at least two"):
        paired_bootstrap([1], [2])
    comp = PairedComparison(0.052, 0.01, 0.095, 0.012, 100)
    assert str(comp) == "+0.052 [+0.010, +0.095], p=0.012 (n=100)"
    assert comp.to_dict()["significant"] is True
    assert not PairedComparison(0.01, -0.02, 0.04, 0.3, 50).significant


def test_win_rate() -> None:
    # outcomes 1, 0, 0.5, 1 -> mean 2.5 / 4 = 0.625
    est = win_rate([1, 0, 0.5, 1])
    assert est.mean == 0.625 and est.n == 4 and 0 <= est.low <= est.mean <= est.high <= 1
    with pytest.raises(ValueError, match="tie"):
        win_rate([1, 2])


def test_summarize_keeps_order() -> None:
    result = summarize({"rag": [1, 0, 1], "base": [0, 0, 1]})
    assert list(result) == ["rag", "base"]
    assert result["rag"].mean == pytest.approx(2 / 3) and result["base"].n == 3


def test_summarize_skips_empty_lists_only_when_asked() -> None:
    scores = {"recall@k": [1.0, 0.0], "similarity": []}
    assert list(summarize(scores, skip_empty=True)) == ["recall@k"]
    with pytest.raises(ValueError, match="at least one value"):
        summarize(scores)


def test_interval_is_wilson_for_right_wrong_scores_and_bootstrap_for_graded_ones() -> None:
    from domainllm.metrics.stats import bootstrap_ci, interval, proportion

    right_wrong = [1.0, 0.0, 1.0, 1.0]
    assert interval(right_wrong) == proportion(right_wrong)
    # told the metric is graded (token F1 that happened to be 0 or 1), the bootstrap is used
    assert interval(right_wrong, binary=False) == bootstrap_ci(right_wrong)
    assert interval([0.5, 0.25, 1.0]) == bootstrap_ci([0.5, 0.25, 1.0])
