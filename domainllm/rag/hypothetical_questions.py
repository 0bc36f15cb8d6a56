"""Lab 2 (pre-retrieval): hypothetical-question indexing: search questions the LLM wrote for each chunk, return the chunk.

A user's question resembles another question more than it resembles a contract clause. So,
once, at indexing time, the generator writes a few questions each chunk answers
(:func:`generate_questions`, cached on disk); the questions are embedded and indexed, each
pointing back to its chunk (:func:`question_chunks`); at query time
:class:`HypotheticalQuestionRetriever` searches the questions and returns their parent chunks,
best first and without duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from domainllm.cache.keys import content_key
from domainllm.cache.records import JsonDiskCache
from domainllm.rag.chunking import Chunk
from domainllm.rag.query_transforms import ChatModel, check_questions, parse_list
from domainllm.rag.vectorstore import check_positive
from domainllm.runtime.models import model_key

QUESTIONS_PROMPT = (
    "Write {n} short questions that the contract passage answers, one per line. Do not answer them."
)
# A worked example, shown as an earlier turn: the 135M model copies the passage without it.
EXAMPLE_PASSAGE = (
    "Contract SRV-00099, section 7. Payment\n\n7.2 The Customer shall pay each undisputed invoice "
    "within forty-five (45) days of receipt, by bank transfer to the account named by the Supplier."
)
EXAMPLE_QUESTIONS = (
    "Within how many days must the Customer pay an invoice?",
    "How must the Customer pay invoices?",
    "Which invoices must be paid?",
)
PARENT_KEY = "parent"


def passage_prompt(chunk: Chunk) -> str:
    """The user message for one chunk: the passage headed by its contract id and section."""
    heading = f"Contract {chunk.doc_id}"
    if chunk.metadata.get("section"):
        heading += f", section {chunk.metadata['section']}"
    return f"{heading}\n\n{chunk.text.strip()}"


def question_messages(chunk: Chunk, n: int = 2) -> list[dict[str, str]]:
    """The chat messages that ask for ``n`` questions about one chunk (with the worked example)."""
    return [
        {"role": "system", "content": QUESTIONS_PROMPT.format(n=n)},
        {"role": "user", "content": EXAMPLE_PASSAGE},
        {"role": "assistant", "content": "\n".join(EXAMPLE_QUESTIONS[:n])},
        {"role": "user", "content": passage_prompt(chunk)},
    ]


class QuestionCache(JsonDiskCache):
    """One small JSON record per (model, prompt, chunk text): the parsed questions and the raw text."""

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__("hypothetical_questions", folder)

    def questions(self, key: str) -> list[str] | None:
        """The cached questions, or None (a corrupt entry counts as missing)."""
        record = self.get(key)
        if record is None or not isinstance(record.get("questions"), list):
            return None
        return [str(q) for q in record["questions"]]

    def put_questions(self, key: str, questions: Sequence[str], raw: str) -> None:
        """Store the parsed questions and the raw generation they came from."""
        self.put(key, {"questions": list(questions), "raw": raw})


def generate_questions(
    chunks: Sequence[Chunk],
    generator: ChatModel,
    n: int = 2,
    max_new_tokens: int = 40,
    batch_size: int = 8,
    cache: QuestionCache | None = None,
    progress: bool | None = None,
) -> dict[str, list[str]]:
    """``{chunk id: up to n questions}`` written by the generator; cached chunks cost nothing.

    Only chunks missing from the cache are sent to the generator, in batches; a chunk for which
    the model produced no usable line gets an empty list (and is cached as such).
    """
    check_positive(n, "n")
    cache = cache or QuestionCache()
    model = model_key(generator)
    result: dict[str, list[str]] = {}
    todo: list[tuple[Chunk, list[dict[str, str]], str]] = []
    for chunk in chunks:
        prompt = question_messages(chunk, n)
        key = content_key(model, prompt, max_new_tokens)
        found = cache.questions(key)
        if found is None:
            todo.append((chunk, prompt, key))
        else:
            result[chunk.id] = found
    show = progress if progress is not None else len(todo) > batch_size
    step = batch_size * 4  # write to the cache every few batches, so an interrupted run keeps its work
    for start in tqdm(range(0, len(todo), step), desc="writing questions", disable=not show):
        part = todo[start : start + step]
        completions = generator.chat(
            [p for _, p, _ in part], max_new_tokens=max_new_tokens, batch_size=batch_size
        )
        for (chunk, _, key), completion in zip(part, completions, strict=True):
            questions = [q for q in parse_list(completion.text, limit=n) if q.endswith("?")]
            cache.put_questions(key, questions, completion.text)
            result[chunk.id] = questions
    return {chunk.id: result[chunk.id] for chunk in chunks}


def question_chunks(
    chunks: Sequence[Chunk], questions: Mapping[str, Sequence[str]], include_chunks: bool = False
) -> list[Chunk]:
    """One index entry per generated question, with its parent chunk's offsets and metadata.

    ``metadata["parent"]`` names the chunk; with ``include_chunks`` each chunk is indexed
    too (its own parent), so a search can match either the passage or one of its questions.
    """
    entries: list[Chunk] = []
    for chunk in chunks:
        meta = {**chunk.metadata, PARENT_KEY: chunk.id}
        if include_chunks:
            entries.append(Chunk(chunk.id, chunk.doc_id, chunk.start, chunk.end, chunk.text, meta))
        for i, question in enumerate(questions.get(chunk.id, ())):
            entries.append(Chunk(f"{chunk.id}#q{i}", chunk.doc_id, chunk.start, chunk.end, question, meta))
    return entries


class HypotheticalQuestionRetriever:
    """Search an index of generated questions; return their parent chunks, deduplicated.

    ``base`` is any retriever over :func:`question_chunks` entries (dense, BM25, hybrid,
    filtered); ``parents`` maps chunk ids to chunks. Several questions of one chunk often rank
    high together, so ``fetch`` entries per requested chunk are searched before deduplicating.
    """

    def __init__(self, base: Any, parents: Mapping[str, Chunk] | Sequence[Chunk], fetch: int = 4) -> None:
        check_positive(fetch, "fetch")
        self.base = base
        self.parents = dict(parents) if isinstance(parents, Mapping) else {c.id: c for c in parents}
        self.fetch = fetch
        self.name = f"questions→chunks ({getattr(base, 'name', 'retriever')})"

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        """Top-``k`` distinct parent chunks per question, in the order their best entry ranked."""
        check_positive(k)
        questions = check_questions(questions)
        if not questions:
            return []
        results = []
        for entries in self.base.retrieve(questions, k=k * self.fetch, filter=filter):
            seen: dict[str, Chunk] = {}
            for entry in entries:
                parent = str(entry.metadata.get(PARENT_KEY, entry.id))
                if parent not in seen:
                    seen[parent] = self.parents[parent]
                if len(seen) == k:
                    break
            results.append(list(seen.values()))
        return results

    def __repr__(self) -> str:
        return f"HypotheticalQuestionRetriever(base={self.base!r}, parents={len(self.parents)})"
