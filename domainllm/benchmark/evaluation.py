"""Labs 1-4 and 9 (scoring): score answered questions and retrieved passages, and summarize with bootstrap intervals."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from domainllm.benchmark.failure_reasons import failure_reason, is_correct
from domainllm.corpus.questions import Question
from domainllm.metrics import answers as metrics
from domainllm.metrics import retrieval as retrieval_metrics
from domainllm.metrics.stats import summarize
from domainllm.rag.chunking import Chunk
from domainllm.rag.grounding import strip_citations
from domainllm.rag.pipeline import RagAnswer

ANSWER_METRICS = ("em", "contains", "f1", "token_recall", "rouge_l_recall")
FORM_METRICS = ("accuracy", "span_precision", "span_recall", "span_f1")  # by answer form (lab 4b)
RETRIEVAL_METRICS = ("recall@k", "mrr", "ndcg@k", "context_precision", "context_recall")


def sample_questions(questions: Sequence[Question], n: int | None, seed: int = 0) -> list[Question]:
    """A fixed random sample of ``n`` questions (all of them when n is None or large)."""
    if n is not None and n <= 0:
        raise ValueError(f"n must be positive, got {n}.")
    if n is None or n >= len(questions):
        return list(questions)
    picked = sorted(random.Random(seed).sample(range(len(questions)), n))
    return [questions[i] for i in picked]


def content_fingerprint(records: Sequence[Any]) -> list[Any]:
    """What cache keys hash for questions or summaries: every field (text, gold answers, aliases,
    evidence), never the ids alone, so another corpus's question with the same id gets its own key."""
    return [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else r for r in records]


def corpus_fingerprint(source: Any = None) -> str:
    """SHA-256 of every document of the chosen corpus (ids, front matter and text)."""
    from domainllm.corpus.documents import load_corpus

    rows = [
        [d.id, d.title, d.type, list(d.parties), d.effective_date, d.text, dict(d.metadata)]
        for d in load_corpus(source)
    ]
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def describe_corpus() -> str:
    """The corpus in force, for messages: ``generated corpus at /path`` or ``cuad corpus at /file``."""
    from domainllm.corpus.documents import resolve_source

    source = resolve_source()
    return f"{source.kind} corpus at {source.path}"


def answer_scores(
    answers: Sequence[RagAnswer], encode: Callable[[list[str]], np.ndarray] | None = None
) -> dict[str, list[float]]:
    """Per-question answer metrics; ``similarity`` (embedding cosine) too when ``encode`` is given.

    Passage citations such as ``[2]`` are removed before scoring: they are not part of the answer.
    ``token_recall`` is continuous-eval's (stop words removed), as in the original labs, and
    ``answer_chars`` the answer's length beside it. ``accuracy`` scores value questions (by value
    match; "which of A or B", list and count questions by their exact answer set) and the
    ``span_*`` metrics clause questions only (their lists hold only those questions).
    """
    from domainllm.metrics.recall_overlap import overlap_token_recall
    from domainllm.metrics.spans import span_scores

    scores: dict[str, list[float]] = {name: [] for name in (*ANSWER_METRICS, *FORM_METRICS, "answer_chars")}
    texts = [strip_citations(answer.answer) for answer in answers]
    for answer, text in zip(answers, texts, strict=True):
        references = answer.question.references
        for name, value in metrics.score_answer(text, references).items():
            scores[name].append(value)
        scores["token_recall"][-1] = overlap_token_recall(text, references)
        scores["answer_chars"].append(float(len(text)))
        if answer.question.form == "clause":
            for name, value in span_scores(answer.spans, answer.question.evidence).items():
                scores[name].append(value)
        else:
            scores["accuracy"].append(is_correct(answer.question, text))
    if encode is not None and answers:
        similarity = metrics.embedding_similarity(texts, [a.question.answer for a in answers], encode)
        scores["similarity"] = [float(v) for v in similarity]
    return scores


def retrieval_scores(
    questions: Sequence[Question], retrieved: Sequence[Sequence[Chunk]], k: int
) -> dict[str, list[float]]:
    """Per-question retrieval metrics at cut-off ``k`` against the gold evidence spans."""
    scores: dict[str, list[float]] = {name: [] for name in RETRIEVAL_METRICS}
    for question, chunks in zip(questions, retrieved, strict=True):
        evidence = question.evidence
        scores["recall@k"].append(retrieval_metrics.recall_at_k(chunks, evidence, k))
        scores["mrr"].append(retrieval_metrics.reciprocal_rank(chunks[:k], evidence))
        scores["ndcg@k"].append(retrieval_metrics.ndcg_at_k(chunks, evidence, k))
        scores["context_precision"].append(retrieval_metrics.context_precision(chunks, evidence, k))
        scores["context_recall"].append(retrieval_metrics.context_recall(chunks, evidence, k))
    return scores


def pipeline_report(
    answers: Sequence[RagAnswer],
    encode: Callable[[list[str]], np.ndarray] | None = None,
    k: int | None = None,
) -> dict[str, Any]:
    """Everything measured for one pipeline, JSON-ready: n, metrics with intervals, tokens, latency."""
    scores = answer_scores(answers, encode)
    with_evidence = [a for a in answers if a.question.evidence]  # recall is undefined without gold
    if k is not None and any(a.chunks for a in with_evidence):
        scores.update(
            retrieval_scores([a.question for a in with_evidence], [a.chunks for a in with_evidence], k)
        )
    return {
        "n": len(answers),
        "metrics": {
            name: estimate.to_dict() for name, estimate in summarize(scores, skip_empty=True).items()
        },
        "per_question": {name: list(values) for name, values in scores.items()},
        "failure_reasons": [
            failure_reason(a.question, strip_citations(a.answer), a.chunks, a.spans) for a in answers
        ],
        "prompt_tokens": float(np.mean([a.prompt_tokens for a in answers])) if answers else 0.0,
        "completion_tokens": float(np.mean([a.completion_tokens for a in answers])) if answers else 0.0,
        "seconds_per_answer": float(np.mean([a.seconds for a in answers])) if answers else 0.0,
    }
