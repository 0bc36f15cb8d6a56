"""RAG targets read off a `bench rag` result: met, missed (with why) or not measured."""

from __future__ import annotations

from typing import Any

from domainllm.benchmark.rag_targets import format_targets, rag_targets


def estimate(values: list[float]) -> dict[str, float]:
    mean = sum(values) / len(values)
    return {"mean": mean, "low": min(values), "high": max(values), "n": len(values)}


def pipeline(recall: list[float] | None, f1: list[float], p50: float | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"metrics": {"f1": estimate(f1)}, "per_question": {"f1": f1}}
    if recall is not None:
        report["retrieval_at_target_k"] = {
            "n": len(recall),
            "k": 5,
            "metrics": {"recall@k": estimate(recall)},
            "per_question": {"recall@k": recall},
        }
    if p50 is not None:
        report["latency_ms"] = {"p50": p50, "p95": 2 * p50}
    return report


def result(
    naive_recall: list[float], best_recall: list[float], best_f1: list[float], chunks_per_s: float
) -> dict[str, Any]:
    return {
        "split": "test_paraphrase",
        "pipelines": {
            "closed_book": pipeline(None, [0.1, 0.1, 0.1, 0.1]),
            "naive_rag": pipeline(naive_recall, [0.3, 0.3, 0.3, 0.3], p50=12.0),
            "advanced_rag": pipeline(best_recall, best_f1, p50=15.0),
        },
        "indexing": {"chunks": 256, "mean_chars": 1000.0, "seconds": 1.0, "chunks_per_s": chunks_per_s},
    }


def test_every_target_met() -> None:
    verdicts = rag_targets(result([1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5], 250.0))
    assert [v.ok for v in verdicts] == [True, True, True, True, True]
    assert "advanced_rag" in verdicts[0].measured and "1.000" in verdicts[0].measured
    assert "+0.250" in verdicts[1].measured
    assert "1.67×" in verdicts[2].measured
    assert all(not v.note for v in verdicts)


def test_misses_say_why() -> None:
    verdicts = rag_targets(result([1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0, 1.0], [0.33, 0.33, 0.33, 0.33], 40.0))
    recall, gain, f1, latency, indexing = verdicts
    assert recall.ok is False and "0.750" in recall.measured and recall.note
    assert gain.ok is True  # +0.25 over naive
    assert f1.ok is False and f1.note  # 0.33 / 0.30 = 1.1x
    assert latency.ok is True
    assert indexing.ok is False and "40 chunks/s" in indexing.measured and indexing.note
    text = format_targets(verdicts)
    assert text.count("MISSED") == 3 and text.count("why:") == 3


def test_a_run_without_naive_rag_leaves_the_relative_targets_unjudged() -> None:
    run = result([1.0], [1.0], [0.5], 250.0)
    del run["pipelines"]["naive_rag"]
    verdicts = rag_targets(run)
    assert verdicts[1].ok is None and verdicts[2].ok is None
    assert verdicts[0].ok is True


def test_a_closed_book_only_run_measures_nothing_but_says_so() -> None:
    run = {"split": "test_fresh", "pipelines": {"closed_book": pipeline(None, [0.2])}}
    verdicts = rag_targets(run)
    assert [v.ok for v in verdicts] == [None] * 5
    assert "NOT MEASURED" in format_targets(verdicts)


def test_a_ratio_met_on_the_means_but_not_beyond_noise_carries_a_caveat() -> None:
    run = result([1.0, 0.0], [1.0, 1.0], [0.0, 0.9, 0.0, 0.9], 250.0)  # F1 0.45 vs 0.30: -0.3 or +0.6
    f1 = rag_targets(run)[2]
    assert f1.ok is True and "includes 0" in f1.note
    assert "note: met on the means" in format_targets([f1])
