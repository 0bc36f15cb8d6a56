"""Lab 1 (naive RAG): retrieval-augmented generation: retrieve passages, build a chat prompt around them, answer.

A pipeline is a retriever (or none, for the closed-book baseline), a number of passages k,
and the generator. Prompts use the generator's own chat template (see ``generation``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from domainllm.corpus.questions import Question
from domainllm.rag.chunking import Chunk
from domainllm.runtime.generation import Generator, Message

SYSTEM_PROMPT = (
    "You answer questions about the contracts of Kestrel Fluidics. Use only the numbered context "
    "passages. Reply with the short answer only (a name, date, amount, duration or place), "
    "followed by the number of the passage you used in square brackets, like: 30 days [2]. "
    "If the passages do not contain the answer, reply: not in the context."
)
CLOSED_BOOK_PROMPT = (
    "You answer questions about the contracts of Kestrel Fluidics. Reply with the short answer "
    "only (a name, date, amount, duration or place)."
)


def passage_heading(chunk: Chunk) -> str:
    """Citation label of a passage: contract id and, where known, its section heading."""
    section = chunk.metadata.get("section")
    return f"{chunk.doc_id}, {section}" if section else chunk.doc_id


def format_context(chunks: Sequence[Chunk], text_of: Callable[[Chunk], str] | None = None) -> str:
    """Number the passages, each headed by its contract id (and section), for the prompt."""
    text_of = text_of or (lambda chunk: chunk.text)
    return "\n\n".join(f"[{i}] ({passage_heading(c)})\n{text_of(c).strip()}" for i, c in enumerate(chunks, 1))


def rag_messages(
    question: str, chunks: Sequence[Chunk], text_of: Callable[[Chunk], str] | None = None
) -> list[Message]:
    """Chat messages for a question answered from retrieved passages."""
    if not question.strip():
        raise ValueError("The question is empty: type a question before asking the model.")
    context = format_context(chunks, text_of)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question.strip()}"},
    ]


def closed_book_messages(question: str) -> list[Message]:
    """Chat messages for a question answered from the model's weights alone."""
    if not question.strip():
        raise ValueError("The question is empty: type a question before asking the model.")
    return [{"role": "system", "content": CLOSED_BOOK_PROMPT}, {"role": "user", "content": question.strip()}]


@dataclass
class RagAnswer:
    """One answered question with what was retrieved and what it cost."""

    question: Question
    answer: str
    chunks: list[Chunk] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


class RagPipeline:
    """Retriever + prompt + generator. ``retriever=None`` gives the closed-book baseline."""

    def __init__(
        self,
        name: str,
        generator: Generator,
        retriever: object | None = None,
        k: int = 5,
        max_new_tokens: int = 24,
        text_of: Callable[[Chunk], str] | None = None,
        batch_size: int = 8,
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

    def retrieve(self, questions: Sequence[Question]) -> list[list[Chunk]]:
        """Passages for each question (empty lists for the closed-book pipeline)."""
        if self.retriever is None:
            return [[] for _ in questions]
        return self.retriever.retrieve([q.question for q in questions], k=self.k)

    def messages(self, question: Question, chunks: Sequence[Chunk]) -> list[Message]:
        """The chat messages sent for one question."""
        if self.retriever is None:
            return closed_book_messages(question.question)
        return rag_messages(question.question, chunks, self.text_of)

    def run(self, questions: Sequence[Question], progress: bool | None = None) -> list[RagAnswer]:
        """Answer every question. Answers are cached by content hash (:mod:`domainllm.runtime.answer_cache`):
        one asked before, by any lab, is read back with the seconds it took then. Retrieval time
        is split evenly over the questions, and so is a batch's generation time."""
        from domainllm.runtime.answer_cache import answer_conversations

        started = time.perf_counter()
        retrieved = self.retrieve(questions)
        retrieval_seconds = (time.perf_counter() - started) / max(len(questions), 1)
        conversations = [self.messages(q, chunks) for q, chunks in zip(questions, retrieved, strict=True)]
        answered = answer_conversations(
            self.generator, conversations, self.max_new_tokens, self.batch_size, progress
        )
        return [
            RagAnswer(
                q,
                c.text,
                list(chunks),
                c.prompt_tokens,
                c.completion_tokens,
                retrieval_seconds + generation_seconds,
            )
            for q, chunks, (c, generation_seconds) in zip(questions, retrieved, answered, strict=True)
        ]

    def __repr__(self) -> str:
        return f"RagPipeline({self.name!r}, k={self.k}, retriever={self.retriever!r})"
