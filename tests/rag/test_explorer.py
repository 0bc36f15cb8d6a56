"""The explorer's evidence highlighting (the widget itself runs in lab 3 during the book build)."""

from __future__ import annotations

from domainllm.corpus.questions import Evidence
from domainllm.rag.chunking import Chunk
from domainllm.rag.explorer import highlight_evidence


def test_overlapping_evidence_is_marked_and_text_escaped() -> None:
    chunk = Chunk("D:s:0", "D", 100, 130, "Notice: <thirty> days & more..")
    marked = highlight_evidence(chunk, [Evidence("D", 108, 121), Evidence("OTHER", 100, 130)])
    assert marked == "Notice: <mark>&lt;thirty&gt; days</mark> &amp; more.."


def test_evidence_outside_the_chunk_changes_nothing() -> None:
    chunk = Chunk("D:s:0", "D", 0, 5, "Hello")
    assert highlight_evidence(chunk, [Evidence("D", 10, 20)]) == "Hello"
