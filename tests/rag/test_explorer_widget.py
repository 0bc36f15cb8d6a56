"""Lab 3's RAG explorer as a widget: a click re-runs it, and an error shows in the widget itself.

A stand-in retriever and generator keep these tests fast; tests/book/test_lab_interactive.py
clicks the real explorer, with the real models, in JupyterLab in a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from domainllm.rag import explorer
from domainllm.rag.chunking import Chunk

PASSAGE = Chunk("NDA-7:s:0", "NDA-7", 0, 38, "The cure period is thirty (30) days.")


class FakeRetriever:
    name = "fake"

    def retrieve(self, questions: Sequence[str], k: int = 5, filter: str | None = None) -> list[list[Chunk]]:
        return [[PASSAGE] for _ in questions]


class FakeGenerator:
    """Answers with a fixed text until ``fail_with`` is set."""

    def __init__(self) -> None:
        self.fail_with: Exception | None = None

    def chat(self, conversations: Sequence[Any], **_: Any) -> list[SimpleNamespace]:
        if self.fail_with is not None:
            raise self.fail_with
        return [
            SimpleNamespace(text="30 days [1]", prompt_tokens=20, completion_tokens=4) for _ in conversations
        ]


@pytest.fixture
def parts(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, FakeGenerator]:
    monkeypatch.setattr(explorer, "make_retriever", lambda kind, index: FakeRetriever())
    generator = FakeGenerator()
    box = explorer.rag_explorer({"sections": object()}, generator, question="Cure period of NDA-7?")
    return box, generator


def test_the_first_result_is_shown_and_a_click_asks_again(parts: tuple[Any, FakeGenerator]) -> None:
    box, _ = parts
    text, ask, result = box.children[0], box.children[3], box.children[4]
    assert "Cure period of NDA-7?" in result.value and "30 days [1]" in result.value
    assert "NDA-7" in result.value and "thirty (30) days" in result.value
    text.value = "Who signs NDA-7?"
    ask.click()
    assert "Who signs NDA-7?" in result.value
    assert ask.description == "Ask" and not ask.disabled


def test_an_error_in_the_click_callback_is_shown_in_the_widget(parts: tuple[Any, FakeGenerator]) -> None:
    box, generator = parts
    text, ask, result = box.children[0], box.children[3], box.children[4]
    generator.fail_with = RuntimeError("the model ran out of <memory>")
    text.value = "Who signs NDA-7?"
    ask.click()  # must not raise: the message goes into the widget
    assert "RuntimeError" in result.value
    assert "the model ran out of &lt;memory&gt;" in result.value  # escaped
    assert ask.description == "Ask" and not ask.disabled  # ready for the next try
    generator.fail_with = None
    ask.click()
    assert "Error" not in result.value and "30 days [1]" in result.value


def test_an_error_while_the_widget_is_created_fails_the_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explorer, "make_retriever", lambda kind, index: FakeRetriever())
    generator = FakeGenerator()
    generator.fail_with = RuntimeError("no model")
    with pytest.raises(RuntimeError, match="no model"):  # the book build must not hide it
        explorer.rag_explorer({"sections": object()}, generator, question="Cure period of NDA-7?")


class FirstSentenceReader:
    """Answers with the first passage's text, as an extractive reader would (lab 4b)."""

    name = "first_sentence"

    def read(self, questions, passages, progress=None):
        from domainllm.rag.readers import Reading

        return [Reading(answer=f"quoted: {chunks[0].text}", citation=1) for chunks in passages]


def test_the_reader_dropdown_changes_the_reading_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    from domainllm.rag.readers import base

    monkeypatch.setitem(base._READERS, "first_sentence", lambda generator, **_: FirstSentenceReader())
    monkeypatch.setattr(explorer, "make_retriever", lambda kind, index: FakeRetriever())
    box = explorer.rag_explorer(
        {"sections": object()},
        FakeGenerator(),
        question="Cure period?",
        readers=("generative", "first_sentence"),
    )
    reader_choice = box.children[2].children[1]
    ask, result = box.children[3], box.children[4]
    assert reader_choice.value == "generative" and "30 days [1]" in result.value
    reader_choice.value = "first_sentence"
    ask.click()
    assert "quoted: The cure period is thirty (30) days." in result.value
