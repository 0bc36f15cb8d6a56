"""Lab 9 (benchmark): the headline comparisons of the benchmark, each with its verdict.

Each pair (A, B) is compared on every split but ``train`` on the same questions: the paired
difference B - A with its bootstrap interval, and the verdict of :func:`domainllm.metrics.verdict`
(an exact McNemar test for accuracy) with the smallest difference the sample could detect.
"""

from __future__ import annotations

from typing import Any

from domainllm.metrics.significance import verdict
from domainllm.metrics.stats import paired_bootstrap

# The headline metric: accuracy, by the answer form (failure_reasons.is_correct): a value must
# match the gold value, not merely appear inside a long answer; a "which of A or B" question is
# right only when the answer names the one chosen. Token F1 gives partial credit for an answer's
# shape ("10 days" against "30 days" scores 0.5), and "contains" rewards long or echoed answers.
HEADLINE_METRIC = "accuracy"
HEADLINE_COMPARISONS = (
    ("closed_book", "compressed_rag"),
    ("closed_book", "sft_closed_book"),
    ("naive_rag", "compressed_rag"),
    ("compressed_rag", "span_reader_rag"),
    ("compressed_rag", "raft_rag"),
    ("raft_rag", "raft_dpo_rag"),
)


def comparisons(
    results: dict[str, dict[str, dict[str, Any]]], metric: str = HEADLINE_METRIC
) -> list[dict[str, Any]]:
    """The headline pairs on every held-out split: the paired difference with its interval, and the
    verdict (exact McNemar test for accuracy; ``verdict`` names the test) with the smallest
    difference the sample could detect."""
    rows = []
    for a, b in HEADLINE_COMPARISONS:
        if a not in results or b not in results:
            continue
        for split in [s for s in results[a] if s != "train"]:
            if split not in results[b]:
                continue
            first = results[a][split]["per_question"].get(metric, [])
            second = results[b][split]["per_question"].get(metric, [])
            if len(first) < 2 or len(first) != len(second):
                continue  # the metric is not defined here (CUAD's clause questions have no value accuracy)
            test = paired_bootstrap(first, second)
            outcome = verdict(first, second)
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "split": split,
                    "metric": metric,
                    **test.to_dict(),
                    "p_value": outcome.p_value,
                    "test": outcome.test,
                    "verdict": outcome.label,
                    "significant": outcome.label != "not distinguishable",
                    "verdict_text": str(outcome),
                    "detectable": outcome.detectable,
                }  # fmt: skip
            )
    return rows
