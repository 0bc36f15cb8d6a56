"""The reading stage (lab 4b): every reader's contract, with tiny fakes instead of the real models."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from domainllm.corpus.records import Evidence, Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.pipeline import RagPipeline
from domainllm.rag.prompts import CLAUSE_SYSTEM_PROMPT, system_prompt
from domainllm.rag.readers import (
    ABSTAIN,
    EMPTY_QUESTION,
    ClauseReader,
    GenerativeReader,
    NearestSentenceReader,
    gold_contract_passages,
    locate,
    make_reader,
    reader_names,
)
from domainllm.rag.readers.base import chunk_source, unreadable
from domainllm.runtime.generation import Completion

CLAUSE = "12.1 This Agreement is governed by the laws of the State of Ohio."


def _question(text: str = "Which law governs SUP-00001?", form: str = "value") -> Question:
    return Question(
        "q",
        text,
        "Ohio",
        ("State of Ohio",),
        (Evidence("SUP-00001", 5, 70),),
        "governing_law",
        "t",
        "T",
        form=form,
    )


def _chunk(text: str = CLAUSE, start: int = 5, doc_id: str = "SUP-00001") -> Chunk:
    return Chunk(f"{doc_id}:s:0", doc_id, start, start + len(text), text, {"section": "12. Governing Law"})


class FakeGenerator:
    """Answers every conversation with a fixed text and records what it was asked."""

    settings = None  # no identity: never cached

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls: list[tuple[list, int]] = []

    def chat(self, conversations, max_new_tokens=48, batch_size=8, progress=None):
        self.calls.append((list(conversations), max_new_tokens))
        return [Completion(self.text, 50, 5) for _ in conversations]


def test_every_book_reader_is_registered_in_the_lab_order() -> None:
    assert reader_names()[:4] == ["generative", "grounded", "extractive", "clause"]
    with pytest.raises(ValueError, match="No reader named 'oracle'"):
        make_reader("oracle")


def test_locate_finds_a_quote_across_whitespace_and_case() -> None:
    chunk = _chunk("Payment is due\nwithin thirty (30) days of invoice.", start=100)
    number, spans = locate("WITHIN thirty (30)   days", [_chunk("unrelated text"), chunk])
    assert number == 2 and spans == (Evidence("SUP-00001", 115, 138),)
    assert locate("sixty days", [chunk]) == (None, ())


def test_a_compressed_passage_is_located_in_its_document() -> None:
    document = "Intro sentence. " + CLAUSE + " Other sentence."
    compressed = dataclasses.replace(_chunk(document, start=0), text=CLAUSE)  # text shorter than its span
    assert chunk_source(compressed, lambda doc_id: document) == (document, 0)


def test_generative_reader_quotes_cites_and_uses_the_form_s_token_limit() -> None:
    generator = FakeGenerator("the State of Ohio [1]")
    value, clause = _question(), _question(form="clause")
    readings = GenerativeReader(generator).read([value, clause], [[_chunk()], [_chunk()]])
    assert [r.citation for r in readings] == [1, 1]
    assert readings[0].spans == (Evidence("SUP-00001", 5 + CLAUSE.index("the State"), 5 + len(CLAUSE) - 1),)
    assert sorted(tokens for _, tokens in generator.calls) == [24, 128]  # clauses are not cut at 24 tokens
    clause_call = next(conv for conv, tokens in generator.calls if tokens == 128)
    assert clause_call[0][0]["content"] == CLAUSE_SYSTEM_PROMPT


def test_an_answer_that_is_no_quote_has_no_span() -> None:
    reading = GenerativeReader(FakeGenerator("Ohio law, probably")).read([_question()], [[_chunk()]])[0]
    assert reading.spans == () and reading.citation is None


def test_prompts_name_no_company_outside_the_generated_portfolio(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    assert "Kestrel" in system_prompt("value")
    for form in ("value", "clause"):
        for closed in (False, True):
            cuad = tmp_path / "CUAD.json"
            cuad.write_text('{"data": []}')
            monkeypatch.setenv("DOMAINLLM_CORPUS", f"cuad:{cuad}")
            assert "Kestrel" not in system_prompt(form, closed_book=closed)
            monkeypatch.delenv("DOMAINLLM_CORPUS")
            assert "Kestrel" not in system_prompt("clause", closed_book=closed)


@pytest.mark.parametrize("name", ["generative", "grounded", "extractive", "clause", "nearest_sentence"])
def test_bad_input_gets_a_clear_note_not_a_crash(name: str) -> None:
    reader = make_reader(name, FakeGenerator("unused"))
    empty_question = dataclasses.replace(_question(), question="   ")
    blank = _chunk("   \n ")
    readings = reader.read([empty_question, _question(), _question()], [[_chunk()], [blank], []])
    assert [r.answer for r in readings] == [ABSTAIN] * 3
    assert readings[0].note == EMPTY_QUESTION
    assert "No passage with text" in readings[1].note and "No passage with text" in readings[2].note


def test_unreadable_passes_good_input() -> None:
    assert unreadable(_question(), [_chunk()]) is None


class _Nothing:
    name = "nothing"

    def retrieve(self, questions, k=5, filter=None):
        return [[] for _ in questions]


def test_pipeline_says_when_a_named_contract_is_not_in_the_corpus() -> None:
    pipeline = RagPipeline("p", FakeGenerator("x"), _Nothing(), k=3)  # type: ignore[arg-type]
    question = dataclasses.replace(_question(), question="Which law governs SUP-99999?")
    (answer,) = pipeline.run([question])
    assert answer.answer == ABSTAIN and "no contract SUP-99999" in answer.note


def test_pipeline_takes_its_reader_by_name_and_answers_empty_questions() -> None:
    pipeline = RagPipeline("p", FakeGenerator("x"), _Nothing(), k=3, reader="generative")  # type: ignore[arg-type]
    assert isinstance(pipeline.reader, GenerativeReader)
    (answer,) = pipeline.run([dataclasses.replace(_question(), question="")])
    assert answer.answer == ABSTAIN and answer.note == EMPTY_QUESTION
    closed = RagPipeline("c", FakeGenerator("Ohio"), None)  # type: ignore[arg-type]
    assert closed.reader.closed_book and closed.run([_question()])[0].answer == "Ohio"


def _fake_encode(texts: list[str]) -> np.ndarray:
    """Bag-of-letters vectors: enough to tell sentences apart in a test."""
    return np.array(
        [[t.lower().count(ch) for ch in "abcdefghijklmnopqrstuvwxyz"] for t in texts], dtype=float
    )


CONTRACT = (
    "1. Payment. Invoices are payable in thirty days. 2. Law. This Agreement is governed by the laws of Ohio."
)


def test_clause_reader_returns_whole_sentences_with_spans_within_budget() -> None:
    exemplars = (
        _fake_encode(["Which law governs?"]),
        _fake_encode(["This Agreement is governed by the laws of Ohio."]),
    )
    reader = ClauseReader(encode=_fake_encode, exemplars=exemplars, max_chars=50)
    chunk = Chunk("D:0", "D", 0, len(CONTRACT), CONTRACT)
    question = dataclasses.replace(
        _question("Which laws govern the agreement?", form="clause"), evidence=(Evidence("D", 65, 112),)
    )
    (reading,) = reader.read([question], [[chunk]])
    assert reading.answer == "This Agreement is governed by the laws of Ohio."
    assert [CONTRACT[s.start : s.end] for s in reading.spans] == [reading.answer] and reading.citation == 1
    assert len(reading.answer) <= 50


def test_nearest_sentence_reader_and_the_gold_contract_oracle() -> None:
    question = dataclasses.replace(_question("Which laws govern?"), evidence=(Evidence("D", 65, 112),))
    passages = gold_contract_passages([question], lambda doc_id: CONTRACT)
    assert passages[0][0].text == CONTRACT and passages[0][0].doc_id == "D"
    (reading,) = NearestSentenceReader(encode=_fake_encode, sentences=2).read([question], passages)
    assert len(reading.spans) == 2 and all(CONTRACT[s.start : s.end] in reading.answer for s in reading.spans)
