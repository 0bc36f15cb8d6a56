"""Lab 2 (pre-retrieval): chunking strategies: split a document into spans that point back into its text.

Every chunk keeps character offsets, so ``document.text[chunk.start:chunk.end] == chunk.text``
holds for every strategy, and ids are deterministic: ``f"{doc_id}:{strategy}:{index}"``.

Strategies (names as used by :func:`chunk_documents`):

* ``fixed``: windows of ``size`` characters that overlap by ``overlap`` characters.
* ``sentence``: whole sentences packed greedily up to ``max_chars``.
* ``sentence_window``: one chunk per sentence; ``metadata["window"]`` holds the sentence with
  its neighbours, the larger text to hand to the LLM once the small chunk has been retrieved.
* ``section``: one chunk per markdown section; long sections are split on sentence boundaries.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm.auto import tqdm

PROGRESS_THRESHOLD = 200  # show a progress bar when chunking more documents than this
_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t]*(?:\n|$)))+")  # lines up to a blank line
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass(frozen=True)
class Chunk:
    """A span of one document: ``text == document.text[start:end]`` (end exclusive)."""

    id: str
    doc_id: str
    start: int
    end: int
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.end - self.start


def _chunk(
    doc_id: str, strategy: str, index: int, text: str, start: int, end: int, metadata: Mapping | None
) -> Chunk:
    return Chunk(
        id=f"{doc_id}:{strategy}:{index}",
        doc_id=doc_id,
        start=start,
        end=end,
        text=text[start:end],
        metadata=dict(metadata or {}),
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _positive(name: str, value: int) -> None:
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


# ---------------------------------------------------------------- fixed size


def fixed_size_chunks(
    doc_id: str, text: str, size: int = 1024, overlap: int = 256, metadata: Mapping | None = None
) -> list[Chunk]:
    """Cut ``text`` into windows of ``size`` characters, each starting ``size - overlap`` after the last.

    The baseline strategy: it ignores words and sentences, so chunks may start or end mid-word.
    Windows that hold only whitespace are dropped; the last window ends at the end of the text.
    """
    _positive("size", size)
    if not isinstance(overlap, int) or not 0 <= overlap < size:
        raise ValueError(f"overlap must be an integer in [0, size={size}), got {overlap!r}.")
    step = size - overlap
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if text[start:end].strip():
            chunks.append(_chunk(doc_id, "fixed", len(chunks), text, start, end, metadata))
        if end == len(text):
            break
        start += step
    return chunks


# ---------------------------------------------------------------- sentences


@functools.lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _paragraph_sentences(text: str, offset: int, spans: list[tuple[int, int]]) -> None:
    segmenter = _segmenter()
    try:  # pysbd's processor alone: segment() adds an O(n^2) span search that we replace below
        sentences = segmenter.processor(text).process()
    except AttributeError:  # pragma: no cover - other pysbd versions
        sentences = segmenter.segment(text)
    cursor = 0
    for sentence in sentences:
        piece = sentence.strip()
        found = text.find(piece, cursor) if piece else -1
        if found < 0:
            continue
        if text[cursor:found].strip():
            gap = _trim(text, cursor, found)
            spans.append((gap[0] + offset, gap[1] + offset))
        spans.append((found + offset, found + len(piece) + offset))
        cursor = found + len(piece)
    if text[cursor:].strip():
        gap = _trim(text, cursor, len(text))
        spans.append((gap[0] + offset, gap[1] + offset))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries from pysbd as ``(start, end)`` character offsets, whitespace trimmed.

    Paragraphs (blocks between blank lines) are segmented one at a time: no sentence crosses a
    blank line, and pysbd, which slows down quadratically on long texts, only sees short ones.
    A markdown heading line is always a span of its own.
    Any non-blank text pysbd dropped or altered becomes a span of its own, so the spans always
    cover every non-whitespace character.
    """
    spans: list[tuple[int, int]] = []

    def add_prose(start: int, end: int) -> None:
        if text[start:end].strip():
            _paragraph_sentences(text[start:end], start, spans)

    for paragraph in _PARAGRAPH.finditer(text):
        cursor = paragraph.start()
        for heading in _HEADING.finditer(text, paragraph.start(), paragraph.end()):
            add_prose(cursor, heading.start())  # a markdown heading is one "sentence"
            spans.append(_trim(text, heading.start(), heading.end()))
            cursor = heading.end()
        add_prose(cursor, paragraph.end())
    return spans


