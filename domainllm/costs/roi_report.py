"""Lab 10 (ROI): the tables, charts and glued numbers of the cost comparison.

The lab prices lab 9's measurements with :class:`~domainllm.costs.roi.RoiModel`, finds
break-even volumes (:func:`~domainllm.costs.model.break_even_volume`), varies one input at a time
(:func:`~domainllm.costs.sensitivity.sensitivity`) and builds a decision guide. These helpers
turn the results into the tables and charts the lab shows and the ``{name: value}`` mappings its
text pastes (``lab10_...``), so the lab's cells keep the cost model, the break-even and the
sensitivity analysis in view instead of the formatting. Self-hosted serving's tables are in
:mod:`domainllm.costs.hosted_report`.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from domainllm.costs.benchmark_inputs import APPROACHES, measured_inputs
from domainllm.costs.break_even_tables import break_even_rows, break_even_sentence, format_volume
from domainllm.costs.cost_plots import cumulative_cost_plot, tornado_plot, volume_cost_plot
from domainllm.costs.decision_guide import COST_ONLY, DEFAULT_FRESHNESS, MOST_ACCURATE, GuideRow, quality
from domainllm.costs.hosted_report import replicas_text
from domainllm.costs.model import HOURS_PER_MONTH, Approach, SelfHostedServing, break_even_volume, total_cost
from domainllm.costs.sensitivity import SensitivityBar
from domainllm.metrics.stats import Estimate

HELD_OUT = ("test_paraphrase", "test_fresh")
_NAMES = {spec.key: spec.name for spec in APPROACHES}


def _volume_axis(figure: Figure, axis: int = 0) -> None:
    figure.axes[axis].xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_volume(x)))


def measured_table(results: Mapping[str, Any], measured: Mapping[str, float]) -> pd.DataFrame:
    """Per approach: its lab 9 system, measured tokens and throughput, and accuracy on the held-out splits."""
    return pd.DataFrame(
        {
            spec.name: {
                "system (lab 9)": results["systems"][spec.system]["label"],
                "prompt tokens": round(measured[f"{spec.key}.prompt_tokens"]),
                "completion tokens": round(measured[f"{spec.key}.completion_tokens"], 1),
                "tokens/s (this CPU)": round(measured[f"{spec.key}.tokens_per_second"]),
                **{f"accuracy, {split}": str(quality(results, spec.system, split)) for split in HELD_OUT},
            }
            for spec in APPROACHES
        }
    ).T


def training_table(results: Mapping[str, Any]) -> pd.DataFrame:
    """Per fine-tuned approach: its training run's seconds, tokens, examples and steps."""
    return pd.DataFrame(
        {
            spec.name: {
                "training run": spec.training_run,
                "seconds (this CPU)": round(results["training"][spec.training_run]["seconds"]),
                "training tokens": results["training"][spec.training_run]["train_tokens"],
                "examples": results["training"][spec.training_run]["examples"],
                "steps": results["training"][spec.training_run]["steps"],
            }
            for spec in APPROACHES
            if spec.training_run
        }
    ).T


def cost_items_table(
    approaches: Mapping[str, Approach], queries_per_month: float | None = None
) -> pd.DataFrame:
    """Every cost item of every approach, indexed by approach, when it is paid and item.

    Per-query items are shown per 1,000 queries; retraining once per cadence; self-hosted
    replicas per month at ``queries_per_month`` (required when an approach has them).
    """
    items = []
    for approach in approaches.values():
        if approach.serving and queries_per_month is None:
            raise ValueError(f"{approach.name} pays self-hosted replicas: give queries_per_month")
        for serving in approach.serving:
            paid = f"per month at {format_volume(queries_per_month)} queries"
            items.append(
                {
                    "approach": approach.name,
                    "paid": paid,
                    "item": f"{serving.item}: {serving.replicas(queries_per_month)}",
                    "cost": serving.monthly_cost(queries_per_month),
                }
            )
        parts = approach.to_dict()["items"]
        for kind, unit in (
            ("one_off", "once"),
            ("fixed_monthly", "per month"),
            ("per_query", "per 1,000 queries"),
        ):
            for item, cost in parts[kind].items():
                scale = 1000 if kind == "per_query" else 1
                items.append({"approach": approach.name, "paid": unit, "item": item, "cost": cost * scale})
        if approach.retrain_every_months:
            paid = f"every {approach.retrain_every_months} months"
            items.append(
                {"approach": approach.name, "paid": paid, "item": "retraining", "cost": approach.retrain_cost}
            )
    return pd.DataFrame(items).set_index(["approach", "paid", "item"])


