"""Lab 6 (synthetic data): one question-answer pair, and dropping questions that repeat another.

A :class:`QAPair` keeps the passage it was written from, so a judge can grade it and the leakage
check can trace it to its contract. :func:`deduplicate` drops a pair whose question nearly
repeats an earlier question about the same contract (token Jaccard of at least
``NEAR_DUPLICATE``, the same bar the leakage check uses against test questions);
:func:`closest_questions` shows how close the set comes to that bar.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from domainllm.finetune.leakage import NEAR_DUPLICATE, base_id, question_tokens
from domainllm.metrics.answers import jaccard


@dataclass(frozen=True)
class QAPair:
    """One synthetic pair with the passage it was written from.

    ``doc_id`` is the document of that passage (an amendment for amended terms); ``category``
    and ``fact_id`` are set for template pairs.
    """

    question: str
    answer: str
    doc_id: str
    source: str
    evidence: str
    chunk_id: str
    category: str | None = None
    fact_id: str | None = None

    def record(self) -> dict[str, str]:
        """The training record: question, answer, doc_id and source."""
        return {
            "question": self.question,
            "answer": self.answer,
            "doc_id": self.doc_id,
            "source": self.source,
        }

    @property
    def item(self) -> tuple[str, str, str]:
        """``(question, answer, evidence)``, what a judge grades."""
        return (self.question, self.answer, self.evidence)


@dataclass(frozen=True)
class Duplicate:
    """A pair dropped by :func:`deduplicate`, the earlier pair it repeats, and their similarity."""

    dropped: QAPair
    kept: QAPair
    similarity: float


def deduplicate(
    pairs: Sequence[QAPair], threshold: float = NEAR_DUPLICATE
) -> tuple[list[QAPair], list[Duplicate]]:
    """Drop pairs whose question repeats an earlier question about the same contract.

    Questions are compared as normalized token sets; equal text or a Jaccard similarity of at
    least ``threshold`` is a duplicate, and the first pair wins (put the more trusted source
    first). Questions about different contracts never count as duplicates, even when they
    differ only in the contract id.
    """
    kept: list[QAPair] = []
    seen: dict[str, list[tuple[set[str], QAPair]]] = defaultdict(list)
    dropped: list[Duplicate] = []
    for pair in pairs:
        tokens = set(question_tokens(pair.question))
        group = seen[base_id(pair.doc_id)]
        match = max(((jaccard(tokens, other), p) for other, p in group), key=lambda m: m[0], default=None)
        if match is not None and match[0] >= threshold:
            dropped.append(Duplicate(pair, match[1], match[0]))
            continue
        group.append((tokens, pair))
        kept.append(pair)
    return kept, dropped


def closest_questions(pairs: Sequence[QAPair]) -> Duplicate | None:
    """The two questions about one contract that are most alike (None when no contract has two pairs).

    Shows how far from :data:`NEAR_DUPLICATE` the set is; ``dropped`` is the later of the two.
    """
    best: Duplicate | None = None
    groups: dict[str, list[QAPair]] = defaultdict(list)
    for pair in pairs:
        groups[base_id(pair.doc_id)].append(pair)
    for group in groups.values():
        tokens = [set(question_tokens(p.question)) for p in group]
        for j in range(len(group)):
            for i in range(j):
                similarity = jaccard(tokens[i], tokens[j])
                if best is None or similarity > best.similarity:
                    best = Duplicate(group[j], group[i], similarity)
    return best
