"""Lab 10 (ROI) and the best-practices chapter: which approach to choose, derived from measured accuracy and the cost model, never from opinion.

For each freshness need (how often the documents change, and whether questions about new
documents must be answered before the next retraining), each accuracy need (no requirement,
a minimum accuracy, or the most accurate) and each band of monthly query volume, the guide
names the cheapest approach that *certainly* meets the need, or says why it cannot:

* An approach certainly meets ``accuracy >= t`` when the low end of its 95% interval is at least
  ``t``; when the interval straddles ``t`` the data cannot tell, and the guide says so.
* "Most accurate" has a winner only when its interval overlaps no other approach's; otherwise
  the overlapping approaches are reported as not distinguishable, with the cheaper one named
  for information, not as a winner.
* Volume bands come from the break-even volumes between the candidates (total cost over
  ``months``; with self-hosted replicas, every volume where the cheaper of two changes), so the
  cheapest approach is constant inside each band.
* An approach enters the guide only when, on the need's split, it answers better than the base
  model closed-book (an exact McNemar test on the same questions) and its accuracy reaches
  :data:`ACCURACY_FLOOR`; :func:`left_out` lists the others with the reason.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domainllm.benchmark.comparisons import HEADLINE_METRIC
from domainllm.costs.benchmark_inputs import APPROACHES
from domainllm.costs.break_even_tables import format_volume
from domainllm.costs.model import Approach, cheapest, crossing_volumes, total_cost
from domainllm.costs.roi import RoiModel
from domainllm.metrics.significance import verdict
from domainllm.metrics.stats import Estimate

__all__ = [
    "DEFAULT_FRESHNESS",
    "ACCURACY_FLOOR",
    "DEFAULT_TARGETS",
    "Freshness",
    "GuideRow",
    "cheapest_by_volume",
    "decision_guide",
    "guide_summary",
    "left_out",
    "quality",
]


@dataclass(frozen=True)
class Freshness:
    """A freshness need: documents change every ``change_every_months``; ``split`` decides accuracy.

    ``test_paraphrase`` applies when the models are retrained as soon as documents change (the
    new facts were in training, as in that split); ``test_fresh`` when questions about new
    documents arrive before the next retraining.
    """

    label: str
    change_every_months: int
    split: str


DEFAULT_FRESHNESS: tuple[Freshness, ...] = (
    Freshness("documents change yearly", 12, "test_paraphrase"),
    Freshness("documents change quarterly", 3, "test_paraphrase"),
    Freshness("documents change monthly", 1, "test_paraphrase"),
    Freshness("new documents answerable before retraining", 1, "test_fresh"),
)
DEFAULT_TARGETS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5)
ACCURACY_FLOOR = 0.2  # below this an approach is not worth costing, whatever its price
BASELINE = "closed_book"  # the base model without retrieval or training
COST_ONLY = "no accuracy requirement"
MOST_ACCURATE = "the most accurate"


@dataclass(frozen=True)
class GuideRow:
    """One verdict: a freshness need, an accuracy need and a band of monthly volume.

    ``winner`` is ``None`` when the measurements cannot decide; ``cheapest`` is then the
    cheaper of the undecided candidates in this band (for information).
    """

    freshness: str
    retrain_every_months: int
    split: str
    need: str
    volume_from: float
    volume_to: float
    winner: str | None
    cheapest: str | None
    candidates: tuple[str, ...]
    undecided: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, e.g. for a pandas DataFrame."""
        return asdict(self)


def quality(results: Mapping[str, Any], system: str, split: str, metric: str = HEADLINE_METRIC) -> Estimate:
    """The measured ``metric`` of ``system`` on ``split``, with its 95% interval."""
    try:
        m = results["results"][system][split]["metrics"][metric]
    except KeyError as exc:
        raise ValueError(f"benchmark results have no {metric} for {system!r} on {split!r}") from exc
    return Estimate(float(m["mean"]), float(m["low"]), float(m["high"]), int(m["n"]))


