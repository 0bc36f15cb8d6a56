"""Accuracy of a value answer: a normalized match that a long answer cannot win (lab 4b).

A value question (a date, amount, duration, name or place) is answered correctly when the
normalized answer equals an accepted reference, or contains one while adding only a few words
around it ("within 30 days" for "30 days"). An answer that merely contains the gold somewhere
inside a long passage does not count: containment is allowed only while the answer has at most
``max(EXTRA_TOKENS, len(reference))`` tokens more than the reference.
"""

from __future__ import annotations

from collections.abc import Sequence

from domainllm.metrics.answers import normalize_answer

__all__ = ["EXTRA_TOKENS", "value_accuracy"]

EXTRA_TOKENS = 3


def _contains(haystack: list[str], needle: list[str]) -> bool:
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


def value_accuracy(prediction: str, references: str | Sequence[str]) -> float:
    """1.0 when the answer states an accepted value and little else, else 0.0."""
    answer = normalize_answer(prediction).split()
    for reference in [references] if isinstance(references, str) else references:
        gold = normalize_answer(reference).split()
        if not gold or not answer:
            continue
        if answer == gold:
            return 1.0
        short = len(answer) - len(gold) <= max(EXTRA_TOKENS, len(gold))
        if short and _contains(answer, gold):
            return 1.0
    return 0.0
