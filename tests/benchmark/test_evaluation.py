"""Sampling and scoring of answered questions."""

from __future__ import annotations

import pytest

from domainllm.benchmark.evaluation import answer_scores, pipeline_report, retrieval_scores, sample_questions
from domainllm.corpus.questions import Evidence, Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.pipeline import RagAnswer


def _question(i: int, answer: str = "30 days", evidence: tuple[Evidence, ...] = ()) -> Question:
    return Question(
        f"q{i}", f"question {i}?", answer, ("thirty days",), evidence, "c", "test_paraphrase", "T"
    )


def test_sample_is_seeded_ordered_and_bounded() -> None:
    questions = [_question(i) for i in range(50)]
    first, again = sample_questions(questions, 10, seed=3), sample_questions(questions, 10, seed=3)
    assert first == again and len(first) == 10
    assert [q.id for q in first] == sorted((q.id for q in first), key=lambda s: int(s[1:]))
    assert sample_questions(questions, None) == questions and sample_questions(questions, 99) == questions
    with pytest.raises(ValueError):
        sample_questions(questions, 0)


def test_answer_scores_use_aliases() -> None:
    answers = [RagAnswer(_question(1), "Thirty days"), RagAnswer(_question(2), "about a week")]
    scores = answer_scores(answers)
    assert scores["em"] == [1.0, 0.0] and scores["contains"] == [1.0, 0.0]
    # "about a week" vs "30 days": no shared token -> F1 0
    assert scores["f1"][1] == 0.0


def test_retrieval_scores_against_evidence_spans() -> None:
    evidence = (Evidence("D", 100, 150),)
    hit = Chunk("D:f:1", "D", 90, 200, "x" * 110)
    miss = Chunk("D:f:0", "D", 0, 90, "x" * 90)
    scores = retrieval_scores([_question(1, evidence=evidence)], [[miss, hit]], k=2)
    # relevant chunk at rank 2: recall@2 = 1, MRR = 1/2, context precision = precision@2 = 1/2
    assert scores["recall@k"] == [1.0] and scores["mrr"] == [0.5] and scores["context_precision"] == [0.5]
    assert scores["context_recall"] == [1.0]


def test_report_is_json_ready_with_intervals_tokens_and_latency() -> None:
    answers = [RagAnswer(_question(i), "30 days", [], 100 + i, 5, 0.5) for i in range(4)]
    report = pipeline_report(answers)
    assert report["n"] == 4 and report["metrics"]["em"]["mean"] == 1.0
    assert report["metrics"]["em"]["low"] <= 1.0 <= report["metrics"]["em"]["high"]
    assert report["prompt_tokens"] == 101.5 and report["seconds_per_answer"] == 0.5
