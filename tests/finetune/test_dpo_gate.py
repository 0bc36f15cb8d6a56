"""Lab 8: a DPO round is kept unless it is worse on dev (exact McNemar test on the same questions)."""

from __future__ import annotations

import pytest

from domainllm.config import Settings
from domainllm.corpus.questions import load_questions
from domainllm.finetune import dpo_gate


def test_gate_questions_come_from_dev_only() -> None:
    questions = dpo_gate.gate_questions(Settings(), n=20)
    dev = {q.id for q in load_questions("dev")}
    assert len(questions) == 20 and {q.id for q in questions} <= dev
    assert dpo_gate.gate_questions(Settings(), n=20) == questions  # seeded


@pytest.mark.parametrize(
    ("after", "kept"),
    [
        ([1.0] * 30 + [0.0] * 18, True),  # better
        ([1.0] * 22 + [0.0] * 26, True),  # two fewer right: not distinguishable, so kept
        ([1.0] * 10 + [0.0] * 38, False),  # fourteen fewer right: worse, dropped
    ],
)
def test_a_round_is_dropped_only_when_it_is_worse(
    monkeypatch: pytest.MonkeyPatch, after: list[float], kept: bool
) -> None:
    before = [1.0] * 24 + [0.0] * 24
    monkeypatch.setattr(dpo_gate, "dev_scores", lambda *args: after)
    decision, scores = dpo_gate.gate(1, before, candidate=None, questions=[], indexes={}, settings=Settings())
    assert decision.kept is kept and scores == after
    assert decision.before == 0.5 and decision.n == 48
