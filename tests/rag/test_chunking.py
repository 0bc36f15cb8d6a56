"""Chunking strategies: offsets, sizes, ids, metadata and the corpus-level dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from domainllm.rag.chunking import (
    CHUNKERS,
    Chunk,
    chunk_documents,
    fixed_size_chunks,
    markdown_sections,
    section_chunks,
    sentence_chunks,
    sentence_spans,
    sentence_window_chunks,
)

CONTRACT = """# Master Services Agreement

This Master Services Agreement is made between Acme Inc. and Beta LLC on 1 March 2024.

## 1. Definitions

"Services" means the work described in Exhibit A. "Fees" means the amounts set out in Sec. 4.2 below.
"Confidential Information" means any non-public information disclosed by either party.

## 2. Term and Termination

The term is twelve (12) months from the Effective Date. Either party may terminate this Agreement \
with thirty (30) days written notice. The Supplier may terminate immediately if the Customer fails to pay.

## 3. Governing Law

This Agreement is governed by the laws of the State of Delaware, U.S.A.
"""


@dataclass
class Doc:
    id: str
    text: str
    type: str = "msa"
    title: str = "Master Services Agreement"
    metadata: dict = field(default_factory=dict)


def assert_offsets(chunks: list[Chunk], text: str) -> None:
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip()


@pytest.mark.parametrize("name", sorted(CHUNKERS))
def test_every_strategy_keeps_offsets_and_deterministic_ids(name):
    chunks = CHUNKERS[name]("doc-1", CONTRACT)
    assert chunks
    assert_offsets(chunks, CONTRACT)
    assert [c.id for c in chunks] == [f"doc-1:{name}:{i}" for i in range(len(chunks))]
    assert chunks == CHUNKERS[name]("doc-1", CONTRACT)
    assert all(c.doc_id == "doc-1" for c in chunks)


@pytest.mark.parametrize("name", sorted(CHUNKERS))
def test_empty_and_blank_text_give_no_chunks(name):
    assert CHUNKERS[name]("d", "") == []
    assert CHUNKERS[name]("d", "  \n\n \t") == []


def test_fixed_size_windows_overlap_and_reach_the_end():
    text = "".join(chr(ord("a") + i % 26) for i in range(1000))
    chunks = fixed_size_chunks("d", text, size=300, overlap=100)
    assert [(c.start, c.end) for c in chunks] == [(0, 300), (200, 500), (400, 700), (600, 900), (800, 1000)]
    assert_offsets(chunks, text)
    assert fixed_size_chunks("d", "short", size=300, overlap=100)[0].text == "short"


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (100, 100), (100, -1), (10, 20)])
def test_fixed_size_rejects_bad_parameters(size, overlap):
    with pytest.raises(ValueError):
        fixed_size_chunks("d", CONTRACT, size=size, overlap=overlap)


def test_sentence_spans_follow_sentences_and_headings():
    spans = sentence_spans(CONTRACT)
    sentences = [CONTRACT[s:e] for s, e in spans]
    assert "# Master Services Agreement" in sentences
    assert "## 1. Definitions" in sentences
    assert "The term is twelve (12) months from the Effective Date." in sentences
    assert any(s.endswith("in Sec. 4.2 below.") for s in sentences)
    # abbreviations do not end sentences
    assert any(
        s.startswith("This Master Services Agreement") and s.endswith("1 March 2024.") for s in sentences
    )
    assert all(s == s.strip() for s in sentences)
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_sentence_spans_cover_every_visible_character():
    text = "First one. Second one!\n\n- a list item\n- another\n\nTrailing words without a stop"
    covered = set()
    for start, end in sentence_spans(text):
        covered.update(range(start, end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_sentence_chunks_pack_whole_sentences_within_the_limit():
    chunks = sentence_chunks("d", CONTRACT, max_chars=200)
    assert_offsets(chunks, CONTRACT)
    assert all(len(c.text) <= 200 for c in chunks)
    ends = {e for _, e in sentence_spans(CONTRACT)}
    assert all(c.end in ends for c in chunks)  # no sentence is cut
    assert any(c.text.startswith("## 2. Term") for c in chunks)  # headings start chunks


def test_sentence_chunks_cut_a_sentence_longer_than_the_limit():
    text = "word " * 100 + "end."
    chunks = sentence_chunks("d", text, max_chars=120)
    assert_offsets(chunks, text)
    assert len(chunks) > 1 and all(len(c.text) <= 120 for c in chunks)


def test_sentence_window_chunks_carry_their_neighbours():
    spans = sentence_spans(CONTRACT)
    chunks = sentence_window_chunks("d", CONTRACT, window=1, metadata={"title": "MSA"})
    assert len(chunks) == len(spans)
    middle = chunks[3]
    meta = middle.metadata
    assert meta["window"] == CONTRACT[meta["window_start"] : meta["window_end"]]
    assert (meta["window_start"], meta["window_end"]) == (spans[2][0], spans[4][1])
    assert middle.text in meta["window"]
    assert chunks[0].metadata["window_start"] == chunks[0].start
    assert meta["title"] == "MSA"
    assert sentence_window_chunks("d", CONTRACT, window=0)[3].metadata["window"] == middle.text


def test_section_chunks_follow_headings():
    chunks = section_chunks("d", CONTRACT)
    sections = [c.metadata["section"] for c in chunks]
    assert sections == [
        "Master Services Agreement",
        "1. Definitions",
        "2. Term and Termination",
        "3. Governing Law",
    ]
    assert chunks[2].text.startswith("## 2. Term and Termination")
    assert chunks[3].text.endswith("U.S.A.")
    assert_offsets(chunks, CONTRACT)


def test_a_bodyless_title_joins_the_next_section():
    text = "# Title\n\n## 1. Scope\n\nThe scope is small."
    assert markdown_sections(text) == [("1. Scope", 0, len(text))]
    (chunk,) = section_chunks("d", text)
    assert chunk.text == text and chunk.metadata["section"] == "1. Scope"


def test_long_sections_split_on_sentences_and_keep_the_heading():
    body = " ".join(f"Clause sentence number {i} applies." for i in range(40))
    text = f"Preamble text.\n\n## 7. Liability\n\n{body}\n"
    chunks = section_chunks("d", text, max_chars=300)
    assert_offsets(chunks, text)
    assert chunks[0].metadata["section"] == ""
    liability = [c for c in chunks if c.metadata["section"] == "7. Liability"]
    assert len(liability) > 1 and all(len(c.text) <= 300 for c in liability)
    assert all(c.text.endswith("applies.") for c in liability)


def test_chunk_documents_adds_document_metadata():
    docs = [Doc("a", CONTRACT), Doc("b", "## 1. Payment\n\nPay within 30 days.", type="nda", title="NDA")]
    chunks = chunk_documents(docs, "section")
    assert {c.doc_id for c in chunks} == {"a", "b"}
    last = chunks[-1]
    assert last.id == "b:section:0"
    assert dict(last.metadata) == {"doc_type": "nda", "title": "NDA", "section": "1. Payment"}
    fixed = chunk_documents(docs, "fixed", size=64, overlap=16)
    assert all(len(c.text) <= 64 and c.metadata["doc_type"] in {"msa", "nda"} for c in fixed)


def test_chunk_documents_rejects_unknown_strategy():
    with pytest.raises(ValueError, match="fixed, sentence, sentence_window, section"):
        chunk_documents([Doc("a", CONTRACT)], "semantic")


def test_chunk_documents_handles_many_documents():
    docs = [Doc(f"d{i}", f"## 1. Clause\n\nDocument {i} says hello. It ends here.") for i in range(250)]
    chunks = chunk_documents(docs, "sentence", max_chars=1000)
    assert len(chunks) == 250 and len({c.id for c in chunks}) == 250
