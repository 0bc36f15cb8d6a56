"""The reading stage of a RAG pipeline: what every reader returns, and the registry (lab 4b).

Retrieval hands a reader the passages; the reader turns them into an answer. A
:class:`Reading` is that answer plus where it came from: the passage it cites and the character
spans of the contract it copied (empty when the answer is not a quote). Readers are looked up
by name (:func:`make_reader`), so a recipe, the command line or a widget selects one with a string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from domainllm.corpus.records import Evidence, Question
from domainllm.rag.chunking import Chunk

ABSTAIN = "not in the context"
EMPTY_QUESTION = "The question is empty: type a question before asking."


@dataclass
class Reading:
    """One reader's answer to one question, with its provenance and cost.

    ``citation`` is the 1-based number of the passage the answer came from (None: none);
    ``spans`` are the contract characters it copied; ``note`` explains an answer the reader
    could not give (empty question, no passages, unknown contract).
    """

    answer: str
    spans: tuple[Evidence, ...] = ()
    citation: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Reader(Protocol):
    """Anything that reads passages: ``read(questions, passages)`` gives one Reading per question."""

    name: str

    def read(
        self,
        questions: Sequence[Question],
        passages: Sequence[Sequence[Chunk]],
        progress: bool | None = None,
    ) -> list[Reading]: ...


def usable_passages(chunks: Sequence[Chunk]) -> list[Chunk]:
    """The passages that hold some text (a reader skips empty ones)."""
    return [c for c in chunks if c.text and c.text.strip()]


def unreadable(question: Question, chunks: Sequence[Chunk]) -> Reading | None:
    """The reading for input no reader can use (empty question, no passage with text), else None."""
    if not question.question.strip():
        return Reading(ABSTAIN, note=EMPTY_QUESTION)
    if not usable_passages(chunks):
        return Reading(ABSTAIN, note="No passage with text was retrieved for this question.")
    return None


def loose_pattern(text: str) -> re.Pattern[str] | None:
    """A case-insensitive pattern for ``text`` that lets any run of whitespace stand for any other."""
    words = text.split()
    return re.compile(r"\s+".join(map(re.escape, words)), re.IGNORECASE) if words else None


@functools.lru_cache(maxsize=4)
def _corpus_texts(source: str) -> dict[str, str]:
    from domainllm.corpus.documents import load_corpus

    return {doc.id: doc.text for doc in load_corpus(source)}


def corpus_text(doc_id: str) -> str:
    """The text of a document of the corpus in force ('' if it has none)."""
    from domainllm.corpus.documents import resolve_source

    source = resolve_source()
    key = str(source.path) if source.kind == "generated" else f"cuad:{source.path}"
    return _corpus_texts(key).get(doc_id, "")


def chunk_source(chunk: Chunk, document_text: Callable[[str], str] | None = None) -> tuple[str, int]:
    """The original text a passage covers and its offset in the document.

    A compressed passage (its text no longer the whole span) is read back from the document.
    """
    if len(chunk.text) == chunk.end - chunk.start:
        return chunk.text, chunk.start
    text = (document_text or corpus_text)(chunk.doc_id)[chunk.start : chunk.end]
    return (text, chunk.start) if text else (chunk.text, chunk.start)


def locate(
    answer: str, chunks: Sequence[Chunk], document_text: Callable[[str], str] | None = None
) -> tuple[int | None, tuple[Evidence, ...]]:
    """Where ``answer`` occurs word for word in the passages: (passage number, its span), or (None, ())."""
    pattern = loose_pattern(answer)
    if pattern is None:
        return None, ()
    for number, chunk in enumerate(chunks, 1):
        text, offset = chunk_source(chunk, document_text)
        match = pattern.search(text)
        if match:
            return number, (Evidence(chunk.doc_id, offset + match.start(), offset + match.end()),)
    return None, ()


_READERS: dict[str, Callable[..., Reader]] = {}
PREFERRED_ORDER = ("generative", "grounded", "extractive", "clause", "nearest_sentence", "closed_book")


def register_reader(name: str, factory: Callable[..., Reader]) -> None:
    """Make ``make_reader(name, ...)`` build a reader with ``factory(generator, **options)``."""
    _READERS[name] = factory


def reader_names() -> list[str]:
    """The names a recipe or widget may choose from (the book's readers first, in the lab's order)."""
    rank = {name: i for i, name in enumerate(PREFERRED_ORDER)}
    return sorted(_READERS, key=lambda name: (rank.get(name, len(rank)), name))


def make_reader(name: str, generator: Any = None, **options: Any) -> Reader:
    """The reader called ``name`` (see :func:`reader_names`), built around ``generator``."""
    if name not in _READERS:
        raise ValueError(f"No reader named {name!r}; choose one of: {', '.join(reader_names())}.")
    return _READERS[name](generator, **options)
