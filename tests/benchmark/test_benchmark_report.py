"""Lab 9's report helpers: metric tables, summary numbers and verdicts, the Pareto chart, glued values."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from domainllm.benchmark.benchmark_report import (  # noqa: E402
    benchmark_glue,
    interval,
    metric_means_table,
    pareto_chart,
    summary_glue,
    summary_table,
    summary_verdicts,
    usage_table,
)


def _metric(mean: float) -> dict[str, float]:
    return {"mean": mean, "low": mean - 0.1, "high": mean + 0.1, "n": 8}


def _split(accuracy: float, prompt: float) -> dict[str, Any]:
    metrics = {"accuracy": _metric(accuracy), "contains": _metric(accuracy), "f1": _metric(accuracy / 2)}
    return {"metrics": metrics, "prompt_tokens": prompt, "completion_tokens": 10.0, "seconds_per_answer": 0.5}


def _summary(key_terms: float, rouge: float, words: int) -> dict[str, Any]:
    metrics = {
        "key_terms": _metric(key_terms),
        "rouge_l_f1": _metric(rouge),
        "rouge_l_recall": _metric(rouge),
    }
    outputs = [{"id": "s1", "doc_id": "SUP-00001", "summary": " ".join(["word"] * words)}]
    return {"n": 1, "metrics": metrics, "outputs": outputs, "tokens": {"prompt": 300.4}}


BENCH = {
    "config": {"questions_per_split": 8, "summary_ids": ["s1"]},
    "results": {
        "closed_book": {
            "dev": _split(0.6, 50.0),
            "test_paraphrase": _split(0.1, 50.0),
            "test_fresh": _split(0.0, 50.0),
        },
        "compressed_rag": {
            "dev": _split(0.5, 900.0),
            "test_paraphrase": _split(0.5, 900.0),
            "test_fresh": _split(0.4, 900.0),
        },
    },
    "comparisons": [
        {
            "a": "closed_book",
            "b": "compressed_rag",
            "split": "test_fresh",
            "diff": 0.4,
            "low": 0.2,
            "high": 0.6,
            "verdict_text": "better (+0.40, McNemar p = 0.008, n = 8)",
        }  # fmt: skip
    ],
    "summaries": {"closed_book": _summary(0.0, 0.3, 60), "compressed_rag": _summary(0.25, 0.2, 40)},
}


def test_metric_means_table_marks_metrics_not_measured() -> None:
    table = metric_means_table(BENCH["results"], "test_paraphrase")
    assert table.loc["Advanced RAG (compressed)", "accuracy"] == "0.50"
    assert table.loc["Advanced RAG (compressed)", "contains gold (rewards long answers)"] == "0.50"
    assert table.loc["Advanced RAG (compressed)", "exact match"] == "–"


def test_summary_numbers_and_verdicts() -> None:
    summaries = BENCH["summaries"]
    table = summary_table(summaries)
    assert (
        table.loc["Advanced RAG (compressed)", "words"] == 40
        and table.loc["Advanced RAG (compressed)", "prompt tokens"] == 300
    )
    values = summary_glue(summaries, BENCH["config"]["summary_ids"])
    assert values["lab09_summary_n"] == "1"
    assert values["lab09_best_summarizer"] == "Advanced RAG (compressed)"  # most key terms
    assert values["lab09_best_by_rouge"] == "Base model, closed-book"  # ROUGE-L would crown the other
    assert values["lab09_rouge_closed_book"] == interval(summaries["closed_book"]["metrics"]["rouge_l_f1"])
    verdicts = summary_verdicts(summaries)
    assert verdicts["lab09_summary_finding"].startswith(
        "Advanced RAG (compressed) states the most key terms (0.25"
    )
    assert verdicts["lab09_summary_length"].startswith(
        "Advanced RAG (compressed) writes the shortest summaries (40 words"
    )
    nothing = {name: _summary(0.0, 0.1, 10) for name in summaries}
    assert summary_verdicts(nothing)["lab09_summary_finding"].startswith("no system states")


def test_usage_table_pareto_chart_and_glue() -> None:
    held_out = ("test_paraphrase", "test_fresh")
    points = {"Base model, closed-book": (60_000.0, 0.05), "Advanced RAG (compressed)": (910_000.0, 0.45)}
    front = list(points)
    usage = usage_table(BENCH["results"], held_out, front)
    assert (
        usage.loc["Advanced RAG (compressed)", "prompt tokens"] == 900
        and usage.loc["Advanced RAG (compressed)", "on the Pareto front"]
    )
    figure = pareto_chart(points, front)
    assert figure.axes[0].get_xscale() == "log"
    plt.close(figure)
    values = benchmark_glue(BENCH, held_out, front)
    # chosen on dev, where the closed-book model leads, although advanced RAG leads on the tests
    assert values["lab09_best_system"] == "Base model, closed-book" and values["lab09_chosen_on"] == "dev"
    assert values["lab09_verdict_closed_book_compressed_rag_test_fresh"].startswith("better (+0.40")
    assert values["lab09_detectable"] == "0.70"
    assert values["lab09_acc_compressed_rag_test_fresh"] == "0.40 [0.30, 0.50]"
    assert values["lab09_diff_closed_book_compressed_rag_test_fresh"] == "+0.40 [+0.20, +0.60]"
    assert (
        values["lab09_n_per_split"] == "8"
        and values["lab09_pareto"] == "Base model, closed-book, Advanced RAG (compressed)"
    )
