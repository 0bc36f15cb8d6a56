"""Infrastructure: the corpus's records: documents, gold questions with their evidence spans, reference summaries.

Infrastructure for every lab: the loaders (:mod:`domainllm.corpus.documents`,
:mod:`domainllm.corpus.questions`, :mod:`domainllm.corpus.cuad`) all build these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CUAD_SPLIT = "test_paraphrase"  # the split every CUAD question is placed in
ANSWER_FORMS = ("value", "clause")  # a short value (date, amount, duration, name, place) or a clause


@dataclass(frozen=True)
class Document:
    """One contract (or amendment): front-matter fields, the body text, and any other metadata.

    Evidence offsets elsewhere in the library are character offsets into ``text``, the body
    after the front matter.
    """

    id: str
    title: str
    type: str
    parties: tuple[str, ...]
    effective_date: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Evidence:
    """A character span ``[start, end)`` in the text of document ``doc_id``."""

    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Question:
    """A gold question with its canonical answer, accepted variants and supporting evidence.

    ``kind`` is ``fact`` or ``amended`` for single-document questions, ``list``/``count``/
    ``compare``/``amended`` for multi-document ones (``answers`` holds the full answer list),
    and ``unanswerable`` for CUAD questions without an answer.

    ``form`` is how the answer is given and scored: ``value`` (a date, amount, duration, name or
    place, scored by normalized value match) or ``clause`` (the contract's own wording, scored by
    character spans against ``evidence``). Generated questions ask for values, CUAD's for clauses.
    """

    id: str
    question: str
    answer: str
    aliases: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    category: str
    split: str
    template: str
    kind: str = "fact"
    answers: tuple[str, ...] = ()
    form: str = "value"

    @property
    def references(self) -> tuple[str, ...]:
        """Every accepted answer: the canonical one first, then the aliases."""
        return (self.answer, *self.aliases)


@dataclass(frozen=True)
class Summary:
    """A reference summary of one contract's key terms."""

    id: str
    doc_id: str
    summary: str
