"""Hypothetical-question indexing: cached generation, index entries, parent retrieval."""

from __future__ import annotations

import json

import pytest

from domainllm.cache.keys import content_key
from domainllm.rag.chunking import Chunk
from domainllm.rag.hypothetical_questions import (
    HypotheticalQuestionRetriever,
    QuestionCache,
    generate_questions,
    question_chunks,
    question_messages,
)
from domainllm.runtime.generation import Completion
from domainllm.runtime.models import model_key


class FakeGenerator:
    """Writes two numbered questions (and one non-question) for every passage; counts calls."""

    def __init__(self) -> None:
        self.prompts = 0

    def chat(self, conversations, system=None, max_new_tokens=48, batch_size=8, progress=None):
        self.prompts += len(conversations)
        return [
            Completion("1. Who pays?\n2. When is it due?\n3. A statement.", 50, 12) for _ in conversations
        ]


def _chunk(doc_id: str, index: int, text: str, section: str = "7. Payment") -> Chunk:
    return Chunk(
        f"{doc_id}:section:{index}", doc_id, 10 * index, 10 * index + len(text), text, {"section": section}
    )


CHUNKS = [
    _chunk("SUP-00001", 0, "The Buyer pays within 30 days."),
    _chunk("SUP-00001", 1, "Ohio law governs."),
]


def test_questions_are_generated_once_then_read_from_the_cache(tmp_path) -> None:
    generator = FakeGenerator()
    cache = QuestionCache(tmp_path)
    first = generate_questions(CHUNKS, generator, n=2, cache=cache)
    assert first == {c.id: ["Who pays?", "When is it due?"] for c in CHUNKS}
    assert generator.prompts == 2
    again = generate_questions(CHUNKS, generator, n=2, cache=QuestionCache(tmp_path))
    assert again == first and generator.prompts == 2  # nothing regenerated
    changed = [CHUNKS[0], _chunk("SUP-00001", 1, "Texas law governs.")]
    generate_questions(changed, generator, n=2, cache=QuestionCache(tmp_path))
    assert generator.prompts == 3  # only the edited chunk
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 3 and not list(tmp_path.rglob("*.tmp"))
    record = json.loads(files[0].read_text())
    assert set(record) == {"questions", "raw"}


def test_cache_key_depends_on_model_prompt_text_and_length() -> None:
    messages = question_messages(CHUNKS[0])
    base = content_key("m", messages, 40)
    assert base != content_key("other", messages, 40)
    assert base != content_key("m", question_messages(CHUNKS[1]), 40)
    assert base != content_key("m", question_messages(CHUNKS[0], n=3), 40)
    assert base != content_key("m", messages, 41)
    assert messages[-1]["content"].startswith("Contract SUP-00001, section 7. Payment\n\nThe Buyer")
    assert model_key(FakeGenerator()) == "FakeGenerator"


def test_corrupt_cache_entry_is_regenerated(tmp_path) -> None:
    generator = FakeGenerator()
    generate_questions(CHUNKS[:1], generator, cache=QuestionCache(tmp_path))
    next(tmp_path.rglob("*.json")).write_text("{not json")
    assert generate_questions(CHUNKS[:1], generator, cache=QuestionCache(tmp_path))[CHUNKS[0].id] == [
        "Who pays?",
        "When is it due?",
    ]
    assert generator.prompts == 2


def test_question_entries_point_back_to_their_chunk() -> None:
    questions = {CHUNKS[0].id: ["Who pays?", "When?"], CHUNKS[1].id: []}
    entries = question_chunks(CHUNKS, questions)
    assert [e.id for e in entries] == [f"{CHUNKS[0].id}#q0", f"{CHUNKS[0].id}#q1"]
    assert all(e.metadata["parent"] == CHUNKS[0].id and e.start == CHUNKS[0].start for e in entries)
    assert entries[0].metadata["section"] == "7. Payment"
    with_chunks = question_chunks(CHUNKS, questions, include_chunks=True)
    assert [e.id for e in with_chunks] == [CHUNKS[0].id, *[e.id for e in entries], CHUNKS[1].id]


class FakeRetriever:
    name = "fake"

    def __init__(self, entries: list[Chunk]) -> None:
        self.entries = entries
        self.asked_k: list[int] = []

    def retrieve(self, questions, k=5, filter=None):
        self.asked_k.append(k)
        return [self.entries[:k] for _ in questions]


def test_retriever_returns_distinct_parents_in_rank_order() -> None:
    questions = {CHUNKS[0].id: ["Who pays?", "When?"], CHUNKS[1].id: ["Which law?"]}
    entries = question_chunks(CHUNKS, questions)
    base = FakeRetriever(entries)
    retriever = HypotheticalQuestionRetriever(base, CHUNKS, fetch=3)
    assert retriever.retrieve(["Who pays?"], k=2) == [CHUNKS]
    assert retriever.retrieve(["Who pays?"], k=1) == [CHUNKS[:1]]
    assert base.asked_k == [6, 3]
    with pytest.raises(ValueError, match="empty question"):
        retriever.retrieve([" "], k=2)
    with pytest.warns(UserWarning, match="characters long"):
        retriever.retrieve(["x" * 2000], k=1)
