"""Lab 9 (benchmark): the tables, charts and glued numbers of the systems compared.

:func:`~domainllm.benchmark.systems.load_or_run_benchmark` returns one JSON-ready record: every
system's answers, metrics (mean and 95% interval) and token counts per split, the paired tests of
the headline comparisons and the summarization task's reports. These helpers turn it into the
tables and charts lab 9 shows and the ``{name: value}`` mappings its text pastes (``lab09_...``),
so the lab's cells keep the comparison itself in view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from domainllm.benchmark.comparisons import HEADLINE_METRIC
from domainllm.benchmark.systems import SYSTEMS_BY_NAME
from domainllm.metrics.significance import minimum_detectable_difference

# Every answer metric the benchmark records, as the lab's table names it.
METRIC_NAMES = {
    "accuracy": "accuracy",
    "em": "exact match",
    "contains": "contains gold (rewards long answers)",
    "f1": "token F1",
    "token_recall": "token recall",
    "rouge_l_recall": "ROUGE-L recall",
    "similarity": "embedding similarity",
    "grounded": "grounded",
    "recall@k": "context recall@k",
    "context_precision": "context precision",
}
SUMMARY_METRIC = (
    "key_terms"  # what ranks the summaries; ROUGE-L is shown for comparison with the original labs
)

Results = Mapping[str, Mapping[str, Mapping[str, Any]]]
"""``bench["results"]``: ``{system: {split: report}}``."""


def _label(name: str) -> str:
    return SYSTEMS_BY_NAME[name].label


def interval(estimate: Mapping[str, float]) -> str:
    """A metric's ``{"mean", "low", "high"}`` as ``mean [low, high]`` to two decimals."""
    return f"{estimate['mean']:.2f} [{estimate['low']:.2f}, {estimate['high']:.2f}]"


def metric_means_table(results: Results, split: str, names: Mapping[str, str] = METRIC_NAMES) -> pd.DataFrame:
    """Systems x metrics: each metric's mean on ``split`` to two decimals ("–" where not measured)."""
    return pd.DataFrame(
        {
            _label(name): {
                label: f"{splits[split]['metrics'][m]['mean']:.2f}" if m in splits[split]["metrics"] else "–"
                for m, label in names.items()
            }
            for name, splits in results.items()
        }
    ).T


def mean_words(report: Mapping[str, Any]) -> float:
    """Mean length in words of the summaries in one system's summarization report."""
    return sum(len(o["summary"].split()) for o in report["outputs"]) / report["n"]


def _best(summaries: Mapping[str, Mapping[str, Any]], metric: str) -> str:
    return max(summaries, key=lambda n: summaries[n]["metrics"][metric]["mean"])


