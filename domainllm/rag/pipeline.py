"""Retrieval-augmented generation: retrieve passages, read them, answer (labs 1-4, 4b).

A pipeline is a retriever (or none, for the closed-book baseline), a number of passages k, and a
reader (:mod:`domainllm.rag.readers`): the generator writing freely (``generative``, the default),
copying from the passages (``grounded``), pointing at a span with a small trained model
(``extractive``) or returning whole clauses (``clause``). Prompts use the generator's own chat
template (see ``generation``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from domainllm.corpus.questions import Evidence, Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.contract_context import CONTRACT_ID, unknown_contract_ids
from domainllm.rag.prompts import (  # noqa: F401  (re-exported: labs and fine-tuning import them here)
    CLOSED_BOOK_PROMPT,
    SYSTEM_PROMPT,
    closed_book_messages,
    format_context,
    passage_heading,
    rag_messages,
)
from domainllm.rag.readers import ABSTAIN, Reader, Reading, make_reader
from domainllm.runtime.generation import Generator, Message


@dataclass
class RagAnswer:
    """One answered question with what was retrieved, what the reader quoted and what it cost."""

    question: Question
    answer: str
    chunks: list[Chunk] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    spans: tuple[Evidence, ...] = ()
    citation: int | None = None
    note: str = ""


class RagPipeline:
    """Retriever + reader. ``retriever=None`` gives the closed-book baseline.

    ``reader`` is a reader or its name (default ``generative``; ``closed_book`` without a
    retriever); ``max_new_tokens``, ``text_of`` and ``batch_size`` configure the generative reader.
    """

    def __init__(
        self,
        name: str,
        generator: Generator,
        retriever: object | None = None,
        k: int = 5,
        max_new_tokens: int = 24,
        text_of: Callable[[Chunk], str] | None = None,
        batch_size: int = 8,
        reader: Reader | str | None = None,
    ) -> None:
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}.")
        self.name = name
        self.generator = generator
        self.retriever = retriever
        self.k = k
        self.max_new_tokens = max_new_tokens
        self.text_of = text_of
        self.batch_size = batch_size
        if reader is None or isinstance(reader, str):
            name_of_reader = reader or ("closed_book" if retriever is None else "generative")
            options: dict[str, Any] = {}
            if name_of_reader in ("generative", "closed_book"):
                options = {"max_new_tokens": max_new_tokens, "batch_size": batch_size}
                if name_of_reader == "generative":
                    options["text_of"] = text_of
            reader = make_reader(name_of_reader, generator, **options)
        self.reader: Reader = reader

    def retrieve(self, questions: Sequence[Question]) -> list[list[Chunk]]:
        """Passages for each question (empty lists for the closed-book pipeline or an empty question)."""
        if self.retriever is None:
            return [[] for _ in questions]
        asked = [(i, q.question) for i, q in enumerate(questions) if q.question.strip()]
        found = self.retriever.retrieve([text for _, text in asked], k=self.k) if asked else []
        passages: list[list[Chunk]] = [[] for _ in questions]
        for (i, _), chunks in zip(asked, found, strict=True):
            passages[i] = list(chunks)
        return passages

    def messages(self, question: Question, chunks: Sequence[Chunk]) -> list[Message]:
        """The chat messages the generative reader sends for one question."""
        if self.retriever is None:
            return closed_book_messages(question.question, question.form)
        return rag_messages(question.question, chunks, self.text_of, question.form)

    def read(self, question: Question, chunks: Sequence[Chunk]) -> Reading:
        """One question read from the given passages (what the explorer widget shows)."""
        return self._read([question], [list(chunks)])[0]

    def _read(
        self, questions: Sequence[Question], passages: list[list[Chunk]], progress: bool | None = None
    ) -> list[Reading]:
        readings: list[Reading | None] = [None] * len(questions)
        if self.retriever is not None:
            for i, (question, chunks) in enumerate(zip(questions, passages, strict=True)):
                if not chunks and CONTRACT_ID.search(question.question):
                    missing = unknown_contract_ids(question.question)
                    if missing:
                        readings[i] = Reading(
                            ABSTAIN, note=f"The corpus has no contract {', '.join(missing)}."
                        )
        todo = [i for i, r in enumerate(readings) if r is None]
        read = self.reader.read([questions[i] for i in todo], [passages[i] for i in todo], progress)
        for i, reading in zip(todo, read, strict=True):
            readings[i] = reading
        return [r for r in readings if r is not None]

    def run(self, questions: Sequence[Question], progress: bool | None = None) -> list[RagAnswer]:
        """Answer every question. Generated answers are cached by content hash (see
        :mod:`domainllm.runtime.answer_cache`): one asked before, by any lab, is read back with the
        seconds it took then. Retrieval time is split evenly over the questions."""
        started = time.perf_counter()
        retrieved = self.retrieve(questions)
        retrieval_seconds = (time.perf_counter() - started) / max(len(questions), 1)
        readings = self._read(questions, retrieved, progress)
        return [
            RagAnswer(
                q,
                r.answer,
                list(chunks),
                r.prompt_tokens,
                r.completion_tokens,
                retrieval_seconds + r.seconds,
                r.spans,
                r.citation,
                r.note,
            )
            for q, chunks, r in zip(questions, retrieved, readings, strict=True)
        ]

    def __repr__(self) -> str:
        return f"RagPipeline({self.name!r}, k={self.k}, retriever={self.retriever!r}, reader={self.reader!r})"