def left_out(
    results: Mapping[str, Any], split: str, metric: str = HEADLINE_METRIC, floor: float = ACCURACY_FLOOR
) -> dict[str, str]:
    """The approaches that do not enter the guide on ``split``, each with the reason.

    An approach enters when its system is better than the base model closed-book (exact McNemar
    test on the same questions) and its mean accuracy is at least ``floor``.
    """
    try:
        base = results["results"][BASELINE][split]["per_question"][metric]
    except KeyError as exc:
        raise ValueError(
            f"benchmark results have no per-question {metric} of {BASELINE!r} on {split!r}: "
            "the guide compares every approach with it (run the benchmark again)"
        ) from exc
    reasons = {}
    for spec in APPROACHES:
        estimate = quality(results, spec.system, split, metric)
        scores = results["results"][spec.system][split]["per_question"][metric]
        against_base = verdict(base, scores)
        if estimate.mean < floor:
            reasons[spec.name] = f"accuracy {estimate.mean:.2f} on {split} is below the floor of {floor:g}"
        elif against_base.label != "better":
            reasons[spec.name] = f"against the base model closed-book on {split}: {against_base}"
    return reasons


def _overlap(a: Estimate, b: Estimate) -> bool:
    return a.low <= b.high and b.low <= a.high


def cheapest_by_volume(
    approaches: Sequence[Approach], months: int = 12
) -> list[tuple[float, float, Approach]]:
    """Bands ``(from, to, cheapest)`` of monthly volume covering ``[0, inf)``.

    The cheapest approach can only change where the cheaper of two approaches does (a pairwise
    break-even volume; with self-hosted replicas, any of :func:`crossing_volumes`); each band is
    probed once inside and adjacent bands with the same winner are merged. Ties go to the
    approach listed first.
    """
    if not approaches:
        raise ValueError("cheapest_by_volume needs at least one approach")
    points = set()
    for a, b in itertools.combinations(approaches, 2):
        points.update(v for v in crossing_volumes(a, b, months) if 0 < v < math.inf)
    edges = [0.0, *sorted(points), math.inf]
    bands: list[tuple[float, float, Approach]] = []
    for low, high in itertools.pairwise(edges):
        probe = (low + high) / 2 if math.isfinite(high) else 2 * low + 1
        winner = cheapest(approaches, probe, months)
        if bands and bands[-1][2] is winner:
            bands[-1] = (bands[-1][0], high, winner)
        else:
            bands.append((low, high, winner))
    return bands


def _candidates(
    estimates: Mapping[str, Estimate], need: str, target: float | None
) -> tuple[list[str], list[str], str]:
    """Approaches that certainly meet the need, those the data cannot decide on, and why."""
    names = list(estimates)
    if target is None and need == COST_ONLY:
        return names, [], "cheapest"
    if target is None:  # the most accurate
        best = max(names, key=lambda n: estimates[n].mean)
        tied = [n for n in names if n == best or _overlap(estimates[n], estimates[best])]
        if len(tied) == 1:
            return [best], [], "most accurate: its 95% interval overlaps no other"
        return [], tied, f"not distinguishable on accuracy: {', '.join(tied)} (95% intervals overlap)"
    meets = [n for n in names if estimates[n].low >= target]
    straddles = [n for n in names if estimates[n].low < target <= estimates[n].high]
    if meets:
        return meets, straddles, f"cheapest of those whose 95% interval lies above {target:g}"
    if straddles:
        reason = (
            f"not distinguishable from the target: {', '.join(straddles)} (95% intervals include {target:g})"
        )
        return [], straddles, reason
    return [], [], f"no approach reaches {target:g} (every 95% interval lies below it)"


