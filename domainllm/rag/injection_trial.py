"""Lab 4 (post-retrieval): how often planted text decides the answer, before and after each defence.

:func:`run_attack_trial` plants every :class:`~domainllm.rag.injection.Attack` in the same
retrieved passages, answers each question under every defence, and records per question whether
the answer is the attacker's payload. A control answers the clean passages: the rate at which the
payload comes out with no attack at all. Rates get Wilson intervals and comparisons exact McNemar
tests (:func:`domainllm.metrics.significance.verdict`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from domainllm.corpus.records import Question
from domainllm.metrics.significance import Verdict, verdict
from domainllm.metrics.stats import Estimate, proportion
from domainllm.rag.chunking import Chunk
from domainllm.rag.injection import ATTACKS, Attack, attack_succeeded, payloads
from domainllm.rag.injection_defences import DEFENCES, defended_messages

CONTROL = "no attack"
Answerer = Callable[[Sequence[Question], Sequence[Sequence[Chunk]], str], list[str]]


@dataclass
class AttackTrial:
    """Per question and (attack, defence): the reply and whether it is the payload."""

    questions: list[Question]
    payloads: list[str]
    replies: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    success: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    @property
    def attacks(self) -> list[str]:
        return list(dict.fromkeys(a for a, _ in self.success if a != CONTROL))

    @property
    def defences(self) -> list[str]:
        return list(dict.fromkeys(d for a, d in self.success if a != CONTROL))

    def rate(self, attack: str, defence: str = "none") -> Estimate:
        """Attack success with its Wilson interval."""
        return proportion(self.success[(attack, defence)])

    def rates(self) -> pd.DataFrame:
        """Attack success (Wilson 95% interval), one row per attack and the control, one column per defence."""
        rows = {a: {d: str(self.rate(a, d)) for d in self.defences} for a in self.attacks}
        rows[CONTROL] = {"none": str(self.rate(CONTROL))}
        return pd.DataFrame(rows).T.fillna("")

    def against_control(self, attack: str) -> Verdict:
        """Does the undefended attack put the payload in the answer more often than clean passages do?"""
        return verdict(
            self.success[(CONTROL, "none")], self.success[(attack, "none")], labels=("higher", "lower")
        )

    def defence_effect(self, attack: str, defence: str) -> Verdict:
        """Attack success under ``defence`` against no defence, on the same questions."""
        return verdict(
            self.success[(attack, "none")], self.success[(attack, defence)], labels=("higher", "lower")
        )

    def strongest(self) -> str:
        """The attack with the highest undefended success."""
        return max(self.attacks, key=lambda a: self.rate(a).mean)

    def figure(self, title: str = "") -> Figure:
        """Grouped bars: attack success per attack and defence, with Wilson intervals."""
        figure, ax = plt.subplots(figsize=(7, 3.6))
        width = 0.8 / len(self.defences)
        for j, defence in enumerate(self.defences):
            for i, attack in enumerate(self.attacks):
                e = self.rate(attack, defence)
                ax.bar(i + j * width, e.mean, width, color=plt.cm.tab10(j), label=defence if i == 0 else None)
                ax.errorbar(
                    i + j * width,
                    e.mean,
                    yerr=[[e.mean - e.low], [e.high - e.mean]],
                    color="black",
                    capsize=3,
                )
        control = self.rate(CONTROL)
        ax.axhline(control.mean, color="grey", linestyle="--", label=f"{CONTROL} (payload by chance)")
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(self.attacks))], self.attacks)
        ax.set_ylabel("attack success")
        ax.set_ylim(0, 1)
        ax.set_title(title or f"Planted answers on {len(self.questions)} questions (95% Wilson intervals)")
        ax.legend(fontsize=8, loc="upper left")
        figure.tight_layout()
        return figure


def prompt_answerer(generator: object, tokens: Callable[[Question], int], batch_size: int = 16) -> Answerer:
    """Answers from the generator under each defence's prompt, greedily (``tokens`` new tokens per question)."""

    def answer(questions: Sequence[Question], passages: Sequence[Sequence[Chunk]], defence: str) -> list[str]:
        replies = [""] * len(questions)
        for budget in sorted({tokens(q) for q in questions}):  # one batched call per token budget
            picked = [i for i, q in enumerate(questions) if tokens(q) == budget]
            messages = [defended_messages(questions[i], passages[i], defence) for i in picked]
            for i, reply in zip(
                picked, generator.chat(messages, max_new_tokens=budget, batch_size=batch_size), strict=True
            ):  # type: ignore[attr-defined]
                replies[i] = reply.text
        return replies

    return answer


def run_attack_trial(
    answer: Answerer,
    questions: Sequence[Question],
    passages: Sequence[Sequence[Chunk]],
    pool: Sequence[Question],
    attacks: Sequence[Attack] = ATTACKS,
    defences: Sequence[str] = DEFENCES,
    seed: int = 0,
) -> AttackTrial:
    """Every attack under every defence, plus the clean control, on the same questions and passages.

    ``pool`` holds the questions whose answers may serve as payloads (another contract's value of
    the same clause); ``answer(questions, passages, defence)`` returns one reply per question.
    """
    if len(questions) != len(passages):
        raise ValueError(
            f"{len(questions)} questions but {len(passages)} passage lists: give one list per question."
        )
    if not questions:
        raise ValueError("No questions to attack: pass at least one question with its passages.")
    trial = AttackTrial(list(questions), payloads(questions, pool, seed))

    def record(attack: str, defence: str, planted: Sequence[Sequence[Chunk]]) -> None:
        replies = answer(questions, planted, defence)
        trial.replies[(attack, defence)] = replies
        trial.success[(attack, defence)] = [
            float(attack_succeeded(r, p, q.form))
            for r, p, q in zip(replies, trial.payloads, questions, strict=True)
        ]

    record(CONTROL, "none", passages)
    for attack in attacks:
        planted = [attack.plant(found, p) for found, p in zip(passages, trial.payloads, strict=True)]
        for defence in defences:
            record(attack.name, defence, planted)
    return trial