def summary_table(summaries: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per system: key terms covered, ROUGE-L F1 and recall with intervals, words, prompt tokens."""
    return pd.DataFrame(
        {
            _label(name): {
                "key terms covered": interval(report["metrics"]["key_terms"]),
                "ROUGE-L F1": interval(report["metrics"]["rouge_l_f1"]),
                "ROUGE-L recall": interval(report["metrics"]["rouge_l_recall"]),
                "words": round(mean_words(report)),
                "prompt tokens": round(report["tokens"]["prompt"]),
            }
            for name, report in summaries.items()
        }
    ).T


def summary_glue(summaries: Mapping[str, Mapping[str, Any]], summary_ids: Sequence[str]) -> dict[str, str]:
    """The summarization numbers lab 9's text pastes: sample size, best systems, each system's scores."""
    values = {
        "lab09_summary_n": str(len(summary_ids)),
        "lab09_best_summarizer": _label(_best(summaries, SUMMARY_METRIC)),
        "lab09_best_by_rouge": _label(_best(summaries, "rouge_l_f1")),
    }
    for name, report in summaries.items():
        values[f"lab09_rouge_{name}"] = interval(report["metrics"]["rouge_l_f1"])
        values[f"lab09_key_terms_{name}"] = interval(report["metrics"]["key_terms"])
        values[f"lab09_summary_words_{name}"] = str(round(mean_words(report)))
    return values


def summary_verdicts(summaries: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Two sentences: which system states the most key terms, and which writes the shortest summaries.

    The second compares with the base model (``closed_book``) and, when the shortest writer is
    fine-tuned, says that the cost of fine-tuning for one task shows up in another.
    """
    best = _best(summaries, SUMMARY_METRIC)
    coverage = summaries[best]["metrics"][SUMMARY_METRIC]["mean"]
    verdict = (
        "no system states a single key term in the form the fact table gives it"
        if coverage == 0
        else f"{_label(best)} states the most key terms ({interval(summaries[best]['metrics'][SUMMARY_METRIC])})"
    )
    shortest = min(summaries, key=lambda n: mean_words(summaries[n]))
    length = (
        f"{_label(shortest)} writes the shortest summaries "
        f"({mean_words(summaries[shortest]):.0f} words on average, against "
        f"{mean_words(summaries['closed_book']):.0f} for the base model)"
    )
    if SYSTEMS_BY_NAME[shortest].fine_tuned:
        length += (
            ": trained on short answers, it is short everywhere, a cost of fine-tuning for one task"
            " that a benchmark of that task alone would not show"
        )
    return {"lab09_summary_finding": verdict, "lab09_summary_length": length}


def pareto_chart(points: Mapping[str, tuple[float, float]], front: Sequence[str]) -> Figure:
    """Each system at (tokens per 1,000 questions, accuracy), the Pareto front in blue and joined."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, (cost, quality) in points.items():
        ax.scatter(cost, quality, s=60, color="#1f77b4" if label in front else "#999999", zorder=3)
        ax.annotate(label, (cost, quality), textcoords="offset points", xytext=(6, 4), fontsize=8)
    line = sorted(points[label] for label in front)
    ax.plot(
        [c for c, _ in line],
        [q for _, q in line],
        color="#1f77b4",
        linewidth=1,
        linestyle="--",
        label="Pareto front",
    )
    ax.set_xscale("log")
    ax.set_xlabel("tokens per 1,000 questions (log scale)")
    ax.set_ylabel("accuracy, mean of paraphrase and fresh")
    ax.set_title("Quality against cost")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def usage_table(results: Results, held_out: Sequence[str], front: Sequence[str]) -> pd.DataFrame:
    """Per system, means over ``held_out``: prompt and completion tokens, seconds per answer, on the front."""

    def mean(splits: Mapping[str, Mapping[str, Any]], key: str) -> float:
        return sum(splits[s][key] for s in held_out) / len(held_out)

    return pd.DataFrame(
        {
            _label(name): {
                "prompt tokens": round(mean(splits, "prompt_tokens")),
                "completion tokens": round(mean(splits, "completion_tokens"), 1),
                "seconds per answer (this CPU)": round(mean(splits, "seconds_per_answer"), 2),
                "on the Pareto front": _label(name) in front,
            }
            for name, splits in results.items()
        }
    ).T


def benchmark_glue(bench: Mapping[str, Any], held_out: Sequence[str], front: Sequence[str]) -> dict[str, str]:
    """The numbers lab 9's text pastes: the system chosen on ``dev``, every accuracy and paired test.

    ``lab09_acc_<system>_<split>`` is the headline accuracy with its interval,
    ``lab09_diff_<a>_<b>_<split>`` the paired difference B - A with its interval and
    ``lab09_verdict_<a>_<b>_<split>`` the verdict of :func:`domainllm.metrics.verdict` on it. The
    best system is chosen on ``dev`` (on ``held_out`` only when the corpus has no dev split, CUAD).
    """
    results = bench["results"]

    def accuracy(name: str, split: str) -> Mapping[str, float]:
        return results[name][split]["metrics"][HEADLINE_METRIC]

    choice = ["dev"] if all("dev" in splits for splits in results.values()) else list(held_out)
    best = max(results, key=lambda n: sum(accuracy(n, s)["mean"] for s in choice))
    values = {"lab09_best_system": _label(best), "lab09_chosen_on": ", ".join(choice)}
    for name in results:
        for split in results[name]:
            values[f"lab09_acc_{name}_{split}"] = interval(accuracy(name, split))
    for row in bench["comparisons"]:
        values[f"lab09_diff_{row['a']}_{row['b']}_{row['split']}"] = (
            f"{row['diff']:+.2f} [{row['low']:+.2f}, {row['high']:+.2f}]"
        )
        values[f"lab09_verdict_{row['a']}_{row['b']}_{row['split']}"] = row["verdict_text"]
    n = bench["config"]["questions_per_split"]
    values["lab09_detectable"] = f"{minimum_detectable_difference(n):.2f}"
    values["lab09_n_per_split"] = str(bench["config"]["questions_per_split"])
    values["lab09_pareto"] = ", ".join(front)
    return values


def headline_metric(results: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """The metric lab 9 leads with: accuracy where every report has it (value questions), else span F1
    (a corpus of clause questions, such as a CUAD file, where accuracy is not defined)."""
    reports = [report for splits in results.values() for report in splits.values()]
    return HEADLINE_METRIC if all(HEADLINE_METRIC in r["metrics"] for r in reports) else "span_f1"


def estimate_of(report: dict[str, Any], metric: str = HEADLINE_METRIC) -> Any:
    """A split report's metric as an :class:`~domainllm.metrics.stats.Estimate` (for plots)."""
    from domainllm.metrics.stats import Estimate

    return Estimate(**report["metrics"][metric])


def results_table(
    results: dict[str, dict[str, dict[str, Any]]], metric: str = HEADLINE_METRIC, labels: bool = True
) -> Any:
    """Systems x splits table of ``metric`` as "mean [low, high]" (a pandas DataFrame)."""
    import pandas as pd

    rows = {}
    for name, splits in results.items():
        label = SYSTEMS_BY_NAME[name].label if labels and name in SYSTEMS_BY_NAME else name
        rows[label] = {split: str(estimate_of(report, metric)) for split, report in splits.items()}
    return pd.DataFrame(rows).T


def split_chart_data(
    results: dict[str, dict[str, dict[str, Any]]], metric: str = HEADLINE_METRIC
) -> dict[str, dict[str, Any]]:
    """``{split: {system label: Estimate}}`` for :func:`domainllm.plots.grouped_bars`."""
    table: dict[str, dict[str, Any]] = {}
    for name, splits in results.items():
        label = SYSTEMS_BY_NAME[name].label if name in SYSTEMS_BY_NAME else name
        for split, report in splits.items():
            table.setdefault(split, {})[label] = estimate_of(report, metric)
    return table
