"""Lab 4b's metrics: value accuracy, character-span scores, continuous-eval's token recall."""

from __future__ import annotations

import pytest

from domainllm.corpus.records import Evidence
from domainllm.metrics.recall_overlap import overlap_token_recall, overlap_tokens
from domainllm.metrics.spans import merge_spans, span_overlap, span_scores
from domainllm.metrics.value_match import value_accuracy


@pytest.mark.parametrize(
    ("answer", "references", "expected"),
    [
        ("30 days", ["30 days"], 1.0),
        ("Thirty (30) days.", ["30 days", "thirty (30) days"], 1.0),  # an alias, punctuation ignored
        ("within 30 days", ["30 days"], 1.0),  # a few words around the value are fine
        ("60 days", ["30 days"], 0.0),
        (
            "The Buyer shall pay every invoice within 30 days of receiving it by bank transfer",
            ["30 days"],
            0.0,
        ),
        ("", ["30 days"], 0.0),
        ("30 days", [""], 0.0),
    ],
)
def test_value_accuracy_does_not_reward_long_answers(
    answer: str, references: list[str], expected: float
) -> None:
    assert value_accuracy(answer, references) == expected


def test_value_accuracy_accepts_a_single_string_reference() -> None:
    assert value_accuracy("the State of Delaware", "State of Delaware") == 1.0


def test_spans_are_merged_per_document() -> None:
    spans = [Evidence("A", 10, 20), Evidence("A", 15, 30), Evidence("B", 0, 5), Evidence("A", 40, 40)]
    assert merge_spans(spans) == {"A": [(10, 30)], "B": [(0, 5)]}


def test_span_scores_count_characters() -> None:
    gold = [Evidence("A", 100, 200)]
    # 50 of 100 predicted characters are gold; 50 of 100 gold characters are covered
    half = span_scores([Evidence("A", 150, 250)], gold)
    assert half == pytest.approx({"span_precision": 0.5, "span_recall": 0.5, "span_f1": 0.5})
    # the whole document: recall 1, precision tiny, F1 low: length does not pay
    page = span_scores([Evidence("A", 0, 10_000)], gold)
    assert page["span_recall"] == 1.0 and page["span_precision"] == 0.01 and page["span_f1"] < 0.02
    assert span_scores([Evidence("B", 100, 200)], gold)["span_f1"] == 0.0  # another contract
    assert span_overlap([Evidence("A", 100, 150), Evidence("A", 120, 200)], gold) == (100, 100, 100)


def test_span_scores_of_abstentions() -> None:
    assert span_scores([], [])["span_f1"] == 1.0  # nothing to find, nothing returned
    assert span_scores([], [Evidence("A", 0, 10)]) == {
        "span_precision": 0.0,
        "span_recall": 0.0,
        "span_f1": 0.0,
    }
    assert span_scores([Evidence("A", 0, 10)], [])["span_precision"] == 0.0


def test_overlap_tokens_follow_continuous_eval() -> None:
    # lowercase, punctuation deleted, stop words dropped, numbers unified
    assert overlap_tokens("The Supplier shall pay $2,000 in 30 days.") == [
        "supplier",
        "shall",
        "pay",
        "2000.0",
        "30.0",
        "days",
    ]


def test_overlap_token_recall_counts_distinct_tokens_over_the_reference() -> None:
    # reference tokens: laws state new york (4); the answer has 3 of them
    assert overlap_token_recall("the laws of New York", "the laws of the State of New York") == pytest.approx(
        0.75
    )
    assert overlap_token_recall("", "the laws of New York") == 0.0
    assert overlap_token_recall("new york", ["something else", "New York"]) == 1.0  # best reference
    assert overlap_token_recall("anything", "the of a") == 0.0  # a reference of stop words only