def break_even_table(
    approaches: Mapping[str, Approach], horizons: Sequence[int | None] = (12, 24, None)
) -> pd.DataFrame:
    """:func:`~domainllm.costs.break_even_tables.break_even_rows` with the volumes written for reading.

    When self-hosted replicas make the cheaper approach change more than once, two more columns
    say how often and above which volume it no longer does.
    """
    table = pd.DataFrame(break_even_rows(approaches, horizons=horizons))
    table["queries per month"] = table.pop("break_even_queries_per_month").map(format_volume)
    settled = table.pop("settled_queries_per_month").map(format_volume)
    crossings = table.pop("crossings")
    if (crossings > 1).any():
        table["changes"] = crossings
        table["settled above"] = settled
    return table


def _rows_by_pair(approaches: Mapping[str, Approach], horizons: Sequence[int | None]) -> dict[tuple, dict]:
    return {(r["pair"], r["horizon"]): r for r in break_even_rows(approaches, horizons=horizons)}


def _pair(approaches: Mapping[str, Approach], a: str, b: str) -> str:
    return f"{approaches[a].name} vs {approaches[b].name}"


def break_even_glue(approaches: Mapping[str, Approach]) -> dict[str, str]:
    """RAG against the fine-tuned model over 12 and 24 months and in the steady state, and the
    12-month break-even of each against the combined approach (``lab10_be_...``)."""
    rows = _rows_by_pair(approaches, (12, 24, None))
    rag_ft = _pair(approaches, "rag", "fine_tuned")
    values = {}
    for horizon, tag in (("12 months", "12"), ("24 months", "24"), ("steady state", "steady")):
        row = rows[(rag_ft, horizon)]
        values[f"lab10_be_rag_ft_{tag}"] = format_volume(row["break_even_queries_per_month"])
        values[f"lab10_be_rag_ft_{tag}_sentence"] = break_even_sentence(row)
    for other in ("rag", "fine_tuned"):
        row = rows[(_pair(approaches, other, "combined"), "12 months")]
        values[f"lab10_be_{other}_combined_12"] = format_volume(row["break_even_queries_per_month"])
    return values


def cumulative_cost_table(
    approaches: Mapping[str, Approach], volumes: Sequence[float], horizons: Sequence[int] = (12, 24)
) -> pd.DataFrame:
    """Total cost by the end of each horizon (columns) at each monthly volume (rows)."""
    return pd.DataFrame(
        {
            (f"{months} months", a.name): [total_cost(a, v, months) for v in volumes]
            for months in horizons
            for a in approaches.values()
        },
        index=pd.Index([format_volume(v) for v in volumes], name="queries per month"),
    )


def cumulative_cost_panels(approaches: Mapping[str, Approach], fallback_volume: float) -> Figure:
    """Cumulative cost over 12 and 24 months, each at the volume where RAG and the fine-tuned model
    cost the same over that horizon (``fallback_volume`` when they never do)."""
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    for ax, months in zip(axes, (12, 24), strict=True):
        volume = break_even_volume(approaches["rag"], approaches["fine_tuned"], months) or fallback_volume
        title = f"{months} months at {format_volume(volume)} queries/month"
        cumulative_cost_plot(list(approaches.values()), volume, months, title=title, ax=ax)
    return figure


def volume_cost_chart(approaches: Mapping[str, Approach], fallback_volume: float) -> Figure:
    """12-month cost against volume, up to 1.5 times the largest finite break-even volume."""
    finite = [
        v
        for a, b in itertools.combinations(approaches.values(), 2)
        if (v := break_even_volume(a, b, 12)) and v < 1e10
    ]
    figure = volume_cost_plot(
        list(approaches.values()), 1.5 * max(finite, default=fallback_volume), months=12
    )
    _volume_axis(figure)
    return figure