def decision_guide(
    results: Mapping[str, Any],
    model: RoiModel,
    *,
    freshness: Sequence[Freshness] = DEFAULT_FRESHNESS,
    targets: Sequence[float] = DEFAULT_TARGETS,
    months: int = 12,
    metric: str = HEADLINE_METRIC,
) -> list[GuideRow]:
    """The decision guide as rows: freshness need x accuracy need x volume band.

    Accuracy is the measured ``metric`` (default: the share of answers containing the gold value) of each approach's system on the
    freshness need's split; costs are totals over ``months`` with the fine-tuned models
    retrained (and the index rebuilt) every ``change_every_months``.
    """
    rows: list[GuideRow] = []
    needs: list[tuple[str, float | None]] = [(COST_ONLY, None)]
    needs += [(f"{metric} >= {t:g}", float(t)) for t in targets]
    needs.append((MOST_ACCURATE, None))
    for fresh in freshness:
        costed = model.approaches({"retrain_every_months": float(fresh.change_every_months)})
        by_name = {costed[spec.key].name: costed[spec.key] for spec in APPROACHES}
        excluded = left_out(results, fresh.split, metric)
        estimates = {
            costed[s.key].name: quality(results, s.system, fresh.split, metric)
            for s in APPROACHES
            if costed[s.key].name not in excluded
        }
        for need, target in needs:
            if not estimates:
                certain, undecided = [], []
                reason = "no approach enters the guide: " + "; ".join(
                    f"{n}: {r}" for n, r in excluded.items()
                )
            else:
                certain, undecided, reason = _candidates(estimates, need, target)
            pool = certain or undecided
            if not pool:
                rows.append(
                    GuideRow(
                        fresh.label,
                        fresh.change_every_months,
                        fresh.split,
                        need,
                        0.0,
                        math.inf,
                        None,
                        None,
                        (),
                        (),
                        reason,
                    )
                )
                continue
            for low, high, best in cheapest_by_volume([by_name[n] for n in pool], months):
                note = reason
                cheaper_unsure = [
                    n for n in undecided if certain and _cheaper_in_band(by_name[n], best, low, high, months)
                ]
                if cheaper_unsure:
                    note += f"; {', '.join(cheaper_unsure)} would cost less here but might miss the target"
                rows.append(
                    GuideRow(
                        fresh.label,
                        fresh.change_every_months,
                        fresh.split,
                        need,
                        low,
                        high,
                        best.name if certain else None,
                        best.name,
                        tuple(certain),
                        tuple(undecided),
                        note,
                    )
                )
    return rows


def _cheaper_in_band(candidate: Approach, best: Approach, low: float, high: float, months: int) -> bool:
    """True when ``candidate`` costs less than ``best`` somewhere in the band ``[low, high)``.

    Between two volumes where the cheaper of the two changes (:func:`crossing_volumes`) one of
    them is cheaper throughout, so probing ``low``, each stretch between those volumes inside
    the band, and ``high`` is enough.
    """
    inside = [v for v in crossing_volumes(candidate, best, months) if low < v < high]
    ends = [low, *inside, high if math.isfinite(high) else 2 * max([low, *inside]) + 1]
    probes = [low, *((x + y) / 2 for x, y in itertools.pairwise(ends)), ends[-1]]
    return any(total_cost(candidate, v, months) < total_cost(best, v, months) for v in probes)


def _band_text(rows: Sequence[GuideRow]) -> str:
    """The bands of one freshness and accuracy need as one line of text."""
    first = rows[0]
    if first.cheapest is None:
        return first.reason
    if len(rows) == 1:
        choice = f"{first.cheapest} at any volume"
    else:
        parts = [f"{first.cheapest} below {format_volume(first.volume_to)}/month"]
        parts += [
            f"{r.cheapest} from {format_volume(r.volume_from)} to {format_volume(r.volume_to)}/month"
            for r in rows[1:-1]
        ]
        parts.append(f"{rows[-1].cheapest} above {format_volume(rows[-1].volume_from)}/month")
        choice = ", ".join(parts)
    if first.winner is None:
        return f"{first.reason}; cheaper: {choice}"
    return choice


def guide_summary(rows: Sequence[GuideRow]) -> list[dict[str, str]]:
    """One row per accuracy need, one column per freshness need: who wins at which monthly volume."""
    needs = list(dict.fromkeys(r.need for r in rows))
    freshness = list(dict.fromkeys(r.freshness for r in rows))
    table = []
    for need in needs:
        line = {"accuracy need": need}
        for fresh in freshness:
            line[fresh] = _band_text([r for r in rows if r.need == need and r.freshness == fresh])
        table.append(line)
    return table
