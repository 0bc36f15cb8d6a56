"""Lab 7's comparison at full size: committed scores when they describe the page's adapters, live
ones (with the reason) when not, and a live check that fails when the two part."""

from __future__ import annotations

import pytest

from domainllm.benchmark.committed import LiveCheckError
from domainllm.benchmark.sft_results import full_size_results, sft_lab_questions, sft_live_check, why_live
from domainllm.config import Settings
from domainllm.corpus.records import Question


def _report(scores: list[float]) -> dict:
    return {"per_question": {"accuracy": scores, "f1": scores}, "metrics": {}}


def _record(ids: list[str], scores: list[float], scale: float = 1.0) -> dict:
    return {
        "refresh": "python -m domainllm bench all --save",
        "bench": {
            "config": {
                "question_ids": {"dev": ids},
                "questions_per_split": len(ids),
                "settings": {"scale": scale},
            },
            "results": {"raft_rag": {"dev": _report(scores)}},
        },
    }


def _questions(ids: list[str]) -> dict[str, list[Question]]:
    return {"dev": [Question(i, "q?", "30 days", (), (), "notice", "dev", "t") for i in ids]}


FULL_IDS = [f"q{i}" for i in range(16)]
FULL_SCORES = [1.0] * 8 + [0.0] * 8


def test_the_committed_scores_are_used_when_they_describe_the_page() -> None:
    live = {"raft_rag": {"dev": _report([1.0, 0.0])}}
    full, source = full_size_results(_record(FULL_IDS, FULL_SCORES), live, True, Settings())
    assert full["raft_rag"]["dev"]["per_question"]["f1"] == FULL_SCORES
    assert source.startswith("committed (16 questions per split")


@pytest.mark.parametrize(
    ("record", "book_recipes", "settings", "reason"),
    [
        (None, True, Settings(), "no committed benchmark"),
        (_record(FULL_IDS, FULL_SCORES), False, Settings(), "other recipes"),
        (_record(FULL_IDS, FULL_SCORES), True, Settings(scale=2), "DOMAINLLM_SCALE"),
    ],
)
def test_otherwise_the_live_scores_are_used_and_nothing_is_checked(
    record, book_recipes, settings, reason
) -> None:
    live = {"raft_rag": {"dev": _report([1.0, 0.0])}}
    full, source = full_size_results(record, live, book_recipes, settings)
    assert full["raft_rag"]["dev"]["per_question"]["f1"] == [1.0, 0.0]
    assert reason in source and reason in (why_live(record, book_recipes, settings) or "")
    assert sft_live_check(record, live, _questions(["q0", "q8"]), book_recipes, settings) == []


def test_the_live_check_compares_the_same_questions_and_fails_when_they_part() -> None:
    record = _record(FULL_IDS, FULL_SCORES)
    rows = sft_live_check(record, {"raft_rag": {"dev": _report([1.0, 0.0])}}, _questions(["q0", "q8"]))
    assert rows[0]["within"] and rows[0]["live"] == 0.5
    wrong = {"raft_rag": {"dev": _report([0.0] * 6)}}  # committed: all six right
    with pytest.raises(LiveCheckError, match="raft_rag on dev"):
        sft_live_check(record, wrong, _questions([f"q{i}" for i in range(6)]))


@pytest.mark.slow  # the fingerprints hash the training data, which retrieval builds
def test_the_live_questions_are_a_subsample_of_the_committed_ones() -> None:
    from domainllm.benchmark.committed import load_committed

    record = load_committed()
    questions, returned = sft_lab_questions()
    assert returned == record and "test_multidoc" not in questions
    for split, sample in questions.items():
        assert {q.id for q in sample} <= set(record["bench"]["config"]["question_ids"][split])
