"""Lab 8 (feedback and DPO): from candidate answers to preference pairs: sample two answers, label them, build DPO examples.

Candidates come from the model being improved (its greedy answer and one sampled answer to
the same prompt), so DPO learns to prefer the better of two things it actually says. Human
labels win over AI labels for the same pair; the AI judge labels the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domainllm.corpus.questions import Question
from domainllm.finetune.feedback import CandidatePair, Label, evidence_text
from domainllm.metrics.stats import Estimate, bootstrap_ci, win_rate
from domainllm.runtime.generation import Generator, Message

SAMPLING_TEMPERATURE = 1.0


def candidate_pairs(
    generator: Generator,
    questions: Sequence[Question],
    prompts: Sequence[Sequence[Message]],
    evidence: Sequence[str],
    max_new_tokens: int = 24,
) -> list[CandidatePair]:
    """Greedy answer (A) and a sampled answer (B) for each prompt; identical pairs are dropped."""
    conversations = [list(p) for p in prompts]
    greedy = generator.chat(conversations, max_new_tokens=max_new_tokens)
    sampled = generator.chat(conversations, max_new_tokens=max_new_tokens, temperature=SAMPLING_TEMPERATURE)
    pairs = []
    for q, prompt, ev, a, b in zip(questions, prompts, evidence, greedy, sampled, strict=True):
        if a.text.strip() != b.text.strip():
            pairs.append(CandidatePair(q.id, q.question, ev, tuple(dict(m) for m in prompt), a.text, b.text))
    return pairs


def ai_labels(
    judge: Any,
    pairs: Sequence[CandidatePair],
    labeller: str = "ai",
    references: Mapping[str, str] | None = None,
) -> list[Label]:
    """The judge's preference for every pair (one batched call).

    ``references`` maps question ids to reference answers (for training questions, the answer
    the training data holds). Where the judge rejects both answers, the reference becomes the
    label's correction, so the pair still teaches something: the reference is preferred over
    each of the model's own answers, as in self-play fine-tuning (SPIN). Without a reference,
    "both wrong" carries no preference.
    """
    references = references or {}
    verdicts = judge.prefer_many([(p.question, p.evidence, p.answer_a, p.answer_b) for p in pairs])
    return [
        Label(p, v, labeller, corrected=references.get(p.question_id, "") if v == "both_wrong" else "")
        for p, v in zip(pairs, verdicts, strict=True)
    ]


def merge_labels(human: Sequence[Label], ai: Sequence[Label]) -> list[Label]:
    """One label per pair: the human's where there is one, else the AI's."""
    by_pair = {label.pair.pair_id: label for label in ai}
    by_pair.update({label.pair.pair_id: label for label in human})
    return list(by_pair.values())


def _assistant(text: str) -> list[Message]:
    return [{"role": "assistant", "content": text}]


def dpo_examples(labels: Sequence[Label]) -> list[dict[str, list[Message]]]:
    """Conversational DPO rows (prompt, chosen, rejected) from labels.

    "A"/"B" give one row; "both_wrong" with a corrected answer gives two (the correction over
    each answer); ties and uncorrected "both_wrong" carry no preference and give none.
    """
    rows = []
    for label in labels:
        pair = label.pair
        prompt = [dict(m) for m in pair.prompt]
        if label.label == "A":
            options = [(pair.answer_a, pair.answer_b)]
        elif label.label == "B":
            options = [(pair.answer_b, pair.answer_a)]
        elif label.label == "both_wrong" and label.corrected:
            options = [(label.corrected, pair.answer_a), (label.corrected, pair.answer_b)]
        else:
            options = []
        rows += [{"prompt": prompt, "chosen": _assistant(c), "rejected": _assistant(r)} for c, r in options]
    return rows


def preference_rows(labels: Sequence[Label], per_kind: int = 1) -> Any:
    """How labels become DPO rows, as a table: the first ``per_kind`` labels of each kind (A, B, tie,
    both wrong with and without a correction) and the (chosen, rejected) rows each gives, by
    :func:`dpo_examples`; "-" where a label gives none."""
    import pandas as pd

    shown: dict[tuple[str, bool], int] = {}
    rows = []
    for label in labels:
        kind = (label.label, bool(label.corrected))
        shown[kind] = shown.get(kind, 0) + 1
        if shown[kind] > per_kind:
            continue
        made = [(r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in dpo_examples([label])]
        for chosen, rejected in made or [("-", "-")]:
            rows.append(
                {
                    "question": label.pair.question,
                    "label": label.label,
                    "by": label.labeller,
                    "A (greedy)": label.pair.answer_a,
                    "B (sampled)": label.pair.answer_b,
                    "correction": label.corrected,
                    "chosen": chosen,
                    "rejected": rejected,
                }
            )
    return pd.DataFrame(rows)


def agreement(first: Sequence[Label], second: Sequence[Label]) -> tuple[Estimate | None, int]:
    """How often two labellers chose the same label on the pairs both labelled (with a 95% interval)."""
    other = {label.pair.pair_id: label.label for label in second}
    same = [float(label.label == other[label.pair.pair_id]) for label in first if label.pair.pair_id in other]
    return (bootstrap_ci(same) if same else None), len(same)


OUTCOME_OF_B = {"A": 0.0, "B": 1.0, "tie": 0.5, "both_wrong": 0.5}


def head_to_head(
    judge: Any, questions: Sequence[str], evidence: Sequence[str], before: Sequence[str], after: Sequence[str]
) -> tuple[Estimate, list[float]]:
    """Win rate of ``after`` over ``before`` as the judge sees it (ties and both-wrong count half)."""
    pairs = list(zip(questions, evidence, before, after, strict=True))
    outcomes = [OUTCOME_OF_B[verdict] for verdict in judge.prefer_many(pairs)]
    return win_rate(outcomes), outcomes


def reference_win_rate(before: Sequence[float], after: Sequence[float]) -> tuple[Estimate, list[float]]:
    """Win rate of ``after`` over ``before`` by per-question scores against the gold answers.

    A question counts 1 when ``after`` scores higher, 0 when lower, 0.5 when equal. Unlike
    :func:`head_to_head` it needs no judge, only the reference answers of a held-out split.
    """
    outcomes = [0.5 if b == a else float(a > b) for b, a in zip(before, after, strict=True)]
    return win_rate(outcomes), outcomes


@dataclass(frozen=True)
class ChangedAnswers:
    """How many of ``total`` answers a tuning round changed; shown as "3 of 64"."""

    changed: int
    total: int

    def __str__(self) -> str:
        return f"{self.changed} of {self.total}"

    def __add__(self, other: ChangedAnswers) -> ChangedAnswers:
        return ChangedAnswers(self.changed + other.changed, self.total + other.total)


def changed_in_all(rows: Mapping[str, Mapping[str, Any]]) -> ChangedAnswers:
    """The changed answers of every split of a :func:`win_rates` table, added up."""
    return sum((row["answers changed"] for row in rows.values()), ChangedAnswers(0, 0))


def win_rates(
    judge: Any,
    questions: Mapping[str, Sequence[Question]],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    """For each split of ``questions``: how many answers changed from ``before`` to ``after``, and
    the win rate of ``after`` by the judge (:func:`head_to_head`) and by the gold answers' token F1
    (:func:`reference_win_rate`).

    ``before`` and ``after`` are two systems' reports per split, as the benchmark's
    ``evaluate_system`` returns them (``answers`` and per-question ``f1`` in question order).
    """
    from domainllm.corpus.documents import load_corpus

    documents = {d.id: d for d in load_corpus()}
    rows = {}
    for split, qs in questions.items():
        old = [a["answer"] for a in before[split]["answers"]]
        new = [a["answer"] for a in after[split]["answers"]]
        evidence = [evidence_text(q, documents) for q in qs]
        judged, _ = head_to_head(judge, [q.question for q in qs], evidence, old, new)
        by_gold, _ = reference_win_rate(
            before[split]["per_question"]["f1"], after[split]["per_question"]["f1"]
        )
        changed = sum(o.strip() != n.strip() for o, n in zip(old, new, strict=True))
        rows[split] = {
            "answers changed": ChangedAnswers(changed, len(qs)),
            "win rate (judge)": judged,
            "win rate (gold F1)": by_gold,
        }
    return rows
