"""Labs 4b and 9: why an answer failed, for every system: retrieval, reading, format or abstention.

A wrong answer gets one reason, checked in this order:

* **retrieval miss**: no passage in the context holds the gold evidence (a closed-book system has
  no context, so all its misses are retrieval misses: it was never shown the evidence);
* **abstention**: the system said the answer is not in the context (or said nothing);
* **format failure**: the right value is there but the answer is not usable as given: it sits
  inside a long sentence, or (multi-document questions) every gold item is named together with
  wrong ones, as when the question's "A or B" is repeated back;
* **reading failure**: the evidence was there and the answer is a wrong value or clause.
"""

from __future__ import annotations

from collections.abc import Sequence

from domainllm.corpus.records import Evidence, Question
from domainllm.graph.multidoc import score_multidoc
from domainllm.metrics.answers import contains_answer, normalize_answer
from domainllm.metrics.retrieval import is_relevant
from domainllm.metrics.spans import span_scores
from domainllm.metrics.value_match import value_accuracy
from domainllm.rag.chunking import Chunk
from domainllm.rag.readers import ABSTAIN

REASONS = ("correct", "retrieval miss", "abstention", "format failure", "reading failure")
SET_KINDS = ("list", "compare", "count")  # answered by a set of contracts or a number


def is_set_question(question: Question) -> bool:
    """True for the multi-document kinds scored by their answer set (lab 5's metric)."""
    return question.kind in SET_KINDS


def is_correct(question: Question, text: str, spans: Sequence[Evidence] = ()) -> float:
    """1.0 when the answer is right by the metric of its form (a long answer cannot win):

    values by normalized value match, clauses by character-span F1 of at least 0.5, and
    "which of A or B", list and count questions by their exact answer set (naming both A and B
    is wrong).
    """
    if question.form == "clause":
        return float(span_scores(spans, question.evidence)["span_f1"] >= 0.5)
    if is_set_question(question):
        return score_multidoc(question, text)["exact"]
    return float(value_accuracy(text, question.references))


def failure_reason(
    question: Question, text: str, chunks: Sequence[Chunk], spans: Sequence[Evidence] = ()
) -> str:
    """``correct`` or why not: one of :data:`REASONS` (see the module docstring for the order)."""
    if is_correct(question, text, spans):
        return "correct"
    if question.evidence and not any(is_relevant(c, question.evidence) for c in chunks):
        return "retrieval miss"
    if not text.strip() or normalize_answer(text) == normalize_answer(ABSTAIN):
        return "abstention"
    if question.form == "clause":
        has_value = span_scores(spans, question.evidence)["span_recall"] >= 0.5
    elif is_set_question(question):
        has_value = score_multidoc(question, text)["recall"] == 1.0
    else:
        has_value = bool(contains_answer(text, question.references))
    return "format failure" if has_value else "reading failure"