def _split_long_span(start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    return [(s, min(s + max_chars, end)) for s in range(start, end, max_chars)]


def _pack(text: str, spans: Sequence[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Greedily join consecutive spans while the joined slice stays within ``max_chars``.

    A markdown heading always starts a new piece, so headings stay with the text they introduce.
    """
    packed: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for start, end in spans:
        if end - start > max_chars:  # one over-long "sentence": cut it into hard pieces
            if current:
                packed.append(current)
                current = None
            packed.extend(_trim(text, s, e) for s, e in _split_long_span(start, end, max_chars))
            continue
        heading = _HEADING.match(text, start) is not None and (start == 0 or text[start - 1] == "\n")
        if current and end - current[0] <= max_chars and not heading:
            current = (current[0], end)
        else:
            if current:
                packed.append(current)
            current = (start, end)
    if current:
        packed.append(current)
    return [(s, e) for s, e in packed if e > s]


def sentence_chunks(
    doc_id: str, text: str, max_chars: int = 1024, metadata: Mapping | None = None
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_chars`` characters.

    A single sentence longer than ``max_chars`` is cut into ``max_chars`` pieces.
    """
    _positive("max_chars", max_chars)
    spans = _pack(text, sentence_spans(text), max_chars)
    return [_chunk(doc_id, "sentence", i, text, s, e, metadata) for i, (s, e) in enumerate(spans)]


def sentence_window_chunks(
    doc_id: str, text: str, window: int = 2, metadata: Mapping | None = None
) -> list[Chunk]:
    """One chunk per sentence; ``metadata["window"]`` is the sentence plus ``window`` neighbours each side.

    Retrieval matches the small, precise sentence; generation reads the wider window
    (``text[window_start:window_end]``).
    """
    if not isinstance(window, int) or window < 0:
        raise ValueError(f"window must be a non-negative integer, got {window!r}.")
    spans = sentence_spans(text)
    chunks = []
    for i, (start, end) in enumerate(spans):
        w_start = spans[max(0, i - window)][0]
        w_end = spans[min(len(spans) - 1, i + window)][1]
        extra = {"window": text[w_start:w_end], "window_start": w_start, "window_end": w_end}
        chunks.append(_chunk(doc_id, "sentence_window", i, text, start, end, {**(metadata or {}), **extra}))
    return chunks


# ---------------------------------------------------------------- sections


def markdown_sections(text: str) -> list[tuple[str, int, int]]:
    """``(heading, start, end)`` for each markdown section; text before the first heading has heading "".

    A heading with no body of its own (a document title right above ``## 1. ...``) is joined to
    the section below it, which keeps its own heading.
    """
    starts = [(m.start(), m.group(2).strip()) for m in _HEADING.finditer(text)]
    if not starts or starts[0][0] > 0:
        starts.insert(0, (0, ""))
    sections = []
    pending: int | None = None  # start of a body-less heading waiting to be joined
    for i, (start, heading) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        s, e = _trim(text, start if pending is None else pending, end)
        if e <= s:
            continue
        if heading and "\n" not in text[start:e] and i + 1 < len(starts):
            pending = s
            continue
        pending = None
        sections.append((heading, s, e))
    return sections


def section_chunks(
    doc_id: str, text: str, max_chars: int = 1500, metadata: Mapping | None = None
) -> list[Chunk]:
    """One chunk per markdown section (heading line included); ``metadata["section"]`` is the heading.

    A section longer than ``max_chars`` is split on sentence boundaries; every piece keeps the
    heading in its metadata, the first piece also in its text.
    """
    _positive("max_chars", max_chars)
    chunks: list[Chunk] = []
    for heading, start, end in markdown_sections(text):
        if end - start <= max_chars:
            pieces = [(start, end)]
        else:
            local = [(s + start, e + start) for s, e in sentence_spans(text[start:end])]
            pieces = _pack(text, local, max_chars)
        for s, e in pieces:
            meta = {**(metadata or {}), "section": heading}
            chunks.append(_chunk(doc_id, "section", len(chunks), text, s, e, meta))
    return chunks


# ---------------------------------------------------------------- corpus level

CHUNKERS: dict[str, Callable[..., list[Chunk]]] = {
    "fixed": fixed_size_chunks,
    "sentence": sentence_chunks,
    "sentence_window": sentence_window_chunks,
    "section": section_chunks,
}


def _document_metadata(doc: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for key, attr in (("doc_type", "type"), ("title", "title")):
        value = getattr(doc, attr, None)
        if value is not None:
            meta[key] = value
    return meta


def chunk_documents(documents: Iterable[Any], strategy: str = "fixed", **params: Any) -> list[Chunk]:
    """Chunk every document (objects with ``.id`` and ``.text``) with one strategy from ``CHUNKERS``.

    Each chunk's metadata gets the document's ``doc_type`` (from ``.type``) and ``title``.
    ``params`` go to the chunker, e.g. ``chunk_documents(docs, "fixed", size=512, overlap=64)``.
    """
    if strategy not in CHUNKERS:
        raise ValueError(f"Unknown chunking strategy {strategy!r}; choose one of {', '.join(CHUNKERS)}.")
    chunker = CHUNKERS[strategy]
    documents = list(documents)
    bar = tqdm(documents, desc=f"chunking ({strategy})", disable=len(documents) <= PROGRESS_THRESHOLD)
    chunks: list[Chunk] = []
    for doc in bar:
        chunks.extend(chunker(doc.id, doc.text, metadata=_document_metadata(doc), **params))
    return chunks
