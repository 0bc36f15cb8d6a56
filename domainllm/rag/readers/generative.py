"""The generative reader (labs 1 and 4b): the generator writes the answer from the prompt.

Today's reader of every lab: numbered passages and the question go into the chat template and
the model answers freely, greedily, cached by content hash. Value questions get 24 new tokens;
clause questions, whose answer is a whole clause, get :data:`CLAUSE_TOKENS`. Where the answer
occurs word for word in a passage, that passage is its citation and its span is recorded;
otherwise the answer has no span (it is not a quote).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from domainllm.corpus.records import Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.grounding import resolve_citations, strip_citations
from domainllm.rag.prompts import closed_book_messages, rag_messages
from domainllm.rag.readers.base import (
    ABSTAIN,
    EMPTY_QUESTION,
    Reading,
    locate,
    register_reader,
    unreadable,
    usable_passages,
)
from domainllm.runtime.generation import Message

VALUE_TOKENS = 24
CLAUSE_TOKENS = 128  # the original labs' limit; a CUAD clause averages about 60 tokens


class GenerativeReader:
    """The generator answers in its own words; ``closed_book`` ignores passages (the baseline)."""

    name = "generative"

    def __init__(
        self,
        generator: Any,
        max_new_tokens: int = VALUE_TOKENS,
        clause_tokens: int = CLAUSE_TOKENS,
        text_of: Callable[[Chunk], str] | None = None,
        batch_size: int = 8,
        closed_book: bool = False,
    ) -> None:
        self.generator = generator
        self.max_new_tokens = max_new_tokens
        self.clause_tokens = clause_tokens
        self.text_of = text_of
        self.batch_size = batch_size
        self.closed_book = closed_book

    def tokens_for(self, question: Question) -> int:
        """New tokens allowed for this question's answer form."""
        return self.clause_tokens if question.form == "clause" else self.max_new_tokens

    def messages(self, question: Question, chunks: Sequence[Chunk]) -> list[Message]:
        """The chat messages sent for one question."""
        if self.closed_book:
            return closed_book_messages(question.question, question.form)
        return rag_messages(question.question, chunks, self.text_of, question.form)

    def read(
        self,
        questions: Sequence[Question],
        passages: Sequence[Sequence[Chunk]],
        progress: bool | None = None,
    ) -> list[Reading]:
        """Answer every question; questions that need the same token limit are batched together."""
        from domainllm.runtime.answer_cache import answer_conversations

        readings: list[Reading | None] = [None] * len(questions)
        kept = [list(chunks) if self.closed_book else usable_passages(chunks) for chunks in passages]
        todo: dict[int, list[int]] = defaultdict(list)
        for i, question in enumerate(questions):
            problem = self._problem(question, kept[i])
            if problem is not None:
                readings[i] = problem
            else:
                todo[self.tokens_for(question)].append(i)
        for tokens, positions in todo.items():
            conversations = [self.messages(questions[i], kept[i]) for i in positions]
            answered = answer_conversations(self.generator, conversations, tokens, self.batch_size, progress)
            for i, (completion, seconds) in zip(positions, answered, strict=True):
                citation, spans = (
                    (None, ()) if self.closed_book else self.provenance(completion.text, kept[i])
                )
                readings[i] = Reading(
                    completion.text,
                    spans,
                    citation,
                    completion.prompt_tokens,
                    completion.completion_tokens,
                    seconds,
                )
        return [r for r in readings if r is not None]

    def _problem(self, question: Question, chunks: Sequence[Chunk]) -> Reading | None:
        if self.closed_book:
            return Reading(ABSTAIN, note=EMPTY_QUESTION) if not question.question.strip() else None
        return unreadable(question, chunks)

    @staticmethod
    def provenance(answer: str, chunks: Sequence[Chunk]) -> tuple[int | None, tuple]:
        """The passage the answer quotes (and the quoted span), else the passage it cites in brackets."""
        citation, spans = locate(strip_citations(answer), chunks)
        if citation is None:
            cited = resolve_citations(answer, chunks)
            citation = cited[0].number if cited else None
        return citation, spans

    def __repr__(self) -> str:
        return f"GenerativeReader(closed_book={self.closed_book})"


register_reader("generative", GenerativeReader)
register_reader(
    "closed_book", lambda generator, **options: GenerativeReader(generator, closed_book=True, **options)
)