@dataclass(frozen=True)
class TornadoMetric:
    """What the tornado chart measures: the 12-month break-even volume of ``first`` and ``second``.

    :meth:`for_approaches` picks the first pair of approaches that has a break-even; when none
    has, the metric is the 12-month cost of ``second`` minus ``first`` at ``reference_volume``.
    Call it on costed approaches (what :func:`~domainllm.costs.sensitivity.sensitivity` does).
    With self-hosted replicas (``stepped``) the break-even is the first volume at which the
    cheaper approach changes.
    """

    first: str
    second: str
    with_break_even: bool
    reference_volume: float
    currency: str
    stepped: bool = False

    @classmethod
    def for_approaches(cls, approaches: Mapping[str, Approach], reference_volume: float) -> TornadoMetric:
        """The metric for these approaches (see the class)."""
        pairs = [
            p
            for p in itertools.combinations(approaches, 2)
            if break_even_volume(approaches[p[0]], approaches[p[1]], 12)
        ]
        first, second = pairs[0] if pairs else ("rag", "fine_tuned")
        stepped = any(a.serving for a in approaches.values())
        return cls(first, second, bool(pairs), reference_volume, approaches["rag"].currency, stepped)

    def __call__(self, costed: Mapping[str, Approach]) -> float | None:
        if self.with_break_even:
            return break_even_volume(costed[self.first], costed[self.second], 12)
        volume = self.reference_volume
        return total_cost(costed[self.second], volume, 12) - total_cost(costed[self.first], volume, 12)

    @property
    def label(self) -> str:
        """The chart's axis label."""
        if self.with_break_even and self.stepped:
            return "first break-even volume (queries/month, 12 months)"
        if self.with_break_even:
            return "break-even volume (queries/month, 12 months)"
        return (
            f"12-month cost of {_NAMES[self.second]} minus {_NAMES[self.first]} at "
            f"{format_volume(self.reference_volume)} queries/month"
        )

    @property
    def pair(self) -> str:
        """``first and second``, by name."""
        return f"{_NAMES[self.first]} and {_NAMES[self.second]}"

    def text(self, value: float) -> str:
        """A metric value for the text: a volume or an amount, ``no break-even`` for NaN."""
        if math.isnan(value):
            return "no break-even"
        return format_volume(value) if self.with_break_even else f"{value:,.0f} {self.currency}"

    def chart(self, bars: Sequence[SensitivityBar], title: str | None = None) -> Figure:
        """The tornado chart, volumes on a readable axis starting at 0 (room for "no break-even")."""
        title = title or f"{_NAMES[self.first]} vs {_NAMES[self.second]}: what moves the answer"
        figure = tornado_plot(bars, title=title, xlabel=self.label)
        if self.with_break_even:
            figure.axes[0].set_xlim(left=0)
            _volume_axis(figure)
        return figure

    def glue_values(self, bars: Sequence[SensitivityBar], prefix: str = "lab10") -> dict[str, str]:
        """The pair, the base value, the widest bar (its range and effect) and the second widest.

        Keys are ``{prefix}_tornado_pair``, ``{prefix}_tornado_base``, ``{prefix}_widest``,
        ``{prefix}_widest_range``, ``{prefix}_widest_effect`` and ``{prefix}_second``.
        """
        widest = bars[0]
        return {
            f"{prefix}_tornado_pair": self.pair,
            f"{prefix}_tornado_base": self.text(widest.base_metric),
            f"{prefix}_widest": widest.name,
            f"{prefix}_widest_range": f"{widest.low_input:,.4g} to {widest.high_input:,.4g}",
            f"{prefix}_widest_effect": f"{self.text(widest.low_metric)} to {self.text(widest.high_metric)}",
            f"{prefix}_second": bars[1].name if len(bars) > 1 else "none",
        }

    def effects(self, bars: Sequence[SensitivityBar], names: Sequence[str]) -> str:
        """``name`` from low to high moves the result from ... to ..., for each bar named (in ``names`` order).

        For the text next to the chart, e.g. the invented engineering hours; names without a bar
        are skipped, and a bar that does not move the result says so.
        """
        by_name = {bar.name: bar for bar in bars}
        parts = []
        for name in names:
            if name not in by_name:
                continue
            bar = by_name[name]
            span = f"{name} from {bar.low_input:,.4g} to {bar.high_input:,.4g}"
            if bar.low_metric == bar.high_metric == bar.base_metric:
                parts.append(f"{span} leaves it at {self.text(bar.base_metric)}")
            else:
                parts.append(
                    f"{span} moves it from {self.text(bar.low_metric)} to {self.text(bar.high_metric)}"
                )
        return "; ".join(parts) if parts else "none"

    @staticmethod
    def table(bars: Sequence[SensitivityBar]) -> pd.DataFrame:
        """One row per input: its low and high value and the metric at each."""
        rows = [
            {
                "input": b.name,
                "low": b.low_input,
                "high": b.high_input,
                "metric at low": b.low_metric,
                "metric at high": b.high_metric,
            }
            for b in bars
        ]
        return pd.DataFrame(rows).set_index("input")


def accuracy_table(results: Mapping[str, Any]) -> pd.DataFrame:
    """Each approach's measured accuracy with its interval on the held-out splits."""
    return pd.DataFrame(
        {
            spec.name: {split: str(quality(results, spec.system, split)) for split in HELD_OUT}
            for spec in APPROACHES
        }
    ).T


