"""Lab 5's helpers (graph.lab_tables): extraction tables and numbers, the comparison and its chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from domainllm.corpus.records import Question
from domainllm.graph.lab_tables import (
    approach_table,
    comparison_figure,
    comparison_numbers,
    extraction_numbers,
    extraction_requests_table,
    extraction_table,
    sample_table,
)

EXTRACTION = {
    "requests": 3,
    "positives": 2,
    "categories": ["governing_law", "payment_terms"],
    "llm": {
        "per_category": {"governing_law": {"precision": 1.0, "recall": 0.5, "f1": 0.667}},
        "total": {"precision": 1.0, "recall": 0.5, "f1": 0.667},
    },
    "pattern": {"per_category": {}, "total": {"precision": None, "recall": 0.0, "f1": None}},
    "llm_stats": {"valid_first": 2, "valid_after_retry": 0, "rejected": 1, "reasons": {"not in clause": 1}},
    "llm_precision": {"mean": 1.0, "low": 1.0, "high": 1.0, "n": 1},
    "llm_recall": None,
    "results": [
        {
            "category": "governing_law",
            "kind": "name",
            "clause": "Ohio law governs.",
            "replies": ["Ohio"],
            "status": "valid",
            "reasons": [],
            "value": "Ohio",
            "gold": "Ohio",
            "correct": True,
        },
        {
            "category": "payment_terms",
            "kind": "number",
            "clause": "Net 30.",
            "replies": ["x", "y"],
            "status": "rejected",
            "reasons": ["not in clause", "not in clause"],
            "value": None,
            "gold": "30 days",
            "correct": False,
        },
        {
            "category": "payment_terms",
            "kind": "number",
            "clause": "Ohio law governs.",
            "replies": ["30"],
            "status": "valid",
            "reasons": [],
            "value": "30",
            "gold": None,
            "correct": False,
        },
    ],
}


def test_extraction_table_has_a_row_per_field_and_a_micro_total() -> None:
    table = extraction_table(EXTRACTION)
    assert list(table.index) == ["governing_law", "payment_terms", "all (micro)"]
    assert list(table.columns) == [
        "LLM precision",
        "LLM recall",
        "LLM F1",
        "pattern precision",
        "pattern recall",
        "pattern F1",
    ]
    assert table.loc["all (micro)", "LLM F1"] == 0.67


def test_extraction_numbers_are_what_the_text_quotes() -> None:
    numbers = extraction_numbers(EXTRACTION)
    assert numbers["llm_precision"] == "1.00 [1.00, 1.00]"
    assert numbers["llm_recall"] == "undefined (no value returned)"
    assert numbers["pattern_sample_f1"] == "undefined" and numbers["llm_f1"] == "0.67"
    assert numbers["llm_reasons"] == "not in clause 1"
    assert numbers["llm_recall_by_kind"] == "name 1.00 (1), number 0.00 (1)"
    assert numbers["llm_negatives"] == 1 and numbers["llm_false_values"] == 1
    requests = extraction_requests_table(EXTRACTION)
    assert requests["refused because"].tolist() == ["-", "not in clause", "-"]
    assert requests["gold"].tolist()[2] == "(states another field)"


def _question(kind: str, i: int) -> Question:
    return Question(f"{kind}{i}", f"A {kind} question {i}?", "x", (), (), "parties", "t", "T", kind)


def test_sample_table_counts_kinds() -> None:
    questions = [_question(k, i) for k in ("list", "count") for i in range(3)]
    table = sample_table(questions, questions[::3], ["list", "count"])
    assert table.loc["list", "in the split"] == 3 and table.loc["count", "in the sample"] == 1


def _score(set_f1: float, per_question: list[float]) -> dict:
    metric = {"mean": set_f1, "low": max(0.0, set_f1 - 0.1), "high": min(1.0, set_f1 + 0.1), "n": 4}
    return {
        "metrics": {m: metric for m in ("set_f1", "list_f1", "count", "compare", "amended")},
        "per_question": [{"f1": f} for f in per_question],
    }


def test_comparison_numbers_pick_the_best_approach_and_its_ratio_to_vector_rag() -> None:
    reports = {
        "vector RAG": _score(0.2, [0.2, 0.2, 0.2, 0.2]),
        "graph RAG": _score(0.6, [0.6, 0.6, 0.6, 0.6]),
        "map-reduce": _score(0.8, [0.8, 0.8, 0.8, 0.8]),
    }
    seconds = {"vector RAG": 1.0, "graph RAG": 0.5, "map-reduce": 0.25}
    numbers = comparison_numbers(reports, seconds, reports["map-reduce"], seed=0)
    assert numbers["best_approach"] == "map-reduce" and numbers["best_f1"] == 0.8
    assert numbers["ratio"] == "4.0" and numbers["target"] == "meets"
    assert numbers["graph_seconds"] == "0.50" and numbers["mapreduce_count"] == "0.80"
    assert numbers["amended_vector"].startswith("0.200 [")
    assert approach_table(reports, seconds).loc["graph RAG", "s/question"] == 0.5
    figure = comparison_figure(reports)
    assert len(figure.axes) == 2
    plt.close(figure)
