"""Lab 1 onwards and the benchmarking chapter: uncertainty for small evaluations: bootstrap intervals and paired comparisons.

With 50-200 questions per lab, a difference of a few points between two systems is often
noise. Every number the book reports therefore comes with a percentile-bootstrap interval,
and system comparisons use a paired bootstrap over the same questions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = [
    "Estimate",
    "binary_scores",
    "is_binary",
    "proportion",
    "wilson_interval",
    "PairedComparison",
    "bootstrap_ci",
    "interval",
    "paired_bootstrap",
    "summarize",
    "win_rate",
]


@dataclass(frozen=True)
class Estimate:
    """A mean with a confidence interval ``[low, high]`` over ``n`` observations."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict, e.g. for a pandas DataFrame or a JSON results file."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class PairedComparison:
    """Mean difference B - A over the same questions, its interval and a one-sided p-value."""

    diff: float
    low: float
    high: float
    p_value: float
    n: int

    @property
    def significant(self) -> bool:
        """True when the interval excludes 0."""
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        return f"{self.diff:+.3f} [{self.low:+.3f}, {self.high:+.3f}], p={self.p_value:.3f} (n={self.n})"

    def to_dict(self) -> dict[str, float | int | bool]:
        """Plain dict including ``significant``."""
        return {**dataclasses.asdict(self), "significant": self.significant}


def _as_scores(values: Iterable[float], name: str = "values") -> np.ndarray:
    if not isinstance(values, np.ndarray):
        values = list(values)  # also accepts generators
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _check_settings(confidence: float, n_resamples: int) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")


def _resampled_means(values: np.ndarray, n_resamples: int, seed: int) -> np.ndarray:
    """Means of ``n_resamples`` bootstrap samples, drawn as one index matrix."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n_resamples, len(values)))
    return values[idx].mean(axis=1)


def _interval(means: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(low), float(high)


def bootstrap_ci(
    values: Iterable[float], confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0
) -> Estimate:
    """Percentile-bootstrap confidence interval for the mean of ``values``.

    Deterministic for a given seed. One value gives a zero-width interval; no values
    raise ``ValueError``.
    """
    _check_settings(confidence, n_resamples)
    array = _as_scores(values)
    if array.size == 0:
        raise ValueError("bootstrap_ci needs at least one value; got an empty sequence")
    mean = float(array.mean())
    if array.size == 1:
        return Estimate(mean, mean, mean, 1)
    low, high = _interval(_resampled_means(array, n_resamples, seed), confidence)
    return Estimate(mean, low, high, int(array.size))


def paired_bootstrap(
    a: Iterable[float],
    b: Iterable[float],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> PairedComparison:
    """Paired bootstrap for "is system B better than system A?" on the same questions.

    ``a[i]`` and ``b[i]`` are the two systems' scores on question i. Questions are resampled
    together, so per-question difficulty cancels. ``diff`` is mean(b - a); the interval is the
    percentile interval of the resampled mean differences; ``p_value`` is the one-sided share
    of resampled differences that are <= 0, as (count + 1) / (n_resamples + 1).
    At least two questions are needed.
    """
    _check_settings(confidence, n_resamples)
    first = _as_scores(a, "a")
    second = _as_scores(b, "b")
    if first.size != second.size:
        raise ValueError(f"paired scores need equal lengths; got {first.size} for a and {second.size} for b")
    if first.size < 2:
        raise ValueError(f"paired_bootstrap needs at least two paired scores, got {first.size}")
    diffs = second - first
    means = _resampled_means(diffs, n_resamples, seed)
    low, high = _interval(means, confidence)
    p_value = (int(np.count_nonzero(means <= 0)) + 1) / (n_resamples + 1)
    return PairedComparison(float(diffs.mean()), low, high, float(p_value), int(diffs.size))


def binary_scores(values: Iterable[float], name: str) -> list[int]:
    """``values`` as 0/1 integers; anything else raises ``ValueError`` naming ``name``."""
    scores = [float(v) for v in values]
    bad = sorted({v for v in scores if v not in (0.0, 1.0)})
    if bad:
        raise ValueError(f"{name} must hold right (1) or wrong (0) scores; found {bad[:3]}")
    return [int(v) for v in scores]


def is_binary(values: Sequence[float]) -> bool:
    """True when every score is 0 or 1 (a right/wrong metric such as accuracy)."""
    return all(float(v) in (0.0, 1.0) for v in values)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Estimate:
    """Wilson score interval for ``successes`` out of ``n``: never empty, never outside [0, 1]."""
    if n < 1:
        raise ValueError("a proportion needs at least one observation; got n = 0")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie between 0 and n = {n}; got {successes}")
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)


def proportion(values: Iterable[float], confidence: float = 0.95) -> Estimate:
    """Share of right answers among 0/1 ``values`` with its Wilson interval."""
    scores = binary_scores(values, "values")
    return wilson_interval(sum(scores), len(scores), confidence)


def win_rate(
    outcomes: Iterable[float], confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0
) -> Estimate:
    """Win rate with a bootstrap interval; each outcome is 1 (win), 0.5 (tie) or 0 (loss)."""
    array = _as_scores(outcomes, "outcomes")
    bad = set(np.unique(array).tolist()) - {0.0, 0.5, 1.0}
    if bad:
        raise ValueError(f"outcomes must be 1 (win), 0.5 (tie) or 0 (loss); found {sorted(bad)}")
    return bootstrap_ci(array, confidence=confidence, n_resamples=n_resamples, seed=seed)


def interval(
    values: Sequence[float],
    binary: bool | None = None,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """The book's one rule for a mean's interval: Wilson for right/wrong (0/1) scores, percentile
    bootstrap for graded ones. ``binary`` None decides by the values themselves."""
    if binary is None:
        binary = bool(len(values)) and is_binary(values)
    if binary:
        return proportion(values, confidence)
    return bootstrap_ci(values, confidence=confidence, n_resamples=n_resamples, seed=seed)


def summarize(
    scores: Mapping[str, Sequence[float]],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    skip_empty: bool = False,
) -> dict[str, Estimate]:
    """:func:`bootstrap_ci` for every named list of scores, keeping the mapping's order.

    A list of right/wrong (0/1) scores gets the Wilson interval of :func:`proportion` instead.

    An empty list raises ``ValueError``, or with ``skip_empty`` is left out (a report over no
    answers has no metrics).
    """
    return {
        name: interval(values, None, confidence, n_resamples, seed)
        for name, values in scores.items()
        if len(values) or not skip_empty
    }
