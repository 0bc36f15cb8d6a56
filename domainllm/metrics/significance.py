"""Lab 4b onwards and the benchmarking chapter: exact tests for right/wrong scores and the verdict helper.

Accuracy is a proportion, so its interval is Wilson's (``stats.wilson_interval``, sensible at
0 of 8 and 8 of 8, where a bootstrap interval collapses to a point). Two systems answering the same questions are compared
by an exact McNemar test on the questions where exactly one of them is right; continuous scores
(F1, recall) by the paired bootstrap of :mod:`domainllm.metrics.stats`. Every verdict the book's
prose states ("better", "worse", "not distinguishable at n = ...") comes from :func:`verdict`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from domainllm.metrics.stats import (
    Estimate,
    binary_scores,
    is_binary,
)

ALPHA = 0.05  # the book's significance level
POWER = 0.8  # the power at which a minimum detectable difference is stated


@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test of B against A on the same questions (two-sided)."""

    diff: float  # accuracy of B minus accuracy of A
    b_only: int  # questions only B answered right
    a_only: int  # questions only A answered right
    p_value: float
    n: int

    def __str__(self) -> str:
        return f"{self.diff:+.3f} ({self.b_only} vs {self.a_only} discordant), exact McNemar p = {self.p_value:.3f} (n={self.n})"


def mcnemar_exact(a: Iterable[float], b: Iterable[float]) -> McNemar:
    """Exact two-sided McNemar test: a binomial test on the discordant questions."""
    first, second = binary_scores(a, "a"), binary_scores(b, "b")
    if len(first) != len(second):
        raise ValueError(f"paired scores need equal lengths; got {len(first)} and {len(second)}")
    if not first:
        raise ValueError("mcnemar_exact needs at least one paired score")
    b_only = sum(1 for x, y in zip(first, second, strict=True) if y > x)
    a_only = sum(1 for x, y in zip(first, second, strict=True) if x > y)
    discordant = a_only + b_only
    tail = sum(math.comb(discordant, k) for k in range(min(a_only, b_only) + 1)) / 2**discordant
    p_value = min(1.0, 2 * tail) if discordant else 1.0
    return McNemar((b_only - a_only) / len(first), b_only, a_only, p_value, len(first))


def minimum_detectable_difference(
    n: int, alpha: float = ALPHA, power: float = POWER, spread: float = 0.5
) -> float:
    """Smallest paired difference in accuracy detectable with ``n`` questions (normal approximation).

    ``spread`` is the share of questions on which the two systems disagree; 0.5 is the worst case
    the chapter states. Two-sided level ``alpha`` and the given power.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return min(1.0, z * math.sqrt(spread / n))


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing B with A: ``label`` is "better", "worse" (or the caller's words for
    them) or "not distinguishable"."""

    label: str
    diff: float
    p_value: float
    n: int
    test: str
    detectable: float

    def __str__(self) -> str:
        if self.label == "not distinguishable":
            return (
                f"not distinguishable at n = {self.n} ({self.diff:+.2f}, {self.test} p = {self.p_value:.2f}; "
                f"smallest detectable difference {self.detectable:.2f})"
            )
        return f"{self.label} ({self.diff:+.2f}, {self.test} p = {self.p_value:.3f}, n = {self.n})"


def paired_bootstrap_p(
    a: Sequence[float], b: Sequence[float], n_resamples: int = 2000, seed: int = 0
) -> float:
    """Two-sided paired-bootstrap p-value of mean(b - a) = 0: twice the smaller share of resampled
    mean differences at or below 0 and at or above 0 (ties count on both sides), at most 1."""
    diffs = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if diffs.size != len(a) or len(a) != len(b):
        raise ValueError(f"paired scores need equal lengths; got {len(a)} and {len(b)}")
    if not diffs.any():
        return 1.0
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, diffs.size, size=(n_resamples, diffs.size))].mean(axis=1)
    below = (np.count_nonzero(means <= 0) + 1) / (n_resamples + 1)
    above = (np.count_nonzero(means >= 0) + 1) / (n_resamples + 1)
    return float(min(1.0, 2 * min(below, above)))


def verdict(
    a: Sequence[float],
    b: Sequence[float],
    alpha: float = ALPHA,
    labels: tuple[str, str] = ("better", "worse"),
) -> Verdict:
    """Is B better than, worse than, or not distinguishable from A on the same questions?

    0/1 scores use the exact McNemar test; other scores the paired bootstrap (two-sided p-value,
    twice the smaller tail). ``labels`` name a significant rise and fall of B (for a rate where
    lower is better, such as attack success, pass ``("higher", "lower")``).
    """
    if is_binary(a) and is_binary(b):
        test = mcnemar_exact(a, b)
        diff, p_value, name = test.diff, test.p_value, "McNemar"
    else:
        diff, p_value, name = float(np.mean(b) - np.mean(a)), paired_bootstrap_p(a, b), "paired bootstrap"
    label = "not distinguishable"
    if p_value < alpha and diff != 0:
        label = labels[0] if diff > 0 else labels[1]
    return Verdict(label, diff, p_value, len(a), name, minimum_detectable_difference(len(a), alpha))


def floor_verdict(estimate: Estimate, floor: float) -> str:
    """Whether an estimate's interval lies above, below, or around a target ``floor``."""
    if estimate.low > floor:
        return f"above {floor:.2f} (interval {estimate.low:.2f} to {estimate.high:.2f})"
    if estimate.high < floor:
        return f"below {floor:.2f} (interval {estimate.low:.2f} to {estimate.high:.2f})"
    return f"not distinguishable from {floor:.2f} at n = {estimate.n} (interval {estimate.low:.2f} to {estimate.high:.2f})"