def guide_glue(guide: Sequence[GuideRow], summary: pd.DataFrame) -> dict[str, str]:
    """Three cells of the guide's summary table, their column labels and how many verdicts are undecided."""
    retrained, fresh = DEFAULT_FRESHNESS[1].label, DEFAULT_FRESHNESS[-1].label
    undecided = sum(1 for r in guide if r.winner is None)
    return {
        "lab10_guide_cost_quarterly": summary.loc[COST_ONLY, retrained],
        "lab10_guide_best_retrained": summary.loc[MOST_ACCURATE, retrained],
        "lab10_guide_best_fresh": summary.loc[MOST_ACCURATE, fresh],
        "lab10_fresh_label": fresh,
        "lab10_quarterly_label": retrained,
        "lab10_guide_undecided": f"{undecided} of {len(guide)}",
    }


def swapped_systems_error(results: Mapping[str, Any], measured: Mapping[str, float]) -> str:
    """The error :func:`~domainllm.costs.benchmark_inputs.measured_inputs` raises when the RAG and
    fine-tuned systems' entries are swapped in the results (AssertionError if it raises none)."""
    swapped = copy.deepcopy(results)
    systems = swapped["systems"]
    systems["compressed_rag"], systems["sft_closed_book"] = (
        systems["sft_closed_book"],
        systems["compressed_rag"],
    )
    try:
        measured_inputs(
            swapped, query_tokens=measured["query_tokens"], corpus_tokens=measured["corpus_tokens"]
        )
    except ValueError as error:
        return str(error)
    raise AssertionError("swapped labels were not detected")


@dataclass(frozen=True)
class Corrections:
    """What each of the original analysis's six mistakes looks like once corrected (lab 10, section 9).

    ``always_on``: the original's price of one GPU for a 744-hour month; ``serving``: the
    self-hosted fine-tuned model, costed at ``reference_volume``.
    """

    label_error: str
    no_tokens: float | None
    largest_gap: float
    train: Estimate
    test: Estimate
    always_on: float
    serving: SelfHostedServing
    reference_volume: float
    currency: str

    @property
    def replicas(self) -> int:
        """Replicas the self-hosted fine-tuned model's peak rate needs at the reference volume."""
        return self.serving.replicas(self.reference_volume)

    @property
    def hosted_monthly(self) -> float:
        """Their monthly cost."""
        return self.serving.monthly_cost(self.reference_volume)

    @property
    def gpu_time(self) -> float:
        """The GPU time the month's answers use: what a deployment that scales to zero pays."""
        return self.reference_volume * self.serving.gpu_time_cost_per_query

    def glue_values(self) -> dict[str, str]:
        """The numbers the section's text pastes (``lab10_...``).

        The replicas and their monthly cost appear in :meth:`table`;
        :func:`~domainllm.costs.hosted_report.hosted_glue` pastes them.
        """
        return {
            "lab10_label_error": self.label_error,
            "lab10_no_tokens": format_volume(self.no_tokens),
            "lab10_sft_train_f1": str(self.train),
            "lab10_sft_test_f1": str(self.test),
            "lab10_always_on": f"{self.always_on:,.0f} {self.currency}",
            "lab10_gpu_time": f"{self.gpu_time:,.2f} {self.currency}",
            "lab10_reference_volume": format_volume(self.reference_volume),
            "lab10_hours_per_month": f"{HOURS_PER_MONTH:.0f}",
        }

    def table(self) -> pd.DataFrame:
        """The six mistakes and what this lab shows instead."""
        volume = format_volume(self.reference_volume)
        return pd.DataFrame(
            {
                "original": [
                    "RAG and fine-tuned labels swapped on the radar chart",
                    "token counts measured, never used",
                    "break-even month picked with a constant",
                    "conclusion contradicting its own numbers",
                    "fine-tuned model scored on its training questions",
                    "hosting = hourly price x 744 h, whatever the traffic",
                ],
                "here": [
                    self.label_error,
                    f"without them: break-even volume {format_volume(self.no_tokens)}",
                    f"closed form, checked on the curves (largest gap {self.largest_gap:.1e})",
                    "verdicts computed by cheapest() and decision_guide(), asserted above",
                    f"SFT accuracy: train {self.train.mean:.3f}, test_paraphrase {self.test.mean:.3f}",
                    f"{volume} queries/month: {replicas_text(self.replicas)} for the peak, "
                    f"{self.hosted_monthly:,.0f} a month of {HOURS_PER_MONTH:.0f} h, more with the traffic "
                    f"(GPU time alone: {self.gpu_time:,.2f})",
                ],
            }
        )
