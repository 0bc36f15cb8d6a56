"""The prompts of the generative reader (labs 1 and 4b): numbered passages, then the question.

A value question (date, amount, duration, name, place) asks for the short answer and the passage
number; a clause question asks for the contract's own words. The value prompts name the
generated portfolio's owner; on any other corpus (CUAD) they name no company.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from domainllm.rag.chunking import Chunk
from domainllm.runtime.generation import Message

PORTFOLIO_OWNER = "the contracts of Kestrel Fluidics"
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
CLAUSE_SYSTEM_PROMPT = (
    "You answer questions about contracts. Use only the numbered context passages. Quote, word "
    "for word, the sentence or sentences of the contract that answer the question, followed by "
    "the number of the passage you quoted in square brackets. If the passages do not contain "
    "the answer, reply: not in the context."
)
CLAUSE_CLOSED_BOOK_PROMPT = (
    "You answer questions about contracts. Reply with the wording of the clause that answers the question."
)


def for_corpus(prompt: str, corpus_kind: str | None = None) -> str:
    """``prompt`` as sent on the corpus in force: the owner's name only on the generated portfolio."""
    if corpus_kind is None:
        from domainllm.corpus.documents import resolve_source

        corpus_kind = resolve_source().kind
    return prompt if corpus_kind == "generated" else prompt.replace(PORTFOLIO_OWNER, "contracts")


def system_prompt(form: str = "value", closed_book: bool = False) -> str:
    """The system prompt for an answer form (``value`` or ``clause``), with or without passages."""
    if form == "clause":
        return CLAUSE_CLOSED_BOOK_PROMPT if closed_book else CLAUSE_SYSTEM_PROMPT
    return for_corpus(CLOSED_BOOK_PROMPT if closed_book else SYSTEM_PROMPT)


def passage_heading(chunk: Chunk) -> str:
    """Citation label of a passage: contract id and, where known, its section heading."""
    section = chunk.metadata.get("section")
    return f"{chunk.doc_id}, {section}" if section else chunk.doc_id


def format_context(chunks: Sequence[Chunk], text_of: Callable[[Chunk], str] | None = None) -> str:
    """Number the passages, each headed by its contract id (and section), for the prompt."""
    text_of = text_of or (lambda chunk: chunk.text)
    return "\n\n".join(f"[{i}] ({passage_heading(c)})\n{text_of(c).strip()}" for i, c in enumerate(chunks, 1))


def rag_messages(
    question: str,
    chunks: Sequence[Chunk],
    text_of: Callable[[Chunk], str] | None = None,
    form: str = "value",
) -> list[Message]:
    """Chat messages for a question answered from retrieved passages."""
    if not question.strip():
        raise ValueError("The question is empty: type a question before asking the model.")
    context = format_context(chunks, text_of)
    return [
        {"role": "system", "content": system_prompt(form)},
        {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question.strip()}"},
    ]


def closed_book_messages(question: str, form: str = "value") -> list[Message]:
    """Chat messages for a question answered from the model's weights alone."""
    if not question.strip():
        raise ValueError("The question is empty: type a question before asking the model.")
    return [
        {"role": "system", "content": system_prompt(form, closed_book=True)},
        {"role": "user", "content": question.strip()},
    ]
