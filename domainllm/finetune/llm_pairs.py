"""Lab 6 (synthetic data): pairs the generator writes from a passage, parsed strictly and cached.

The generator reads the passage and writes one question and its short answer. The output must be
exactly two lines, ``Question: ...?`` and ``Answer: ...``; anything else is rejected and counted
by reason (:func:`parse_pair`), and a question that names no contract gets the passage's
(:func:`name_contract`). Raw outputs are cached on disk, so only new passages cost generation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm.auto import tqdm

from domainllm.cache.records import JsonDiskCache, content_key
from domainllm.finetune.leakage import base_id
from domainllm.finetune.qa_pairs import QAPair
from domainllm.rag.chunking import Chunk
from domainllm.rag.contract_context import contract_ids_in
from domainllm.rag.hypothetical_questions import EXAMPLE_PASSAGE, passage_prompt
from domainllm.runtime.generation import Message
from domainllm.runtime.models import model_key

MAX_ANSWER_WORDS = 12

PAIR_PROMPT = (
    "Write one question that the contract passage answers, and its short answer, as two lines: "
    "'Question: ...' and 'Answer: ...'. Name the contract in the question."
)
EXAMPLE_PAIR = (
    "Question: Within how many days must the Customer pay an invoice under SRV-00099?\nAnswer: 45 days"
)
EXAMPLE_CONTRACT = "SRV-00099"


class MalformedOutput(ValueError):
    """The generator's output is not one question and one short answer; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_LOWER_FIRST = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "does",
        "do",
        "did",
        "can",
        "may",
        "must",
        "shall",
        "will",
        "under",
        "within",
        "for",
        "in",
        "on",
        "to",
        "by",
        "at",
        "if",
        "after",
        "before",
    ]
)


def parse_pair(text: str, max_answer_words: int = MAX_ANSWER_WORDS) -> tuple[str, str]:
    """``(question, answer)`` from exactly two lines ``Question: ...?`` and ``Answer: ...``.

    Raises :class:`MalformedOutput` with one of these reasons: ``no question line``, ``no answer
    line``, ``extra text``, ``question without '?'``, ``empty answer``, ``answer too long``.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines or not re.match(r"question\s*:", lines[0], re.IGNORECASE):
        raise MalformedOutput("no question line")
    if len(lines) < 2 or not re.match(r"answer\s*:", lines[1], re.IGNORECASE):
        raise MalformedOutput("no answer line")
    if len(lines) > 2:
        raise MalformedOutput("extra text")
    question = lines[0].split(":", 1)[1].strip()
    answer = lines[1].split(":", 1)[1].strip().rstrip(".").strip()
    if not question.endswith("?") or len(question.split()) < 3:
        raise MalformedOutput("question without '?'")
    if not answer:
        raise MalformedOutput("empty answer")
    if len(answer.split()) > max_answer_words:
        raise MalformedOutput("answer too long")
    return question, answer


def name_contract(question: str, doc_id: str) -> str:
    """The question with its contract named: ``What is ...?`` -> ``In SUP-00001, what is ...?``.

    Raises :class:`MalformedOutput` (``names another contract``) when the question names a
    contract other than the passage's (usually the worked example's, copied).
    """
    named = contract_ids_in(question)
    contract = base_id(doc_id)
    if named:
        if set(named) != {contract}:
            raise MalformedOutput("names another contract")
        return question
    first, _, rest = question.partition(" ")
    if first.lower() in _LOWER_FIRST:
        first = first.lower()
    return f"In {contract}, {first} {rest}".strip()


def pair_messages(chunk: Chunk) -> list[Message]:
    """The chat messages asking for one pair about ``chunk`` (with a worked example turn)."""
    return [
        {"role": "system", "content": PAIR_PROMPT},
        {"role": "user", "content": EXAMPLE_PASSAGE},
        {"role": "assistant", "content": EXAMPLE_PAIR},
        {"role": "user", "content": passage_prompt(chunk)},
    ]


@dataclass(frozen=True)
class Rejected:
    """A generation that did not parse into a pair, with the reason."""

    chunk_id: str
    doc_id: str
    raw: str
    reason: str


@dataclass
class LLMPairs:
    """Pairs the generator wrote (``pairs``), outputs that did not parse (``rejected``), and raw texts."""

    pairs: list[QAPair] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)

    def reasons(self) -> Counter[str]:
        """How many outputs were rejected for each reason."""
        return Counter(r.reason for r in self.rejected)


def _read_output(chunk: Chunk, raw: str, cut_off: bool, into: LLMPairs) -> None:
    into.raw[chunk.id] = raw
    try:
        if cut_off:
            raise MalformedOutput("cut off at the token limit")
        question, answer = parse_pair(raw)
        question = name_contract(question, chunk.doc_id)
    except MalformedOutput as exc:
        into.rejected.append(Rejected(chunk.id, chunk.doc_id, raw, exc.reason))
        return
    into.pairs.append(QAPair(question, answer, chunk.doc_id, "llm", chunk.text, chunk.id))


def generate_llm_pairs(
    chunks: Sequence[Chunk],
    generator: Any,
    max_new_tokens: int = 40,
    batch_size: int = 8,
    cache: JsonDiskCache | None = None,
    progress: bool | None = None,
) -> LLMPairs:
    """Ask ``generator`` (anything with the ``chat`` method of a Generator) for one pair per chunk.

    Outputs are cached on disk by a hash of model, prompt (with the chunk's text) and token
    limit, so only new chunks cost generation. An output that used every one of the
    ``max_new_tokens`` is treated as cut off and rejected.
    """
    cache = cache or JsonDiskCache("synthetic_pairs")
    model = model_key(generator)
    result = LLMPairs()
    outputs: dict[str, tuple[str, bool]] = {}
    todo: list[tuple[Chunk, list[Message], str]] = []
    for chunk in chunks:
        messages = pair_messages(chunk)
        key = content_key(model, messages, max_new_tokens)
        found = cache.get(key)
        if found is not None and isinstance(found.get("raw"), str):
            outputs[chunk.id] = (found["raw"], bool(found.get("cut_off")))
        else:
            todo.append((chunk, messages, key))
    step = batch_size * 2  # write to the cache every few batches: an interrupted run keeps its work
    show = progress if progress is not None else len(todo) > batch_size
    bar = tqdm(total=len(todo), desc="writing pairs", unit="passage", disable=not show)
    for start in range(0, len(todo), step):
        part = todo[start : start + step]
        completions = generator.chat(
            [m for _, m, _ in part], max_new_tokens=max_new_tokens, batch_size=batch_size, progress=False
        )
        for (chunk, _, key), completion in zip(part, completions, strict=True):
            cut_off = int(getattr(completion, "completion_tokens", 0)) >= max_new_tokens
            cache.put(key, {"raw": completion.text, "cut_off": cut_off})
            outputs[chunk.id] = (completion.text, cut_off)
        bar.update(len(part))
    bar.close()
    for chunk in chunks:
        _read_output(chunk, *outputs[chunk.id], into=result)
    return result
