"""Lab 3's RAG explorer (ipywidgets): type a question, pick index, retriever and k, see passages and answer.

The widget runs once when created, so the built HTML book shows a real result (ipywidgets
saves the widget state); on Binder or in Jupyter each click on *Ask* runs the search again with
the current settings. While it runs the button is disabled; if it fails, the error is shown in
the widget (an exception in a widget callback would otherwise reach only JupyterLab's log).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from domainllm.corpus.questions import Evidence, Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.contract_context import contract_filter
from domainllm.rag.pipeline import RagPipeline, passage_heading
from domainllm.rag.retrievers import ChunkIndex, FilteredRetriever, make_retriever
from domainllm.runtime.generation import Generator

logger = logging.getLogger(__name__)


def highlight_evidence(chunk: Chunk, evidence: Sequence[Evidence]) -> str:
    """The chunk's text as HTML, with the parts that overlap gold evidence spans in <mark>."""
    marks = sorted(
        (max(e.start, chunk.start) - chunk.start, min(e.end, chunk.end) - chunk.start)
        for e in evidence
        if e.doc_id == chunk.doc_id and e.start < chunk.end and e.end > chunk.start
    )
    pieces, cursor = [], 0
    for start, end in marks:
        start = max(start, cursor)
        if end <= start:
            continue
        pieces += [
            html.escape(chunk.text[cursor:start]),
            f"<mark>{html.escape(chunk.text[start:end])}</mark>",
        ]
        cursor = end
    pieces.append(html.escape(chunk.text[cursor:]))
    return "".join(pieces)


def render_result(question: str, chunks: Sequence[Chunk], answer: str, gold: Question | None) -> str:
    """HTML for one explorer run: the answer, then each passage with evidence highlighted."""
    evidence = gold.evidence if gold else ()
    gold_line = f"<p><b>Gold answer:</b> {html.escape(gold.answer)}</p>" if gold else ""
    blocks = [
        f"<p><b>Question:</b> {html.escape(question)}</p><p><b>Model's answer:</b> {html.escape(answer)}</p>{gold_line}"
    ]
    for rank, chunk in enumerate(chunks, 1):
        hit = any(e.doc_id == chunk.doc_id and e.start < chunk.end and e.end > chunk.start for e in evidence)
        badge = " ✔ contains gold evidence" if hit else ""
        blocks.append(
            f"<div style='border:1px solid #ccc;border-radius:4px;padding:6px;margin:6px 0'>"
            f"<b>[{rank}] {html.escape(passage_heading(chunk))}</b>{badge}"
            f"<pre style='white-space:pre-wrap;font-size:0.85em;margin:4px 0'>{highlight_evidence(chunk, evidence)}</pre></div>"
        )
    return "\n".join(blocks)


def rag_explorer(
    indexes: Mapping[str, ChunkIndex],
    generator: Generator,
    questions: Sequence[Question] = (),
    question: str = "",
    rerankers: Mapping[str, Any] | None = None,
    candidates: int = 10,
    readers: Sequence[str] = ("generative", "extractive", "grounded", "clause"),
) -> Any:
    """Build the explorer widget (returns an ``ipywidgets.VBox``).

    ``indexes`` maps a chunking name to its index; ``rerankers`` maps a name to a reranker
    (e.g. :class:`domainllm.rag.reranking.LLMReranker`) applied to the top ``candidates``;
    ``readers`` are the reading stages offered (lab 4b), the first one preselected.
    """
    import ipywidgets as widgets

    gold_by_text = {q.question: q for q in questions}
    text = widgets.Text(
        value=question or (questions[0].question if questions else ""), description="Question"
    )
    text.layout.width = "95%"
    index_choice = widgets.Dropdown(options=list(indexes), description="Chunks")
    retriever_choice = widgets.Dropdown(
        options=["dense", "bm25", "hybrid"], value="hybrid", description="Retriever"
    )
    use_filter = widgets.Checkbox(value=True, description="filter by contract id")
    k_choice = widgets.IntSlider(value=3, min=1, max=10, description="k")
    reranker_choice = widgets.Dropdown(options=["none", *(rerankers or {})], description="Reranker")
    reader_choice = widgets.Dropdown(options=readers, value=readers[0], description="Reader")
    ask = widgets.Button(description="Ask", button_style="primary")
    result = widgets.HTML()

    def run(*_: object) -> None:
        query = text.value.strip()
        if not query:
            result.value = "<p><b>Type a question first.</b></p>"
            return
        retriever: Any = make_retriever(retriever_choice.value, indexes[index_choice.value])
        if use_filter.value:
            retriever = FilteredRetriever(retriever, contract_filter)
        if reranker_choice.value != "none":
            from domainllm.rag.reranking import RerankingRetriever

            retriever = RerankingRetriever(
                retriever, (rerankers or {})[reranker_choice.value], candidates=candidates
            )
        pipeline = RagPipeline(
            "explorer", generator, retriever, k=k_choice.value, max_new_tokens=32, reader=reader_choice.value
        )
        # through the pipeline, so an answer given before (by a lab, or the book build) comes from the cache
        answer = pipeline.run([gold_by_text.get(query) or _adhoc(query)], progress=False)[0]
        result.value = render_result(query, answer.chunks, answer.answer, gold_by_text.get(query))

    def ask_clicked(*_: object) -> None:
        ask.disabled, ask.description = True, "Asking…"
        try:
            run()
        except Exception as error:  # shown where the reader looks, and logged with its traceback
            logger.exception("The RAG explorer failed")
            result.value = error_html(error)
        finally:
            ask.disabled, ask.description = False, "Ask"

    ask.on_click(ask_clicked)
    run()  # the first result (what the book shows); an error here fails the cell itself
    controls = widgets.HBox([index_choice, retriever_choice, k_choice])
    return widgets.VBox(
        [text, controls, widgets.HBox([reranker_choice, reader_choice, use_filter]), ask, result]
    )


def error_html(error: BaseException) -> str:
    """An exception as a short HTML message for a widget."""
    return (
        f"<p style='color:#b00020'><b>Error:</b> {html.escape(type(error).__name__)}: "
        f"{html.escape(str(error))}</p>"
    )


def _adhoc(text: str) -> Question:
    """A question typed by the reader (no gold answer)."""
    return Question(
        id="adhoc", question=text, answer="", aliases=(), evidence=(), category="", split="", template=""
    )
