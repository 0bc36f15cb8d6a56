"""Labs 4b and 9: each wrong answer gets one reason, and a long or echoed answer is not right."""

from __future__ import annotations

from domainllm.benchmark.failure_reasons import failure_reason, is_correct
from domainllm.corpus.records import Evidence, Question
from domainllm.rag.chunking import Chunk

EVIDENCE = (Evidence("SUP-00001", 100, 140),)
HOLDING = Chunk("SUP-00001:s:1", "SUP-00001", 90, 200, "x" * 110)
ELSEWHERE = Chunk("SUP-00002:s:1", "SUP-00002", 0, 50, "y" * 50)


def _value() -> Question:
    return Question("q1", "What is the cure period of SUP-00001?", "30 days", ("thirty (30) days",),
                    EVIDENCE, "termination_for_breach", "dev", "B.x.1")  # fmt: skip


def _compare() -> Question:
    return Question("q2", "Which agreement has the longer payment period: SUP-00011 or SUP-00010?", "SUP-00011",
                    (), (Evidence("SUP-00011", 0, 10), Evidence("SUP-00010", 0, 10)), "payment_terms",
                    "test_multidoc", "M.compare", kind="compare", answers=("SUP-00011",))  # fmt: skip


def test_reasons_in_order() -> None:
    q = _value()
    assert failure_reason(q, "30 days", [HOLDING]) == "correct"
    assert failure_reason(q, "45 days", [ELSEWHERE]) == "retrieval miss"
    assert failure_reason(q, "45 days", []) == "retrieval miss"  # closed-book: never shown the evidence
    assert failure_reason(q, "Not in the context.", [HOLDING]) == "abstention"
    assert failure_reason(q, "45 days", [HOLDING]) == "reading failure"


def test_a_value_inside_a_long_answer_is_a_format_failure_not_a_hit() -> None:
    q = _value()
    long_answer = "Section 4.2 says a party may terminate if a breach is not cured within 30 days of notice."
    assert is_correct(q, long_answer) == 0.0
    assert failure_reason(q, long_answer, [HOLDING]) == "format failure"


def test_which_of_a_or_b_is_scored_by_the_chosen_entity_alone() -> None:
    q = _compare()
    chunks = [Chunk("SUP-00011:s:0", "SUP-00011", 0, 40, "z" * 40)]
    assert is_correct(q, "SUP-00011") == 1.0
    assert is_correct(q, "SUP-00011 or SUP-00010") == 0.0  # repeating the question does not score
    assert failure_reason(q, "SUP-00011 or SUP-00010", chunks) == "format failure"
    assert failure_reason(q, "SUP-00010", chunks) == "reading failure"
